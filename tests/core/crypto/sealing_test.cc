#include "core/crypto/sealing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/core/crypto/test_hex.h"

namespace ledgerdesk::crypto {
namespace {

SubjectKey KeyFromHex(std::string key_id, std::string_view hex) {
  Result<SealKey> key = SealKey::FromBytes(FromHex(hex));
  EXPECT_TRUE(key.ok());
  return {.key_id = std::move(key_id), .key = *key};
}

SubjectKey RandomKey(std::string key_id = "0123456789abcdef0123456789abcdef") {
  return {.key_id = std::move(key_id), .key = SealKey::Generate()};
}

TEST(SealingTest, RoundTrips) {
  const SubjectKey key = RandomKey();
  for (const std::string& plaintext :
       {std::string(""), std::string("Jan Kowalski"), std::string("jan@example.pl"),
        std::string(100'000, 'x'), std::string("a\0b", 3)}) {
    Result<SealedValue> sealed = Seal(key, plaintext, "account/a1/name");
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_EQ(sealed->key_id, key.key_id);
    EXPECT_EQ(sealed->nonce.size(), kSealNonceBytes);
    EXPECT_EQ(sealed->ciphertext.size(), plaintext.size() + kSealTagBytes);
    Result<std::string> opened = Open(key, *sealed, "account/a1/name");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SealingTest, HidesThePlaintextAndUsesAFreshNonceEachTime) {
  const SubjectKey key = RandomKey();
  const SealedValue first = *Seal(key, "jan.kowalski@example.pl", "");
  const SealedValue second = *Seal(key, "jan.kowalski@example.pl", "");
  EXPECT_NE(first.nonce, second.nonce);
  EXPECT_NE(first.ciphertext, second.ciphertext);
  EXPECT_EQ(first.ciphertext.find("kowalski"), std::string::npos);
}

// The GCM specification's test case 16 (AES-256, 96-bit IV, with associated data).
constexpr std::string_view kGcmKey =
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr std::string_view kGcmNonce = "cafebabefacedbaddecaf888";
constexpr std::string_view kGcmPlaintext =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
    "b525b16aedf5aa0de657ba637b39";
constexpr std::string_view kGcmAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
constexpr std::string_view kGcmCiphertextAndTag =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
    "828838c5f61e6393ba7a0abcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(SealingTest, OpensTheGcmSpecificationVector) {
  const SubjectKey key = KeyFromHex("k1", kGcmKey);
  const SealedValue sealed{
      .key_id = "k1", .nonce = FromHex(kGcmNonce), .ciphertext = FromHex(kGcmCiphertextAndTag)};
  Result<std::string> opened = Open(key, sealed, FromHex(kGcmAad));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(ToHex(*opened), kGcmPlaintext);
}

TEST(SealingTest, DetectsTampering) {
  const SubjectKey key = RandomKey();
  const SealedValue sealed = *Seal(key, "600100200", "account/a1/phone");
  for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    SealedValue altered = sealed;
    altered.ciphertext[i] = static_cast<char>(altered.ciphertext[i] ^ 0x01);
    Result<std::string> opened = Open(key, altered, "account/a1/phone");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
  }
  SealedValue other_nonce = sealed;
  other_nonce.nonce[0] = static_cast<char>(other_nonce.nonce[0] ^ 0x80);
  EXPECT_EQ(Open(key, other_nonce, "account/a1/phone").status().code(), StatusCode::kDataLoss);
}

TEST(SealingTest, BindsTheAssociatedData) {
  const SubjectKey key = RandomKey();
  const SealedValue sealed = *Seal(key, "600100200", "account/a1/phone");
  EXPECT_EQ(Open(key, sealed, "account/a2/phone").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Open(key, sealed, "").status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Open(key, sealed, "account/a1/phone").ok());
}

TEST(SealingTest, FailsWithAnotherKeyOfTheSameId) {
  const SubjectKey key = RandomKey();
  const SubjectKey impostor = RandomKey(key.key_id);
  const SealedValue sealed = *Seal(key, "Jan", "");
  EXPECT_EQ(Open(impostor, sealed, "").status().code(), StatusCode::kDataLoss);
}

TEST(SealingTest, RefusesAKeyWithAnotherId) {
  const SubjectKey key = RandomKey("00000000000000000000000000000001");
  const SubjectKey other = RandomKey("00000000000000000000000000000002");
  const SealedValue sealed = *Seal(key, "Jan", "");
  EXPECT_EQ(Open(other, sealed, "").status().code(), StatusCode::kInvalidArgument);
}

TEST(SealingTest, RejectsMalformedValuesAsDataLoss) {
  const SubjectKey key = RandomKey();
  const SealedValue sealed = *Seal(key, "Jan", "");
  SealedValue short_nonce = sealed;
  short_nonce.nonce.pop_back();
  EXPECT_EQ(Open(key, short_nonce, "").status().code(), StatusCode::kDataLoss);
  SealedValue no_tag = sealed;
  no_tag.ciphertext.resize(kSealTagBytes - 1);
  EXPECT_EQ(Open(key, no_tag, "").status().code(), StatusCode::kDataLoss);
  SealedValue truncated = sealed;
  truncated.ciphertext.pop_back();
  EXPECT_EQ(Open(key, truncated, "").status().code(), StatusCode::kDataLoss);
}

TEST(SealingTest, KeysMustBe32Bytes) {
  EXPECT_EQ(SealKey::FromBytes(std::string(31, 'k')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SealKey::FromBytes(std::string(33, 'k')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SealKey::FromBytes(std::string(32, 'k'))->bytes(), std::string(32, 'k'));
  EXPECT_NE(SealKey::Generate().bytes(), SealKey::Generate().bytes());
}

TEST(SealingTest, ConvertsToAndFromTheProtoMessage) {
  const SubjectKey key = RandomKey();
  const SealedValue sealed = *Seal(key, "jan@example.pl", "x");
  const v1::Sealed proto = ToProto(sealed);
  EXPECT_EQ(proto.key_id(), sealed.key_id);
  EXPECT_EQ(proto.nonce(), sealed.nonce);
  EXPECT_EQ(proto.ciphertext(), sealed.ciphertext);
  v1::Sealed reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(proto.SerializeAsString()));
  EXPECT_EQ(FromProto(reparsed), sealed);
  EXPECT_EQ(*Open(key, FromProto(reparsed), "x"), "jan@example.pl");
}

}  // namespace
}  // namespace ledgerdesk::crypto
