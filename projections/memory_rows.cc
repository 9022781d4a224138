#include "projections/memory_rows.h"

#include <algorithm>

#include "projections/digest.h"

namespace ledgerdesk::projections {

Result<std::optional<std::string>> MemoryRows::Get(std::string_view cf, std::string_view key) {
  auto table = tables_.find(cf);
  if (table == tables_.end()) return std::optional<std::string>();
  auto row = table->second.find(key);
  if (row == table->second.end()) return std::optional<std::string>();
  return std::optional<std::string>(row->second);
}

Status MemoryRows::Put(std::string_view cf, std::string_view key, std::string_view value) {
  auto table = tables_.find(cf);
  if (table == tables_.end()) table = tables_.emplace(std::string(cf), Table()).first;
  table->second.insert_or_assign(std::string(key), std::string(value));
  return OkStatus();
}

Status MemoryRows::Delete(std::string_view cf, std::string_view key) {
  auto table = tables_.find(cf);
  if (table == tables_.end()) return OkStatus();
  auto row = table->second.find(key);
  if (row != table->second.end()) table->second.erase(row);
  return OkStatus();
}

const MemoryRows::Table& MemoryRows::rows(std::string_view cf) const {
  static const Table kEmpty;
  auto table = tables_.find(cf);
  return table == tables_.end() ? kEmpty : table->second;
}

std::string MemoryRows::Digest(const std::vector<std::string>& column_families) const {
  std::vector<std::string> sorted = column_families;
  std::sort(sorted.begin(), sorted.end());
  RowDigest digest;
  for (const auto& cf : sorted) {
    for (const auto& [key, value] : rows(cf)) digest.Add(cf, key, value);
  }
  return digest.FinishHex();
}

}  // namespace ledgerdesk::projections
