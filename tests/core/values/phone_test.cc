#include "core/values/phone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ledgerdesk::values {
namespace {

using ::testing::HasSubstr;

TEST(PhoneTest, AcceptsNineDigits) {
  for (const char* text : {"600100200", "221234567", "123456789", "001234567", "000000000"}) {
    Result<Phone> phone = Phone::Parse(text);
    ASSERT_TRUE(phone.ok()) << text << ": " << phone.status().ToString();
    EXPECT_EQ(phone->value(), text);
    EXPECT_EQ(phone->ToString(), text);
  }
}

TEST(PhoneTest, RejectsACountryCodeSayingSo) {
  for (const char* text :
       {"+48600100200", "+48 600 100 200", "0048600100200", "48600100200", "+1 555 0100"}) {
    Result<Phone> phone = Phone::Parse(text);
    ASSERT_FALSE(phone.ok()) << text;
    EXPECT_EQ(phone.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(phone.status().message(), HasSubstr("country code"));
    EXPECT_THAT(phone.status().message(), HasSubstr("nine digits without the +48"));
  }
}

TEST(PhoneTest, RejectsSeparators) {
  for (const char* text :
       {"600 100 200", "600-100-200", "(22) 1234567", "600.100.200", " 600100200", "600100200\n"}) {
    Result<Phone> phone = Phone::Parse(text);
    ASSERT_FALSE(phone.ok()) << text;
    EXPECT_EQ(phone.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(phone.status().message(), HasSubstr("spaces or separators"));
    EXPECT_THAT(phone.status().message(), HasSubstr("600100200"));
  }
}

TEST(PhoneTest, RejectsTheWrongNumberOfDigits) {
  for (const char* text : {"60010020", "6001002001", "6", "60010020000"}) {
    Result<Phone> phone = Phone::Parse(text);
    ASSERT_FALSE(phone.ok()) << text;
    EXPECT_EQ(phone.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(phone.status().message(), HasSubstr("exactly nine digits"));
  }
}

TEST(PhoneTest, RejectsLetters) {
  Result<Phone> phone = Phone::Parse("60010020O");
  ASSERT_FALSE(phone.ok());
  EXPECT_THAT(phone.status().message(), HasSubstr("only digits"));
}

TEST(PhoneTest, RejectsEmptyAsRequired) {
  Result<Phone> phone = Phone::Parse("");
  ASSERT_FALSE(phone.ok());
  EXPECT_THAT(phone.status().message(), HasSubstr("phone is required"));
}

}  // namespace
}  // namespace ledgerdesk::values
