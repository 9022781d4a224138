#pragma once

// The content hash of projection rows: SHA-256 over every (column family, key, value) in column
// family name order, then key order, each field length-prefixed so no two contents collide by
// concatenation. The same function serves stores and MemoryRows.

#include <memory>
#include <string>
#include <string_view>

namespace ledgerdesk::projections {

class RowDigest {
 public:
  RowDigest();
  ~RowDigest();
  RowDigest(const RowDigest&) = delete;
  RowDigest& operator=(const RowDigest&) = delete;

  // Adds one row; callers add column families in name order and keys in bytewise order.
  void Add(std::string_view cf, std::string_view key, std::string_view value);
  // Lower-case hex of the SHA-256; the object is spent afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerdesk::projections
