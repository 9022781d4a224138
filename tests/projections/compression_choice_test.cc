// A bulk load compresses a file only where a sample of its rows shows LZ4 saves an eighth.

#include "projections/compression_choice.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace ledgerdesk::projections {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

std::string RandomBytes(std::mt19937_64& random, size_t size) {
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

bool Pays(const Rows& rows) {
  return CompressionPays(rows.size(), [&](size_t i) {
    return std::pair<std::string_view, std::string_view>(rows[i].first, rows[i].second);
  });
}

// Rows like a ticket's messages: ids and structure around a ciphertext of a few hundred bytes.
Rows CiphertextRows(size_t count, std::mt19937_64& random) {
  Rows rows;
  for (size_t i = 0; i < count; ++i) {
    rows.emplace_back("message/" + std::to_string(100000 + i), RandomBytes(random, 400));
  }
  return rows;
}

// Rows like notifications: the same kinds and ids again and again, a short sealed text.
Rows RepetitiveRows(size_t count, std::mt19937_64& random) {
  Rows rows;
  for (size_t i = 0; i < count; ++i) {
    rows.emplace_back(
        "account/0123456789abcdef0123456789abcdef/" + std::to_string(100000 + i),
        "engineer_reply ticket 0123456789abcdef0123456789abcdef " + RandomBytes(random, 24));
  }
  return rows;
}

TEST(CompressionChoice, CiphertextIsNotWorthCompressing) {
  std::mt19937_64 random(1);
  EXPECT_FALSE(Pays(CiphertextRows(5000, random)));
}

TEST(CompressionChoice, RowsThatRepeatThemselvesAre) {
  std::mt19937_64 random(2);
  EXPECT_TRUE(Pays(RepetitiveRows(5000, random)));
}

TEST(CompressionChoice, NoRowsAreNot) {
  EXPECT_FALSE(Pays({}));
  EXPECT_FALSE(Pays({{"", ""}}));
}

// The sample spreads over the file: compressible rows at its start do not decide for the rest.
TEST(CompressionChoice, TheSampleCoversTheWholeFile) {
  std::mt19937_64 random(3);
  Rows rows = RepetitiveRows(500, random);
  for (auto& row : CiphertextRows(20000, random)) rows.push_back(std::move(row));
  EXPECT_TRUE(Pays(Rows(rows.begin(), rows.begin() + 500)));
  EXPECT_FALSE(Pays(rows));
}

}  // namespace
}  // namespace ledgerdesk::projections
