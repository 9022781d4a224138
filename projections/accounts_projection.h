#pragma once

// Accounts as the portal shows them (GET /api/v1/account) and organizations' members. Column
// family "accounts":
//   account/<account_id>                 -> AccountRow (personal fields sealed)
//   member/<organization_id>/<account_id> -> "" (the organization's verified accounts)
// Secrets (password hashes, token hashes, TOTP secrets) never reach the read side: they stay in
// the write model, which needs them to decide.

#include "projections/projection.h"

namespace ledgerdesk::projections {

class AccountsProjection : public Projection {
 public:
  static constexpr std::string_view kName = "accounts";
  static constexpr std::string_view kColumnFamily = "accounts";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string AccountKey(std::string_view account_id);
  static std::string MembersPrefix(std::string_view organization_id);
  static std::string MemberKey(std::string_view organization_id, std::string_view account_id);
};

}  // namespace ledgerdesk::projections
