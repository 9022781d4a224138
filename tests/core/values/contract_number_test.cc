#include "core/values/contract_number.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ledgerdesk::values {
namespace {

using ::testing::HasSubstr;

TEST(ContractNumberTest, AcceptsOneUppercaseLetterAndSixDigits) {
  for (const char* text : {"K123456", "A000000", "Z999999"}) {
    Result<ContractNumber> number = ContractNumber::Parse(text);
    ASSERT_TRUE(number.ok()) << text << ": " << number.status().ToString();
    EXPECT_EQ(number->value(), text);
    EXPECT_EQ(number->ToString(), text);
  }
}

TEST(ContractNumberTest, RejectsEverythingElseNamingTheField) {
  for (const char* text : {"k123456", "K12345", "K1234567", "KK12345", "1234567", "K12345A",
                           " K123456", "K123456 ", "K-123456", "Ą123456", "K１２３４５６"}) {
    Result<ContractNumber> number = ContractNumber::Parse(text);
    ASSERT_FALSE(number.ok()) << text;
    EXPECT_EQ(number.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(number.status().message(), HasSubstr("contract number"));
    EXPECT_THAT(number.status().message(), HasSubstr("K123456"));
  }
}

TEST(ContractNumberTest, RejectsEmptyAsRequired) {
  Result<ContractNumber> number = ContractNumber::Parse("");
  ASSERT_FALSE(number.ok());
  EXPECT_THAT(number.status().message(), HasSubstr("required"));
}

TEST(ContractNumberTest, FromLegacyTrimsAndUpperCases) {
  for (const char* text : {"k123456", " K123456", "K123456\t", "  k123456 \r\n"}) {
    Result<ContractNumber> number = ContractNumber::FromLegacy(text);
    ASSERT_TRUE(number.ok()) << text << ": " << number.status().ToString();
    EXPECT_EQ(number->value(), "K123456");
  }
}

TEST(ContractNumberTest, FromLegacyStillRejectsAWrongShape) {
  for (const char* text : {"", "   ", "k12345", "K 123456", "K-123456", "kk123456"}) {
    Result<ContractNumber> number = ContractNumber::FromLegacy(text);
    ASSERT_FALSE(number.ok()) << text;
    EXPECT_EQ(number.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ContractNumberTest, ComparesByText) {
  EXPECT_EQ(*ContractNumber::Parse("K123456"), *ContractNumber::FromLegacy("k123456"));
  EXPECT_LT(*ContractNumber::Parse("A123456"), *ContractNumber::Parse("K123456"));
}

}  // namespace
}  // namespace ledgerdesk::values
