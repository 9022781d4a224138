#include "core/crypto/password_hasher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ledgerdesk::crypto {
namespace {

using ::testing::StartsWith;

TEST(PasswordHasherTest, DefaultsMeetOwaspMinimum) {
  const PasswordHashParams params;
  EXPECT_GE(params.memory_bytes, 19u * 1024 * 1024);
  EXPECT_GE(params.passes, 2u);
  EXPECT_EQ(PasswordHasher().params().memory_bytes, params.memory_bytes);
}

TEST(PasswordHasherTest, HashesWithTheDefaultsAsArgon2id) {
  // One real-cost hash, to prove the defaults work (about 50 ms).
  const PasswordHasher hasher;
  Result<std::string> hash = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_THAT(*hash, StartsWith("$argon2id$v=19$m=19456,t=2,p=1$"));
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.NeedsRehash(*hash));
}

class FastPasswordHasherTest : public ::testing::Test {
 protected:
  const PasswordHasher hasher_{PasswordHashParams::ForTestsOnly()};
};

TEST_F(FastPasswordHasherTest, VerifiesOnlyTheRightPassword) {
  Result<std::string> hash = hasher_.Hash("zażółć gęślą jaźń");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hasher_.Verify(*hash, "zażółć gęślą jaźń"));
  EXPECT_FALSE(hasher_.Verify(*hash, "zazolc gesla jazn"));
  EXPECT_FALSE(hasher_.Verify(*hash, ""));
}

TEST_F(FastPasswordHasherTest, SaltsEveryHash) {
  const std::string first = *hasher_.Hash("password1234");
  const std::string second = *hasher_.Hash("password1234");
  EXPECT_NE(first, second);
  EXPECT_TRUE(hasher_.Verify(first, "password1234"));
  EXPECT_TRUE(hasher_.Verify(second, "password1234"));
}

TEST_F(FastPasswordHasherTest, HandlesEmbeddedNulBytesAndEmptyPasswords) {
  const std::string with_nul("abc\0def", 7);
  const std::string hash = *hasher_.Hash(with_nul);
  EXPECT_TRUE(hasher_.Verify(hash, with_nul));
  EXPECT_FALSE(hasher_.Verify(hash, "abc"));
  const std::string empty = *hasher_.Hash("");
  EXPECT_TRUE(hasher_.Verify(empty, ""));
}

TEST_F(FastPasswordHasherTest, MalformedHashesNeverVerify) {
  const std::string hash = *hasher_.Hash("password1234");
  EXPECT_FALSE(hasher_.Verify("", "password1234"));
  EXPECT_FALSE(hasher_.Verify("not a hash", "password1234"));
  EXPECT_FALSE(hasher_.Verify(hash.substr(0, hash.size() - 3), "password1234"));
  EXPECT_FALSE(hasher_.Verify(hash + std::string(200, 'A'), "password1234"));
  EXPECT_FALSE(hasher_.Verify(std::string(hash).insert(5, 1, '\0'), "password1234"));
  std::string altered = hash;
  altered[altered.size() - 2] = altered[altered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(hasher_.Verify(altered, "password1234"));
}

TEST_F(FastPasswordHasherTest, NeedsRehashWhenParametersChange) {
  const std::string weak = *hasher_.Hash("password1234");
  EXPECT_FALSE(hasher_.NeedsRehash(weak));
  const PasswordHasher stronger({.passes = 3, .memory_bytes = 64 * 1024});
  EXPECT_TRUE(stronger.NeedsRehash(weak));
  const std::string strong = *stronger.Hash("password1234");
  EXPECT_FALSE(stronger.NeedsRehash(strong));
  EXPECT_TRUE(PasswordHasher().NeedsRehash(weak));
  // Old hashes still verify with any hasher: parameters live in the string.
  EXPECT_TRUE(stronger.Verify(weak, "password1234"));
}

TEST_F(FastPasswordHasherTest, NeedsRehashForOtherAlgorithmsAndJunk) {
  // An Argon2i hash (libsodium's older default) with the same parameters.
  const std::string argon2i =
      "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
      "UmLJ1pqLyEJNEdxt5jvMkv8D7bDLVZrM8ZC/hAfYxxE";
  EXPECT_TRUE(hasher_.NeedsRehash(argon2i));
  EXPECT_TRUE(hasher_.NeedsRehash(""));
  EXPECT_TRUE(hasher_.NeedsRehash("$2y$10$abcdefghijklmnopqrstuv"));
}

TEST(PasswordHasherTest, RejectsParametersOutsideLibsodiumsLimits) {
  EXPECT_EQ(PasswordHasher({.passes = 0, .memory_bytes = 64 * 1024}).Hash("x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PasswordHasher({.passes = 1, .memory_bytes = 1024}).Hash("x").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ledgerdesk::crypto
