// Given / When / Then: requesting a password reset (always answered alike) and completing it with
// the mailed token (1 h; unlocks; ends every session).

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::HashOfToken;
using testing::IndexOf;
using testing::Unsealed;
using testing::Utc;
using E = v1::Envelope;

class PasswordResetTest : public AccountTest {
 protected:
  RequestPasswordReset RequestCommand(const std::string& email, const std::string& token) {
    return {.email_index = IndexOf(email), .token = token, .token_hash = HashOfToken(token)};
  }
  CompletePasswordReset CompleteCommand(const std::string& token) {
    return {.token_hash = HashOfToken(token), .new_hash = "hash:reset"};
  }
};

TEST_F(PasswordResetTest, AnUnknownEmailRecordsNothingAndSucceeds) {
  auto events = Decide(s.model, RequestCommand("nobody@example.pl", "r1"), s.context, s.sealer);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST_F(PasswordResetTest, MailsAOneHourToken) {
  GivenConfirmed("a1", "jan@example.pl");
  auto events = Decide(s.model, RequestCommand("Jan@example.pl", "r1"), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordResetRequested, E::kEmailQueued}));
  const auto& requested = (*events)[0].password_reset_requested();
  EXPECT_EQ(requested.token_hash(), HashOfToken("r1"));
  EXPECT_EQ(FromTimestamp(requested.expires_at()), Utc("2026-11-23T11:00:00Z"));
  const auto& mail = (*events)[1].email_queued();
  EXPECT_EQ(mail.template_(), "password_reset");
  ASSERT_EQ(mail.to_size(), 1);
  EXPECT_EQ(Unsealed(mail.to(0)), "jan@example.pl");
  EXPECT_NE(Unsealed(mail.body()).find("r1"), std::string::npos);
}

TEST_F(PasswordResetTest, CompletingSetsThePasswordUnlocksAndEndsSessions) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r1"), s.context, s.sealer));
  for (int i = 0; i < 3; ++i) {
    Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  }
  ASSERT_TRUE(Account("a1").locked);

  s.At("2026-11-23T10:59:00Z");
  auto events = Decide(s.model, CompleteCommand("r1"), s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordResetCompleted, E::kAccountUnlocked}));
  EXPECT_EQ((*events)[0].password_reset_completed().password_hash(), "hash:reset");
  EXPECT_TRUE((*events)[1].account_unlocked().unlocked_by().empty());
  s.Given(*events);
  EXPECT_FALSE(Account("a1").locked);
  EXPECT_EQ(Account("a1").password_hash, "hash:reset");
  Record(Decide(s.model, LoginCommand("jan@example.pl", true, {}, "s3"), s.context), true);

  // Used: the token works once.
  EXPECT_EQ(Decide(s.model, CompleteCommand("r1"), s.context).status(),
            InvalidArgument(std::string(kInvalidLinkMessage)));
}

TEST_F(PasswordResetTest, CompletingEndsActiveSessions) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r1"), s.context, s.sealer));
  auto events = Decide(s.model, CompleteCommand("r1"), s.context);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordResetCompleted, E::kSessionEnded}));
  EXPECT_EQ((*events)[1].session_ended().reason(), "password_reset");
}

TEST_F(PasswordResetTest, ATokenExpiresAfterAnHour) {
  GivenConfirmed("a1", "jan@example.pl");
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r1"), s.context, s.sealer));
  s.At("2026-11-23T11:00:00Z");
  EXPECT_EQ(Decide(s.model, CompleteCommand("r1"), s.context).status(),
            InvalidArgument(std::string(kInvalidLinkMessage)));
}

TEST_F(PasswordResetTest, ANewerRequestReplacesTheToken) {
  GivenConfirmed("a1", "jan@example.pl");
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r1"), s.context, s.sealer));
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r2"), s.context, s.sealer));
  EXPECT_FALSE(Decide(s.model, CompleteCommand("r1"), s.context).ok());
  EXPECT_TRUE(Decide(s.model, CompleteCommand("r2"), s.context).ok());
  // Nor does a confirmation token reset a password, or the other way round.
  EXPECT_FALSE(Decide(s.model, CompleteCommand("confirm-a1"), s.context).ok());
}

TEST_F(PasswordResetTest, AResetOfAnUnconfirmedAccountConfirmsIt) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  s.Given(Decide(s.model, RequestCommand("jan@example.pl", "r1"), s.context, s.sealer));
  auto events = Decide(s.model, CompleteCommand("r1"), s.context);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordResetCompleted, E::kEmailConfirmed}));
}

}  // namespace
}  // namespace ledgerdesk::domain
