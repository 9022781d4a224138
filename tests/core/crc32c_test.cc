// CRC-32C (Castagnoli): the RFC 3720 test vectors, and extending piece by piece at every split and
// alignment equals one pass (the hardware path handles unaligned heads and short tails).

#include "core/log/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ledgerdesk::log {
namespace {

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32cExtend(0, "123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32cExtend(0, std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32cExtend(0, std::string(32, '\xff')), 0x62a8ab43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[i] = static_cast<char>(i);
  EXPECT_EQ(Crc32cExtend(0, ascending), 0x46dd794eu);
  EXPECT_EQ(Crc32cExtend(0, ""), 0u);
}

TEST(Crc32cTest, ExtendingPieceByPieceEqualsOnePass) {
  std::mt19937 random(7);
  std::string buffer(300, '\0');
  for (char& c : buffer) c = static_cast<char>(random());
  for (size_t offset = 0; offset < 9; ++offset) {
    const std::string_view data = std::string_view(buffer).substr(offset, 200);
    const uint32_t whole = Crc32cExtend(0, data);
    for (size_t split = 0; split <= data.size(); split += 7) {
      EXPECT_EQ(Crc32cExtend(Crc32cExtend(0, data.substr(0, split)), data.substr(split)), whole)
          << "offset " << offset << " split " << split;
    }
  }
}

}  // namespace
}  // namespace ledgerdesk::log
