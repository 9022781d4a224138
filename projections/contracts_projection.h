#pragma once

// Organizations and their contracts with items. Column family "contracts":
//   org/<organization_id>                  -> OrganizationRow (nip, name, partner_name, admin)
//   contract/<number>                      -> ContractRow (terms with items; ends_on as renewed)
//   org_contract/<organization_id>/<number> -> the same ContractRow
// so "contract K" is one Get and "the contracts of organization X" one prefix scan, in number
// order. Whether a contract is active is decided at query time from its dates (queries.h).

#include "projections/projection.h"

namespace ledgerdesk::projections {

class ContractsProjection : public Projection {
 public:
  static constexpr std::string_view kName = "contracts";
  static constexpr std::string_view kColumnFamily = "contracts";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string OrganizationKey(std::string_view organization_id);
  static std::string ContractKey(std::string_view number);
  static std::string OrganizationContractsPrefix(std::string_view organization_id);
  static std::string OrganizationContractKey(std::string_view organization_id,
                                             std::string_view number);
};

}  // namespace ledgerdesk::projections
