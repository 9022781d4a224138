#pragma once

// The keys a bulk load has written out to its store, kept as Bloom filters so that the load still
// knows, without reading the store, that a key it never wrote is not there (its store started
// empty and nothing else writes it). One filter per write-out, sized to the keys it wrote: about
// 10 bits a key, one 64-byte block probed per lookup, under 2 % false positives (which only cost
// the read the filter would have spared).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ledgerdesk::projections {

class WrittenKeys {
 public:
  // Remembers the keys of one write-out, by their 64-bit hashes.
  void Add(const std::vector<uint64_t>& hashes);
  // False only if no write-out had a key of this hash.
  bool MayHold(uint64_t hash) const;
  size_t bytes() const;

 private:
  std::vector<std::vector<uint64_t>> filters_;  // each in blocks of 512 bits
};

}  // namespace ledgerdesk::projections
