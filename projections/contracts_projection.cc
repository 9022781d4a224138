#include "projections/contracts_projection.h"

#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

constexpr std::string_view kCf = ContractsProjection::kColumnFamily;

Status PutContract(RowSink& sink, const rows::ContractRow& row) {
  const auto& terms = row.terms();
  LD_RETURN_IF_ERROR(
      rows::PutRow(sink, kCf, ContractsProjection::ContractKey(terms.contract_number()), row));
  return rows::PutRow(sink, kCf,
                      ContractsProjection::OrganizationContractKey(terms.organization_id(),
                                                                   terms.contract_number()),
                      row);
}

// Lets `change` edit the organization row (a fresh one with `organization_id` if there is none).
template <typename Change>
Status UpdateOrganization(RowSink& sink, const std::string& organization_id, Change change) {
  LD_ASSIGN_OR_RETURN(auto* row,
                      rows::EditRow<rows::OrganizationRow>(
                          sink, kCf, ContractsProjection::OrganizationKey(organization_id),
                          /*create=*/true));
  if (row->organization_id().empty()) row->set_organization_id(organization_id);  // a new row
  change(*row);
  return OkStatus();
}

}  // namespace

std::string ContractsProjection::OrganizationKey(std::string_view organization_id) {
  return rows::Key("org/", rows::Part{organization_id});
}
std::string ContractsProjection::ContractKey(std::string_view number) {
  return rows::Key("contract/", rows::Part{number});
}
std::string ContractsProjection::OrganizationContractsPrefix(std::string_view organization_id) {
  return rows::Key("org_contract/", rows::Part{organization_id}, "/");
}
std::string ContractsProjection::OrganizationContractKey(std::string_view organization_id,
                                                         std::string_view number) {
  return rows::Key("org_contract/", rows::Part{organization_id}, "/", rows::Part{number});
}

Status ContractsProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                                  RowSink& sink) const {
  switch (envelope.payload_case()) {
    case v1::Envelope::kOrganizationRegistered: {
      const auto& event = envelope.organization_registered();
      return UpdateOrganization(sink, event.organization_id(), [&](rows::OrganizationRow& row) {
        row.set_nip(event.nip());
        row.set_name(event.name());
        row.set_partner_name(event.partner_name());
      });
    }
    case v1::Envelope::kOrganizationAdminAssigned: {
      const auto& event = envelope.organization_admin_assigned();
      return UpdateOrganization(sink, event.organization_id(), [&](rows::OrganizationRow& row) {
        row.set_admin_account_id(event.account_id());
      });
    }
    case v1::Envelope::kOrganizationPartnerAssigned: {
      const auto& event = envelope.organization_partner_assigned();
      return UpdateOrganization(sink, event.organization_id(), [&](rows::OrganizationRow& row) {
        row.set_partner_name(event.partner_name());
      });
    }
    case v1::Envelope::kContractRegistered: {
      rows::ContractRow row;
      *row.mutable_terms() = envelope.contract_registered().terms();
      return PutContract(sink, row);
    }
    case v1::Envelope::kContractImported: {
      rows::ContractRow row;
      *row.mutable_terms() = envelope.contract_imported().terms();
      row.set_legacy_contract_id(envelope.contract_imported().legacy_contract_id());
      return PutContract(sink, row);
    }
    case v1::Envelope::kContractRenewed: {
      const auto& event = envelope.contract_renewed();
      LD_ASSIGN_OR_RETURN(auto row, rows::GetRow<rows::ContractRow>(
                                        sink, kCf, ContractKey(event.contract_number())));
      if (!row) return OkStatus();  // a renewal of a contract never registered: nothing to show
      *row->mutable_terms()->mutable_ends_on() = event.ends_on();
      return PutContract(sink, *row);
    }
    default:
      return OkStatus();
  }
}

}  // namespace ledgerdesk::projections
