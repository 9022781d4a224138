#include "projections/memory_rows.h"

#include <algorithm>
#include <typeinfo>

#include "projections/digest.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {

MemoryRows::Table& MemoryRows::TableOf(std::string_view cf) const {
  auto table = tables_.find(cf);
  if (table == tables_.end()) table = tables_.emplace(std::string(cf), Table()).first;
  return table->second;
}

void MemoryRows::WriteEdited() const {
  for (auto& [cf, rows] : parsed_) {
    for (auto& [key, parsed] : rows) {
      if (!parsed.edited) continue;
      TableOf(cf).insert_or_assign(key, parsed.message->SerializeAsString());
    }
  }
}

Result<std::optional<std::string>> MemoryRows::Get(std::string_view cf, std::string_view key) {
  return Value(cf, key);
}

std::optional<std::string> MemoryRows::Value(std::string_view cf, std::string_view key) const {
  // Only this row: serializing every edited row on each read made a fold's reads quadratic.
  if (auto rows = parsed_.find(cf); rows != parsed_.end()) {
    if (auto row = rows->second.find(key); row != rows->second.end() && row->second.edited) {
      return row->second.message->SerializeAsString();
    }
  }
  auto table = tables_.find(cf);
  if (table == tables_.end()) return std::optional<std::string>();
  auto row = table->second.find(key);
  if (row == table->second.end()) return std::optional<std::string>();
  return std::optional<std::string>(row->second);
}

void MemoryRows::ForgetParsed(std::string_view cf, std::string_view key) {
  if (auto rows = parsed_.find(cf); rows != parsed_.end()) {
    if (auto row = rows->second.find(key); row != rows->second.end()) rows->second.erase(row);
  }
}

Status MemoryRows::Put(std::string_view cf, std::string_view key, std::string_view value) {
  ForgetParsed(cf, key);
  TableOf(cf).insert_or_assign(std::string(key), std::string(value));
  return OkStatus();
}

Status MemoryRows::Delete(std::string_view cf, std::string_view key) {
  ForgetParsed(cf, key);
  auto table = tables_.find(cf);
  if (table == tables_.end()) return OkStatus();
  auto row = table->second.find(key);
  if (row != table->second.end()) table->second.erase(row);
  return OkStatus();
}

// The parsed row at `key` (parsed from the table's bytes on first use), or null when there is
// none.
Result<MemoryRows::Parsed*> MemoryRows::Load(std::string_view cf, std::string_view key,
                                             const google::protobuf::MessageLite& type) {
  auto rows = parsed_.find(cf);
  if (rows == parsed_.end()) rows = parsed_.emplace(std::string(cf), ParsedTable()).first;
  if (auto row = rows->second.find(key); row != rows->second.end()) {
    if (typeid(*row->second.message) != typeid(type)) {
      return Internal("row " + std::string(key) + " of " + std::string(cf) +
                      " asked for as two types");
    }
    return &row->second;
  }
  auto table = tables_.find(cf);
  if (table == tables_.end()) return static_cast<Parsed*>(nullptr);
  auto bytes = table->second.find(key);
  if (bytes == table->second.end()) return static_cast<Parsed*>(nullptr);
  std::unique_ptr<google::protobuf::MessageLite> message(type.New());
  LD_RETURN_IF_ERROR(rows::ParseRow(cf, key, bytes->second, *message));
  return &rows->second.emplace(std::string(key), Parsed{std::move(message), false}).first->second;
}

Result<const google::protobuf::MessageLite*> MemoryRows::FindRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type) {
  LD_ASSIGN_OR_RETURN(Parsed * parsed, Load(cf, key, type));
  return static_cast<const google::protobuf::MessageLite*>(parsed ? parsed->message.get()
                                                                  : nullptr);
}

Result<google::protobuf::MessageLite*> MemoryRows::EditRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type,
    bool create) {
  LD_ASSIGN_OR_RETURN(Parsed * parsed, Load(cf, key, type));
  if (parsed == nullptr) {
    if (!create) return static_cast<google::protobuf::MessageLite*>(nullptr);
    parsed =
        &parsed_[std::string(cf)]
             .emplace(std::string(key),
                      Parsed{std::unique_ptr<google::protobuf::MessageLite>(type.New()), false})
             .first->second;
  }
  parsed->edited = true;
  return parsed->message.get();
}

bool MemoryRows::Holds(std::string_view cf, std::string_view key) const {
  if (auto rows = parsed_.find(cf); rows != parsed_.end() && rows->second.contains(key)) {
    return true;
  }
  auto table = tables_.find(cf);
  return table != tables_.end() && table->second.contains(key);
}

const MemoryRows::Table& MemoryRows::rows(std::string_view cf) const {
  static const Table kEmpty;
  WriteEdited();
  auto table = tables_.find(cf);
  return table == tables_.end() ? kEmpty : table->second;
}

const std::map<std::string, MemoryRows::Table, std::less<>>& MemoryRows::tables() const {
  WriteEdited();
  return tables_;
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
