#include "projections/accounts_projection.h"

#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

using Self = AccountsProjection;
constexpr std::string_view kCf = Self::kColumnFamily;

// Lets `change` edit the account row (a fresh one when `create` and there is none); events of an
// account the projection never saw created are skipped.
template <typename Change>
Status Update(RowSink& sink, const std::string& account_id, bool create, Change change) {
  LD_ASSIGN_OR_RETURN(
      auto* row, rows::EditRow<rows::AccountRow>(sink, kCf, Self::AccountKey(account_id), create));
  if (row == nullptr) return OkStatus();
  if (row->account_id().empty()) row->set_account_id(account_id);  // a new row
  change(*row);
  return OkStatus();
}

Status AddMember(RowSink& sink, const std::string& organization_id, const std::string& account_id) {
  return sink.PutWriteOnly(kCf, Self::MemberKey(organization_id, account_id), "");
}

}  // namespace

std::string AccountsProjection::AccountKey(std::string_view account_id) {
  return rows::Key("account/", rows::Part{account_id});
}
std::string AccountsProjection::MembersPrefix(std::string_view organization_id) {
  return rows::Key("member/", rows::Part{organization_id}, "/");
}
std::string AccountsProjection::MemberKey(std::string_view organization_id,
                                          std::string_view account_id) {
  return rows::Key("member/", rows::Part{organization_id}, "/", rows::Part{account_id});
}

Status AccountsProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                                 RowSink& sink) const {
  const int64_t at = rows::Micros(envelope.occurred_at());
  switch (envelope.payload_case()) {
    case v1::Envelope::kAccountRegistered: {
      const auto& e = envelope.account_registered();
      return Update(sink, e.account_id(), true, [&](rows::AccountRow& row) {
        row.set_role(e.role() == v1::ROLE_UNSPECIFIED ? v1::ROLE_CUSTOMER : e.role());
        *row.mutable_email() = e.email();
        *row.mutable_name() = e.name();
        *row.mutable_phone() = e.phone();
        row.set_nip(e.nip());
        row.set_created_at_us(at);
      });
    }
    case v1::Envelope::kStaffAccountCreated: {
      const auto& e = envelope.staff_account_created();
      return Update(sink, e.account_id(), true, [&](rows::AccountRow& row) {
        row.set_role(e.role());
        *row.mutable_email() = e.email();
        *row.mutable_name() = e.name();
        row.set_partner_name(e.partner_name());
        row.set_email_confirmed(true);  // the operator vouches for it
        row.set_created_at_us(at);
      });
    }
    case v1::Envelope::kColleagueInvited: {
      const auto& e = envelope.colleague_invited();
      // A member once the colleague sets a password (AccountVerified follows).
      return Update(sink, e.account_id(), true, [&](rows::AccountRow& row) {
        row.set_role(v1::ROLE_CUSTOMER);
        *row.mutable_email() = e.email();
        *row.mutable_name() = e.name();
        *row.mutable_phone() = e.phone();
        row.set_nip(e.nip());
        row.set_created_at_us(at);
      });
    }
    case v1::Envelope::kEmailConfirmed:
      return Update(sink, envelope.email_confirmed().account_id(), false,
                    [](rows::AccountRow& row) { row.set_email_confirmed(true); });
    case v1::Envelope::kAccountVerified: {
      const auto& e = envelope.account_verified();
      LD_RETURN_IF_ERROR(Update(sink, e.account_id(), false, [&](rows::AccountRow& row) {
        row.set_organization_id(e.organization_id());
        row.set_organization_admin(row.organization_admin() || e.organization_admin());
      }));
      return AddMember(sink, e.organization_id(), e.account_id());
    }
    case v1::Envelope::kTotpEnabled:
      return Update(sink, envelope.totp_enabled().account_id(), false,
                    [](rows::AccountRow& row) { row.set_totp_enabled(true); });
    case v1::Envelope::kAccountLocked:
      return Update(sink, envelope.account_locked().account_id(), false,
                    [](rows::AccountRow& row) { row.set_locked(true); });
    case v1::Envelope::kAccountUnlocked:
      return Update(sink, envelope.account_unlocked().account_id(), false,
                    [](rows::AccountRow& row) { row.set_locked(false); });
    case v1::Envelope::kEmailChanged: {
      const auto& e = envelope.email_changed();
      return Update(sink, e.account_id(), false,
                    [&](rows::AccountRow& row) { *row.mutable_email() = e.email(); });
    }
    default:
      return OkStatus();
  }
}

}  // namespace ledgerdesk::projections
