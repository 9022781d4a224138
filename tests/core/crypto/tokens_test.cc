#include "core/crypto/tokens.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/core/crypto/test_hex.h"

namespace ledgerdesk::crypto {
namespace {

TEST(TokensTest, GeneratesUrlSafeTextOf256Bits) {
  const std::string token = GenerateToken();
  EXPECT_EQ(token.size(), kTokenTextLength);
  EXPECT_TRUE(ValidateTokenText(token).ok());
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  Result<std::string> bytes = Base64UrlDecode(token);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), kTokenBytes);
}

TEST(TokensTest, GeneratesDistinctTokens) {
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.insert(GenerateToken());
  EXPECT_EQ(tokens.size(), 1000u);
}

TEST(TokensTest, HashesWithSha256) {
  EXPECT_EQ(ToHex(HashToken("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(HashToken("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string token = GenerateToken();
  EXPECT_EQ(HashToken(token).size(), 32u);
  EXPECT_EQ(HashToken(token), HashToken(token));
  EXPECT_NE(HashToken(token), HashToken(GenerateToken()));
}

TEST(TokensTest, ValidatesTokenText) {
  std::string token = GenerateToken();
  EXPECT_TRUE(ValidateTokenText(token).ok());
  EXPECT_EQ(ValidateTokenText(token.substr(1)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTokenText(token + "A").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTokenText("").code(), StatusCode::kInvalidArgument);
  token[5] = '+';  // standard base64, not base64url
  EXPECT_EQ(ValidateTokenText(token).code(), StatusCode::kInvalidArgument);
  token[5] = '=';
  EXPECT_EQ(ValidateTokenText(token).code(), StatusCode::kInvalidArgument);
}

TEST(TokensTest, ComparesInConstantTime) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Base64UrlTest, EncodesTheRfc4648VectorsWithoutPadding) {
  // RFC 4648 section 10, padding removed (base64url differs only in '+' and '/').
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode(FromHex("fbff")), "-_8");
}

TEST(Base64UrlTest, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (size_t size = 0; size <= bytes.size(); ++size) {
    const std::string part = bytes.substr(0, size);
    Result<std::string> decoded = Base64UrlDecode(Base64UrlEncode(part));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, part);
  }
}

TEST(Base64UrlTest, RejectsBadText) {
  for (const char* text : {"Z", "Zm9vY", "Zm9v+", "Zm9v/", "Zm8=", "Zm 9v"}) {
    EXPECT_EQ(Base64UrlDecode(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace ledgerdesk::crypto
