#include "tools/http/answer_cache.h"

#include <gtest/gtest.h>

namespace ledgerdesk::tools::http {
namespace {

TEST(AnswerCacheTest, AnAnswerIsFoundOnlyForItsKeyAndPosition) {
  AnswerCache cache;
  EXPECT_FALSE(cache.Find("alice/t1", 7).has_value());
  cache.Store("alice/t1", 7, R"({"title":"a"})");
  EXPECT_EQ(cache.Find("alice/t1", 7).value_or(""), R"({"title":"a"})");
  EXPECT_FALSE(cache.Find("bob/t1", 7).has_value());    // another caller
  EXPECT_FALSE(cache.Find("alice/t1", 8).has_value());  // the projections moved on
  EXPECT_FALSE(cache.Find("alice/t1", 6).has_value());
}

TEST(AnswerCacheTest, ANewerPositionDropsEverythingOlderAndOlderStoresAreIgnored) {
  AnswerCache cache;
  cache.Store("alice/t1", 7, "old");
  cache.Store("alice/t2", 8, "new");
  EXPECT_FALSE(cache.Find("alice/t1", 7).has_value());
  EXPECT_FALSE(cache.Find("alice/t1", 8).has_value());
  EXPECT_EQ(cache.Find("alice/t2", 8).value_or(""), "new");
  cache.Store("alice/t1", 7, "late");  // rendered before the move, stored after it
  EXPECT_FALSE(cache.Find("alice/t1", 7).has_value());
  EXPECT_FALSE(cache.Find("alice/t1", 8).has_value());
  EXPECT_EQ(cache.Find("alice/t2", 8).value_or(""), "new");
}

TEST(AnswerCacheTest, StaysWithinItsBytes) {
  AnswerCache cache(100);
  cache.Store("k1", 1, std::string(60, 'a'));
  EXPECT_TRUE(cache.Find("k1", 1).has_value());
  cache.Store("k2", 1, std::string(60, 'b'));  // both would pass 100 bytes: the old ones go
  EXPECT_FALSE(cache.Find("k1", 1).has_value());
  EXPECT_TRUE(cache.Find("k2", 1).has_value());
  cache.Store("k3", 1, std::string(200, 'c'));  // larger than the whole cache: not kept
  EXPECT_FALSE(cache.Find("k3", 1).has_value());
  EXPECT_TRUE(cache.Find("k2", 1).has_value());
}

}  // namespace
}  // namespace ledgerdesk::tools::http
