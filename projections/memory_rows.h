#pragma once

// A RowSink held in ordered maps: for projection unit tests ("given events, then the rows") and for
// computing what a store should contain without RocksDB.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "projections/projection.h"

namespace ledgerdesk::projections {

class MemoryRows : public RowSink {
 public:
  // Column family -> key -> value, in bytewise key order (the order RocksDB keeps).
  using Table = std::map<std::string, std::string, std::less<>>;

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) override;
  Status Put(std::string_view cf, std::string_view key, std::string_view value) override;
  Status Delete(std::string_view cf, std::string_view key) override;
  Result<const google::protobuf::MessageLite*> FindRow(
      std::string_view cf, std::string_view key,
      const google::protobuf::MessageLite& type) override;
  Result<google::protobuf::MessageLite*> EditRow(std::string_view cf, std::string_view key,
                                                 const google::protobuf::MessageLite& type,
                                                 bool create) override;

  // Whether `cf` has a row at `key`.
  bool Holds(std::string_view cf, std::string_view key) const;
  // The bytes of the row at `key` as they are now (of a row kept parsed, its serialization).
  std::optional<std::string> Value(std::string_view cf, std::string_view key) const;

  // The rows of `cf` (empty when nothing was written there); rows kept parsed as they are now.
  const Table& rows(std::string_view cf) const;
  const std::map<std::string, Table, std::less<>>& tables() const;

  // The same SHA-256 hex digest Digest(store) gives for a store holding exactly these rows in
  // exactly these column families (empty ones count: pass every column family the store has).
  std::string Digest(const std::vector<std::string>& column_families) const;

 private:
  struct Parsed {
    std::unique_ptr<google::protobuf::MessageLite> message;
    bool edited = false;  // the row: its bytes are serialized from it whenever read
  };
  using ParsedTable = std::map<std::string, Parsed, std::less<>>;

  Table& TableOf(std::string_view cf) const;
  // Drops the parsed row at `key`, if any (its bytes are being replaced).
  void ForgetParsed(std::string_view cf, std::string_view key);
  // Writes the rows edited parsed into the tables, so that their bytes are current.
  void WriteEdited() const;
  Result<Parsed*> Load(std::string_view cf, std::string_view key,
                       const google::protobuf::MessageLite& type);

  // Mutable: the rows edited parsed are serialized into the tables when the tables are read.
  mutable std::map<std::string, Table, std::less<>> tables_;
  mutable std::map<std::string, ParsedTable, std::less<>> parsed_;
};

}  // namespace ledgerdesk::projections
