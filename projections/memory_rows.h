#pragma once

// A RowSink held in ordered maps: for projection unit tests ("given events, then the rows") and for
// computing what a store should contain without RocksDB.

#include <map>
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

  // The rows of `cf` (empty when nothing was written there).
  const Table& rows(std::string_view cf) const;
  const std::map<std::string, Table, std::less<>>& tables() const { return tables_; }

  // The same SHA-256 hex digest Digest(store) gives for a store holding exactly these rows in
  // exactly these column families (empty ones count: pass every column family the store has).
  std::string Digest(const std::vector<std::string>& column_families) const;

 private:
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace ledgerdesk::projections
