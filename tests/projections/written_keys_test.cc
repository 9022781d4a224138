// The written-out keys' filters: never a false "not written", few false "maybe".

#include "projections/written_keys.h"

#include <gtest/gtest.h>

#include <random>

namespace ledgerdesk::projections {
namespace {

std::vector<uint64_t> RandomHashes(std::mt19937_64& random, size_t count) {
  std::vector<uint64_t> hashes(count);
  for (auto& hash : hashes) hash = random();
  return hashes;
}

TEST(WrittenKeys, HoldsEveryKeyOfEveryWriteOutAndFewOthers) {
  std::mt19937_64 random(7);
  WrittenKeys written;
  EXPECT_FALSE(written.MayHold(random()));  // nothing written yet
  const auto first = RandomHashes(random, 50'000);
  const auto second = RandomHashes(random, 3);  // a small write-out gets a filter of its own
  written.Add(first);
  written.Add(second);
  written.Add({});
  for (uint64_t hash : first) ASSERT_TRUE(written.MayHold(hash));
  for (uint64_t hash : second) ASSERT_TRUE(written.MayHold(hash));

  size_t false_positives = 0;
  const auto others = RandomHashes(random, 100'000);
  for (uint64_t hash : others) false_positives += written.MayHold(hash);
  EXPECT_LT(false_positives, others.size() * 3 / 100) << false_positives;  // ~1 % at 10 bits
  EXPECT_LE(written.bytes(), (50'000 * 10 / 8) + 2 * 64 + 64);
}

}  // namespace
}  // namespace ledgerdesk::projections
