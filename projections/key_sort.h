#pragma once

// Sorting many keys bytewise, fast: a bulk load (store.h) sorts millions of keys that share long
// prefixes ("account/<id>/<position>"), and a comparison sort that follows every key into memory
// spends its time waiting on cache misses. This sorts 8-byte big-endian words copied next to each
// key, one word depth at a time, going deeper only for keys still tied (MSD radix in words).

#include <cstddef>
#include <string_view>
#include <vector>

namespace ledgerdesk::projections {

struct KeyRef {
  std::string_view key;
  size_t order = 0;  // breaks ties between equal keys (e.g. the order they were written in)
};

// Sorts `keys` by key (bytewise, a prefix before its extensions), then by order.
void SortKeys(std::vector<KeyRef>& keys);

}  // namespace ledgerdesk::projections
