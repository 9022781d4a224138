#include "projections/key_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

namespace ledgerdesk::projections {
namespace {

// The reference order: std::string_view's bytewise comparison, then the order.
void ExpectSortedLikeStd(std::vector<std::string> keys) {
  std::vector<KeyRef> refs;
  for (size_t i = 0; i < keys.size(); ++i) refs.push_back({keys[i], i});
  std::vector<KeyRef> expected = refs;
  std::sort(expected.begin(), expected.end(), [](const KeyRef& a, const KeyRef& b) {
    return a.key < b.key || (a.key == b.key && a.order < b.order);
  });
  SortKeys(refs);
  ASSERT_EQ(refs.size(), expected.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    ASSERT_EQ(refs[i].key, expected[i].key) << "at " << i;
    ASSERT_EQ(refs[i].order, expected[i].order) << "at " << i;
  }
}

TEST(KeySortTest, EmptyAndOne) {
  ExpectSortedLikeStd({});
  ExpectSortedLikeStd({"only"});
}

TEST(KeySortTest, PrefixesZeroBytesAndDuplicates) {
  using namespace std::string_literals;
  ExpectSortedLikeStd({"ab", "ab\0"s, "a", "", "ab\0\0\0\0\0\0"s, "ab\0\0\0\0\0\0x"s, "ab",
                       "abcdefgh", "abcdefg", "abcdefghi", "abcdefgh", "\xff", "\x01", "b",
                       "ab\xff"});
}

TEST(KeySortTest, IndexKeysWithLongSharedPrefixes) {
  std::mt19937_64 random(7);
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    char position[17];
    std::snprintf(position, sizeof position, "%016llx",
                  static_cast<unsigned long long>(random() % 5000));
    const int shape = static_cast<int>(random() % 4);
    const std::string id = std::to_string(random() % 50);
    if (shape == 0) keys.push_back("account/user" + id + "/" + position);
    if (shape == 1) keys.push_back("org/org" + id + "/" + position);
    if (shape == 2) keys.push_back("account/user" + id);  // a prefix of the first shape
    if (shape == 3) keys.push_back(std::string(random() % 20, 'a'));
  }
  ExpectSortedLikeStd(keys);
}

}  // namespace
}  // namespace ledgerdesk::projections
