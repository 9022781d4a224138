#include "projections/compression_choice.h"

#include <lz4.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ledgerdesk::projections {
namespace {

constexpr size_t kBlockBytes = 4096;  // RocksDB's default data block
constexpr size_t kSampleBlocks = 16;

size_t SharedPrefix(std::string_view a, std::string_view b) {
  const size_t limit = std::min(a.size(), b.size());
  size_t shared = 0;
  while (shared < limit && a[shared] == b[shared]) ++shared;
  return shared;
}

}  // namespace

bool CompressionPays(size_t rows, const RowAt& row_at) {
  size_t raw = 0, compressed = 0;
  std::string block;
  std::vector<char> out;
  const size_t blocks = std::min(rows, kSampleBlocks);
  for (size_t b = 0; b < blocks; ++b) {
    block.clear();
    std::string_view previous_key;
    for (size_t i = b * rows / blocks; i < rows && block.size() < kBlockBytes; ++i) {
      const auto [key, value] = row_at(i);
      block.append(key.substr(SharedPrefix(previous_key, key)));
      block.append(value);
      previous_key = key;
    }
    if (block.empty()) continue;
    out.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(block.size()))));
    const int size = LZ4_compress_default(block.data(), out.data(), static_cast<int>(block.size()),
                                          static_cast<int>(out.size()));
    raw += block.size();
    compressed += size > 0 ? std::min(static_cast<size_t>(size), block.size()) : block.size();
  }
  return raw > 0 && compressed * 8 <= raw * 7;
}

}  // namespace ledgerdesk::projections
