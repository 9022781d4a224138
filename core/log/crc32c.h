#pragma once

// CRC-32C (Castagnoli, the polynomial iSCSI, ext4 and LevelDB use): the SSE 4.2 crc32 instruction
// where the CPU has it, else table-driven (slicing by 8),
// for the embedded log's record checksums. Pure functions; thread-safe.

#include <cstdint>
#include <string_view>

namespace ledgerdesk::log {

// The CRC-32C of `data` continued from `crc` (the CRC of the bytes before it; 0 for none).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

// The CRC-32C of `data`. Crc32c("123456789") == 0xE3069283.
inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// A stored CRC is masked (after LevelDB): the CRC of a string that embeds CRCs is otherwise
// prone to coincidences.
inline uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc32c(uint32_t masked) {
  const uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace ledgerdesk::log
