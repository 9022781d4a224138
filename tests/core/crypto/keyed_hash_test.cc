#include "core/crypto/keyed_hash.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/core/crypto/test_hex.h"

namespace ledgerdesk::crypto {
namespace {

TEST(KeyedHashTest, MatchesRfc4231TestCase6) {
  const std::string key(131, '\xaa');
  Result<std::string> mac =
      HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(ToHex(*mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyedHashTest, RefusesShortKeys) {
  EXPECT_EQ(HmacSha256(std::string(31, 'k'), "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HmacSha256("", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(HmacSha256(std::string(32, 'k'), "x").ok());
}

TEST(EmailIndexTest, IsTheHmacOfTheLowerCasedAddress) {
  const std::string key(32, 'k');
  const values::Email email = *values::Email::Parse("Jan.Kowalski@Example.PL");
  Result<std::string> index = EmailIndex(key, email);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->size(), 32u);
  EXPECT_EQ(*index, *HmacSha256(key, "jan.kowalski@example.pl"));
}

TEST(EmailIndexTest, IgnoresLetterCase) {
  const std::string key(32, 'k');
  EXPECT_EQ(*EmailIndex(key, *values::Email::Parse("JAN@EXAMPLE.PL")),
            *EmailIndex(key, *values::Email::Parse("jan@example.pl")));
  EXPECT_NE(*EmailIndex(key, *values::Email::Parse("jan@example.pl")),
            *EmailIndex(key, *values::Email::Parse("jan2@example.pl")));
}

TEST(EmailIndexTest, DependsOnTheKey) {
  const values::Email email = *values::Email::Parse("jan@example.pl");
  EXPECT_NE(*EmailIndex(std::string(32, 'a'), email), *EmailIndex(std::string(32, 'b'), email));
}

}  // namespace
}  // namespace ledgerdesk::crypto
