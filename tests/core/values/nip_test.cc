#include "core/values/nip.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ledgerdesk::values {
namespace {

using ::testing::HasSubstr;

TEST(NipTest, AcceptsTenDigitsWithAValidCheckDigit) {
  for (const char* text : {"5260250274", "7740001454", "1234563218"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_TRUE(nip.ok()) << text << ": " << nip.status().ToString();
    EXPECT_EQ(nip->value(), text);
    EXPECT_EQ(nip->ToString(), text);
  }
}

TEST(NipTest, StripsThePlPrefixInAnyLetterCase) {
  for (const char* text : {"PL5260250274", "pl5260250274", "Pl5260250274", "pL5260250274"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_TRUE(nip.ok()) << text << ": " << nip.status().ToString();
    EXPECT_EQ(nip->value(), "5260250274");
  }
  EXPECT_EQ(*Nip::Parse("PL5260250274"), *Nip::Parse("5260250274"));
}

TEST(NipTest, RejectsDashesAndSpacesSayingHowToTypeIt) {
  for (const char* text : {"526-025-02-74", "526-02-50-274", "526 025 02 74", "PL 5260250274",
                           " 5260250274", "5260250274 ", "5260250274\n", "526\t0250274"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_FALSE(nip.ok()) << text;
    EXPECT_EQ(nip.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(nip.status().message(), HasSubstr("NIP"));
    EXPECT_THAT(nip.status().message(), HasSubstr("without dashes or spaces"));
    EXPECT_THAT(nip.status().message(), HasSubstr("5260250274"));  // the example
  }
}

TEST(NipTest, RejectsAWrongCheckDigit) {
  for (const char* text : {"5260250275", "5260250270", "1234567890", "7740001455"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_FALSE(nip.ok()) << text;
    EXPECT_EQ(nip.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(nip.status().message(), HasSubstr("check digit"));
  }
}

TEST(NipTest, RejectsARemainderOfTenWhateverTheLastDigit) {
  // 9 * 6 = 54 = 4 * 11 + 10: no check digit can match.
  for (char last = '0'; last <= '9'; ++last) {
    const std::string text = std::string("900000000") + last;
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_FALSE(nip.ok()) << text;
    EXPECT_THAT(nip.status().message(), HasSubstr("check digit"));
  }
}

TEST(NipTest, AcceptsOnlyTheOneCorrectCheckDigit) {
  int accepted = 0;
  for (char last = '0'; last <= '9'; ++last) {
    if (Nip::Parse(std::string("526025027") + last).ok()) ++accepted;
  }
  EXPECT_EQ(accepted, 1);
}

TEST(NipTest, RejectsTheWrongNumberOfDigits) {
  for (const char* text : {"526025027", "52602502740", "1", "PL526025027"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_FALSE(nip.ok()) << text;
    EXPECT_EQ(nip.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(nip.status().message(), HasSubstr("10 digits"));
  }
}

TEST(NipTest, RejectsLettersAndOtherCharacters) {
  for (const char* text : {"526025027A", "DE5260250274", "PL", "5260250274PL", "526.025.02.74",
                           "５２６０２５０２７４", "526/0250274"}) {
    Result<Nip> nip = Nip::Parse(text);
    ASSERT_FALSE(nip.ok()) << text;
    EXPECT_EQ(nip.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(nip.status().message(), HasSubstr("NIP"));
  }
}

TEST(NipTest, RejectsEmptyAsRequired) {
  Result<Nip> nip = Nip::Parse("");
  ASSERT_FALSE(nip.ok());
  EXPECT_EQ(nip.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(nip.status().message(), HasSubstr("required"));
}

TEST(NipTest, ComparesByDigits) {
  EXPECT_EQ(*Nip::Parse("5260250274"), *Nip::Parse("pl5260250274"));
  EXPECT_NE(*Nip::Parse("5260250274"), *Nip::Parse("7740001454"));
  EXPECT_LT(*Nip::Parse("5260250274"), *Nip::Parse("7740001454"));
}

}  // namespace
}  // namespace ledgerdesk::values
