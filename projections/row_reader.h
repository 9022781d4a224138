#pragma once

// A read-only view of projection rows, for the queries (queries.h). Store::Reader() gives one
// pinned to a RocksDB snapshot (every read of one query sees the same committed state, even while
// the runner commits); MemoryRowsReader reads MemoryRows, so queries are tested without RocksDB.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "projections/memory_rows.h"

namespace ledgerdesk::projections {

class RowReader {
 public:
  virtual ~RowReader() = default;

  // The value of `key` in `cf`; nullopt when there is none. Errors: kInvalidArgument for an unknown
  // column family (a store opened without that projection), kUnavailable for read errors.
  virtual Result<std::optional<std::string>> Get(std::string_view cf,
                                                 std::string_view key) const = 0;

  // Calls `visit` for every row of `cf` whose key starts with `prefix`, in bytewise key order,
  // until `visit` returns false. Errors as Get.
  virtual Status ScanPrefix(
      std::string_view cf, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
};

// Reads `rows` (which must outlive it and not change while a query runs). Column families that
// were never written read as empty.
class MemoryRowsReader : public RowReader {
 public:
  explicit MemoryRowsReader(const MemoryRows& rows) : rows_(rows) {}

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) const override;
  Status ScanPrefix(std::string_view cf, std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

 private:
  const MemoryRows& rows_;
};

}  // namespace ledgerdesk::projections
