#pragma once

// Whether a bulk load's file of rows is worth compressing. LZ4 costs a rebuild about a fifth of
// its instructions (callgrind), yet the rows' bulk is ciphertext it cannot shrink: on the
// benchmark's service desk it took 6 % off the tickets' files (messages) and 1.5 % off the
// subject index's, but 32 % off the notifications'. So each file is judged by a sample of its own
// rows, laid out as a RocksDB data block lays them out (each key after the prefix it shares with
// the previous one, then its value; 4 KiB a block) and compressed: LZ4 pays when it saves at
// least an eighth, the bar RocksDB itself sets for keeping a block compressed.

#include <cstddef>
#include <functional>
#include <string_view>
#include <utility>

namespace ledgerdesk::projections {

// Row `i` (0 <= i < rows) of a file, in key order; its views need only last until the next call.
using RowAt = std::function<std::pair<std::string_view, std::string_view>(size_t i)>;

// Samples up to 16 blocks spread over the rows. False for no rows.
bool CompressionPays(size_t rows, const RowAt& row_at);

}  // namespace ledgerdesk::projections
