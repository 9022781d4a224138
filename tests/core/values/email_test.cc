#include "core/values/email.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ledgerdesk::values {
namespace {

using ::testing::HasSubstr;

void ExpectRejected(std::string_view text, std::string_view why) {
  Result<Email> email = Email::Parse(text);
  ASSERT_FALSE(email.ok()) << text;
  EXPECT_EQ(email.status().code(), StatusCode::kInvalidArgument) << text;
  EXPECT_THAT(email.status().message(), HasSubstr("e-mail")) << text;
  EXPECT_THAT(email.status().message(), HasSubstr(std::string(why))) << text;
}

TEST(EmailTest, AcceptsOrdinaryAddresses) {
  for (const char* text :
       {"jan@example.pl", "jan.kowalski@example.com.pl", "j+tickets@mail.example.org",
        "o'brien@example.ie", "x@a-b.example", "1@2.pl", "a!#$%&'*+/=?^_`{|}~-z@example.com"}) {
    Result<Email> email = Email::Parse(text);
    ASSERT_TRUE(email.ok()) << text << ": " << email.status().ToString();
    EXPECT_EQ(email->value(), text);
    EXPECT_EQ(email->ToString(), text);
  }
}

TEST(EmailTest, LowerCasesTheDomainOnly) {
  Result<Email> email = Email::Parse("Jan.Kowalski@Example.PL");
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(email->value(), "Jan.Kowalski@example.pl");
  EXPECT_EQ(email->local_part(), "Jan.Kowalski");
  EXPECT_EQ(email->domain(), "example.pl");
}

TEST(EmailTest, LookupKeyLowerCasesEverything) {
  EXPECT_EQ(Email::Parse("Jan.Kowalski@Example.PL")->LookupKey(), "jan.kowalski@example.pl");
  EXPECT_EQ(Email::Parse("jan.kowalski@example.pl")->LookupKey(),
            Email::Parse("JAN.KOWALSKI@EXAMPLE.PL")->LookupKey());
  // No provider-specific folding: dots and tags make different addresses.
  EXPECT_NE(Email::Parse("jan.kowalski@example.pl")->LookupKey(),
            Email::Parse("jankowalski@example.pl")->LookupKey());
  EXPECT_NE(Email::Parse("jan+x@example.pl")->LookupKey(),
            Email::Parse("jan@example.pl")->LookupKey());
}

TEST(EmailTest, RejectsEmptyAsRequired) { ExpectRejected("", "required"); }

TEST(EmailTest, RejectsMissingOrRepeatedAt) {
  ExpectRejected("jan.example.pl", "must contain an @");
  ExpectRejected("jan@@example.pl", "only one @");
  ExpectRejected("jan@kowalski@example.pl", "only one @");
  ExpectRejected("\"jan@k\"@example.pl", "only one @");  // quoted local parts: not supported
}

TEST(EmailTest, RejectsSpacesAndControlCharacters) {
  ExpectRejected(" jan@example.pl", "spaces");
  ExpectRejected("jan@example.pl ", "spaces");
  ExpectRejected("jan kowalski@example.pl", "spaces");
  ExpectRejected("jan@example.pl\n", "spaces");
  ExpectRejected(std::string("jan\x01@example.pl"), "control characters");
  ExpectRejected(std::string("jan\x7F@example.pl"), "control characters");
  ExpectRejected(std::string("jan\0@example.pl", 15), "control characters");
}

TEST(EmailTest, RejectsNonAscii) {
  ExpectRejected("łukasz@example.pl", "ASCII");
  ExpectRejected("jan@przykład.pl", "ASCII");
}

TEST(EmailTest, ChecksTheLocalPart) {
  ExpectRejected("@example.pl", "name before the @");
  ExpectRejected(std::string(65, 'a') + "@example.pl", "too long a name");
  ExpectRejected(".jan@example.pl", "dot");
  ExpectRejected("jan.@example.pl", "dot");
  ExpectRejected("jan..kowalski@example.pl", "dot");
  ExpectRejected("jan(x)@example.pl", "not allowed before the @");
  ExpectRejected("jan,k@example.pl", "not allowed before the @");
  ExpectRejected("jan<k>@example.pl", "not allowed before the @");
  EXPECT_TRUE(Email::Parse(std::string(64, 'a') + "@example.pl").ok());
}

TEST(EmailTest, ChecksTheDomain) {
  ExpectRejected("jan@", "domain after the @");
  ExpectRejected("jan@localhost", "domain with a dot");
  ExpectRejected("jan@example..pl", "empty part");
  ExpectRejected("jan@.example.pl", "empty part");
  ExpectRejected("jan@example.pl.", "empty part");
  ExpectRejected("jan@exa_mple.pl", "letters, digits and hyphens");
  ExpectRejected("jan@[192.0.2.1]", "letters, digits and hyphens");
  ExpectRejected("jan@-example.pl", "hyphen");
  ExpectRejected("jan@example-.pl", "hyphen");
  ExpectRejected("jan@" + std::string(64, 'a') + ".pl", "too long a part");
  EXPECT_TRUE(Email::Parse("jan@" + std::string(63, 'a') + ".pl").ok());
  EXPECT_TRUE(Email::Parse("jan@xn--przykad-yjb.pl").ok());  // punycode is plain ASCII
}

TEST(EmailTest, LimitsTheTotalLength) {
  // 64 + 1 + 189 = 254 characters: the longest accepted.
  const std::string local(64, 'a');
  const std::string domain =
      std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(58, 'd') + ".pl";
  ASSERT_EQ(local.size() + 1 + domain.size(), 254u);
  EXPECT_TRUE(Email::Parse(local + "@" + domain).ok());
  ExpectRejected(local + "@e" + domain, "too long");
}

TEST(EmailTest, ComparesNormalizedAddresses) {
  EXPECT_EQ(*Email::Parse("jan@EXAMPLE.pl"), *Email::Parse("jan@example.PL"));
  EXPECT_NE(*Email::Parse("Jan@example.pl"), *Email::Parse("jan@example.pl"));
}

}  // namespace
}  // namespace ledgerdesk::values
