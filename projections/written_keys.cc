#include "projections/written_keys.h"

#include <algorithm>

namespace ledgerdesk::projections {
namespace {

constexpr size_t kBitsPerKey = 10;
constexpr size_t kWordsPerBlock = 8;  // 512 bits: one cache line
constexpr int kProbes = 6;

// The bit offsets within a block: 9-bit slices of the hash remixed (MurmurHash3's finalizer), so
// that they do not follow the bits that chose the block.
template <typename Visit>
void ForEachBit(uint64_t hash, Visit visit) {
  uint64_t mixed = hash ^ (hash >> 33);
  mixed *= 0xff51afd7ed558ccdull;
  mixed ^= mixed >> 33;
  for (int probe = 0; probe < kProbes; ++probe) visit((mixed >> (probe * 9)) & 511);
}

// Where the block of `hash` starts in a filter of `words` words.
size_t BlockStart(uint64_t hash, size_t words) {
  const uint64_t blocks = words / kWordsPerBlock;
  return static_cast<size_t>(((hash >> 32) * blocks) >> 32) * kWordsPerBlock;  // the top bits
}

}  // namespace

void WrittenKeys::Add(const std::vector<uint64_t>& hashes) {
  if (hashes.empty()) return;
  const size_t blocks = std::max<size_t>(1, (hashes.size() * kBitsPerKey + 511) / 512);
  std::vector<uint64_t> filter(blocks * kWordsPerBlock, 0);
  for (uint64_t hash : hashes) {
    uint64_t* block = filter.data() + BlockStart(hash, filter.size());
    ForEachBit(hash, [&](uint64_t bit) { block[bit >> 6] |= uint64_t{1} << (bit & 63); });
  }
  filters_.push_back(std::move(filter));
}

bool WrittenKeys::MayHold(uint64_t hash) const {
  for (const auto& filter : filters_) {
    const uint64_t* block = filter.data() + BlockStart(hash, filter.size());
    bool all = true;
    ForEachBit(hash, [&](uint64_t bit) { all = all && ((block[bit >> 6] >> (bit & 63)) & 1); });
    if (all) return true;
  }
  return false;
}

size_t WrittenKeys::bytes() const {
  size_t bytes = 0;
  for (const auto& filter : filters_) bytes += filter.size() * sizeof(uint64_t);
  return bytes;
}

}  // namespace ledgerdesk::projections
