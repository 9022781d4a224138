#include "core/crypto/totp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ledgerdesk::crypto {
namespace {

using ::testing::HasSubstr;

// RFC 6238 Appendix B uses this ASCII seed for HMAC-SHA1.
constexpr std::string_view kRfcSeed = "12345678901234567890";

struct Rfc6238Vector {
  int64_t unix_time;
  int64_t step;
  const char* code;
};

// Every SHA-1 row of RFC 6238 Appendix B (8 digits, 30-second steps).
constexpr Rfc6238Vector kRfc6238Sha1[] = {
    {59, 0x1, "94287082"},
    {1111111109, 0x23523EC, "07081804"},
    {1111111111, 0x23523ED, "14050471"},
    {1234567890, 0x273EF07, "89005924"},
    {2000000000, 0x3F940AA, "69279037"},
    {20000000000, 0x27BC86AA, "65353130"},
};

TEST(TotpTest, MatchesEveryRfc6238Sha1Vector) {
  const TotpParams eight_digits{.digits = 8};
  for (const Rfc6238Vector& vector : kRfc6238Sha1) {
    EXPECT_EQ(TotpStep(vector.unix_time, eight_digits), vector.step) << vector.unix_time;
    Result<std::string> code = TotpCode(kRfcSeed, vector.unix_time, eight_digits);
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, vector.code) << vector.unix_time;
  }
}

TEST(TotpTest, VerifiesEveryRfc6238Sha1Vector) {
  const TotpParams eight_digits{.digits = 8};
  for (const Rfc6238Vector& vector : kRfc6238Sha1) {
    Result<int64_t> step =
        VerifyTotp(kRfcSeed, vector.code, vector.unix_time, kNoStepUsed, eight_digits);
    ASSERT_TRUE(step.ok()) << vector.unix_time << ": " << step.status().ToString();
    EXPECT_EQ(*step, vector.step);
  }
}

TEST(TotpTest, MatchesTheRfc4226HotpVectors) {
  constexpr const char* kExpected[] = {"755224", "287082", "359152", "969429", "338314",
                                       "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    Result<std::string> code = Hotp(kRfcSeed, counter, 6);
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(*code, kExpected[counter]) << counter;
  }
}

TEST(TotpTest, DefaultsToSixDigitsAndThirtySeconds) {
  // The last six digits of the 8-digit RFC value: the truncation is the same, modulo 10^6.
  EXPECT_EQ(*TotpCode(kRfcSeed, 59), "287082");
  EXPECT_EQ(*TotpCode(kRfcSeed, 1111111109), "081804");
  EXPECT_EQ(TotpStep(29), 0);
  EXPECT_EQ(TotpStep(30), 1);
}

TEST(TotpTest, AcceptsOneStepEitherSide) {
  const std::string secret(kRfcSeed);  // fixed: no chance of a random collision in the window
  const int64_t now = 1'700'000'000;   // step 56666666, 20 s into it
  const int64_t step = TotpStep(now);
  for (int64_t delta : {-1, 0, 1}) {
    const std::string code = *TotpCode(secret, (step + delta) * 30);
    Result<int64_t> accepted = VerifyTotp(secret, code, now, kNoStepUsed);
    ASSERT_TRUE(accepted.ok()) << delta << ": " << accepted.status().ToString();
    EXPECT_EQ(*accepted, step + delta);
  }
  for (int64_t delta : {-3, -2, 2, 3}) {
    const std::string code = *TotpCode(secret, (step + delta) * 30);
    Result<int64_t> accepted = VerifyTotp(secret, code, now, kNoStepUsed);
    ASSERT_FALSE(accepted.ok()) << delta;
    EXPECT_EQ(accepted.status().code(), StatusCode::kUnauthenticated);
  }
}

TEST(TotpTest, AcceptsACodeOnlyOnce) {
  const std::string secret(kRfcSeed);
  const int64_t now = 1111111111;
  const std::string code = *TotpCode(secret, now);
  Result<int64_t> first = VerifyTotp(secret, code, now, kNoStepUsed);
  ASSERT_TRUE(first.ok());
  Result<int64_t> replay = VerifyTotp(secret, code, now + 5, *first);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(replay.status().message(), HasSubstr("already used"));
  // The next step's code still works, once.
  const std::string next = *TotpCode(secret, now + 30);
  Result<int64_t> second = VerifyTotp(secret, next, now + 30, *first);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first + 1);
  EXPECT_FALSE(VerifyTotp(secret, next, now + 31, *second).ok());
}

TEST(TotpTest, RefusesAnEarlierStepThanTheLastUsed) {
  const std::string secret(kRfcSeed);
  const int64_t now = 1111111111;
  const int64_t step = TotpStep(now);
  // The previous step's code is inside the window but older than the one already used.
  const std::string previous = *TotpCode(secret, now - 30);
  Result<int64_t> result = VerifyTotp(secret, previous, now, step);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
}

TEST(TotpTest, RejectsAWrongCode) {
  const std::string secret(kRfcSeed);
  const int64_t now = 1111111111;
  const std::string right = *TotpCode(secret, now);
  std::string wrong = right;
  wrong[0] = wrong[0] == '9' ? '0' : static_cast<char>(wrong[0] + 1);
  Result<int64_t> result = VerifyTotp(secret, wrong, now, kNoStepUsed);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(result.status().message(), HasSubstr("wrong or has expired"));
  // The right code for another secret is wrong here.
  EXPECT_FALSE(VerifyTotp("another twenty bytes", right, now, kNoStepUsed).ok());
}

TEST(TotpTest, RejectsMalformedCodesAsBadInput) {
  for (const char* code : {"", "12345", "1234567", "12345a", " 123456", "123 456", "١٢٣٤٥٦"}) {
    Result<int64_t> result = VerifyTotp(kRfcSeed, code, 1111111111, kNoStepUsed);
    ASSERT_FALSE(result.ok()) << code;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << code;
    EXPECT_THAT(result.status().message(), HasSubstr("6 digits"));
  }
}

TEST(TotpTest, RejectsBadParametersAndTimes) {
  EXPECT_EQ(TotpCode(kRfcSeed, 59, {.digits = 5}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TotpCode(kRfcSeed, 59, {.digits = 10}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TotpCode(kRfcSeed, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TotpCode("", 59).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTotp(kRfcSeed, "123456", -30, kNoStepUsed).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TotpTest, WorksAtTheStartOfTime) {
  // At step 0 the window's step -1 does not exist and must not break anything.
  const std::string code = *TotpCode(kRfcSeed, 0);
  Result<int64_t> step = VerifyTotp(kRfcSeed, code, 0, kNoStepUsed);
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(*step, 0);
}

TEST(TotpTest, GeneratesTwentyRandomBytes) {
  std::set<std::string> secrets;
  for (int i = 0; i < 50; ++i) {
    const std::string secret = GenerateTotpSecret();
    EXPECT_EQ(secret.size(), 20u);
    secrets.insert(secret);
  }
  EXPECT_EQ(secrets.size(), 50u);
  EXPECT_EQ(Base32Encode(GenerateTotpSecret(), /*pad=*/false).size(), 32u);
}

struct Base32Vector {
  const char* bytes;
  const char* text;
};

// RFC 4648 section 10.
constexpr Base32Vector kRfc4648Base32[] = {
    {"", ""},
    {"f", "MY======"},
    {"fo", "MZXQ===="},
    {"foo", "MZXW6==="},
    {"foob", "MZXW6YQ="},
    {"fooba", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======"},
};

TEST(Base32Test, EncodesTheRfc4648Vectors) {
  for (const Base32Vector& vector : kRfc4648Base32) {
    EXPECT_EQ(Base32Encode(vector.bytes), vector.text) << vector.bytes;
  }
}

TEST(Base32Test, EncodesWithoutPaddingOnRequest) {
  EXPECT_EQ(Base32Encode("f", /*pad=*/false), "MY");
  EXPECT_EQ(Base32Encode("foobar", /*pad=*/false), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode("fooba", /*pad=*/false), "MZXW6YTB");
  EXPECT_EQ(Base32Encode(kRfcSeed, /*pad=*/false), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Base32Test, DecodesTheRfc4648VectorsPaddedOrNot) {
  for (const Base32Vector& vector : kRfc4648Base32) {
    Result<std::string> padded = Base32Decode(vector.text);
    ASSERT_TRUE(padded.ok()) << vector.text << ": " << padded.status().ToString();
    EXPECT_EQ(*padded, vector.bytes);
    const std::string unpadded =
        std::string(vector.text).substr(0, std::string(vector.text).find('='));
    Result<std::string> bare = Base32Decode(unpadded);
    ASSERT_TRUE(bare.ok()) << unpadded;
    EXPECT_EQ(*bare, vector.bytes);
  }
}

TEST(Base32Test, DecodesLowercase) { EXPECT_EQ(*Base32Decode("mzxw6ytboi"), "foobar"); }

TEST(Base32Test, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (size_t size = 0; size <= bytes.size(); size += 7) {
    const std::string part = bytes.substr(0, size);
    EXPECT_EQ(*Base32Decode(Base32Encode(part)), part);
    EXPECT_EQ(*Base32Decode(Base32Encode(part, false)), part);
  }
}

TEST(Base32Test, RejectsBadText) {
  for (const char* text : {"MZXW6YTB1", "MZXW 6YTB", "MZXW6YT8", "M", "MZX", "MZXW6Y",
                           "MY=", "MY======MY======", "MZXW6YTB========", "M=Y=====", "MY=====A"}) {
    Result<std::string> result = Base32Decode(text);
    EXPECT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(OtpauthUriTest, BuildsTheKeyUri) {
  EXPECT_EQ(OtpauthUri(kTotpIssuer, "jan", kRfcSeed),
            "otpauth://totp/ledgerdesk:jan?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=ledgerdesk&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUriTest, PercentEncodesLabelAndIssuer) {
  EXPECT_EQ(OtpauthUri("ACME Sp. z o.o.", "jan.kowalski+x@example.pl", "foobar"),
            "otpauth://totp/ACME%20Sp.%20z%20o.o.:jan.kowalski%2Bx%40example.pl"
            "?secret=MZXW6YTBOI&issuer=ACME%20Sp.%20z%20o.o.&algorithm=SHA1&digits=6&period=30");
  // A colon or '?' in the account cannot break the label apart; UTF-8 is encoded per byte.
  EXPECT_EQ(OtpauthUri("ledgerdesk", "a:b?c&d=ł", "f"),
            "otpauth://totp/ledgerdesk:a%3Ab%3Fc%26d%3D%C5%82?secret=MY&issuer=ledgerdesk"
            "&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUriTest, CarriesNonDefaultParameters) {
  EXPECT_THAT(OtpauthUri("ledgerdesk", "jan", "f", {.digits = 8, .period_seconds = 60}),
              HasSubstr("&digits=8&period=60"));
}

}  // namespace
}  // namespace ledgerdesk::crypto
