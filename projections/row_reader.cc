#include "projections/row_reader.h"

namespace ledgerdesk::projections {

Result<std::optional<std::string>> MemoryRowsReader::Get(std::string_view cf,
                                                         std::string_view key) const {
  const auto& table = rows_.rows(cf);
  auto row = table.find(key);
  if (row == table.end()) return std::optional<std::string>();
  return std::optional<std::string>(row->second);
}

Status MemoryRowsReader::ScanPrefix(
    std::string_view cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  const auto& table = rows_.rows(cf);
  for (auto row = table.lower_bound(prefix); row != table.end(); ++row) {
    if (!std::string_view(row->first).starts_with(prefix)) break;
    if (!visit(row->first, row->second)) break;
  }
  return OkStatus();
}

}  // namespace ledgerdesk::projections
