// Given / When / Then: failures of every kind count towards one lockout; an engineer unlocks.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::Engineer;
using testing::HashOfToken;
using E = v1::Envelope;

using LockoutTest = AccountTest;
using UnlockAccountTest = AccountTest;

TEST_F(LockoutTest, WrongPasswordFailedVerificationAndWrongCodeMakeThree) {
  GivenConfirmed("a1", "jan@example.pl");
  s.Given(Decide(s.model,
                 StartTotpEnrollment{.account_id = "a1",
                                     .secret =
                                         [] {
                                           v1::Sealed secret;
                                           secret.set_ciphertext("sealed:secret");
                                           return secret;
                                         }()},
                 s.context));
  s.Given(
      Decide(s.model, ConfirmTotp{.account_id = "a1", .totp = TotpAnswer::Matched(7)}, s.context));
  GivenLoggedIn("jan@example.pl", "s1", TotpAnswer::Matched(8));

  Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  EXPECT_EQ(Account("a1").consecutive_failures, 1u);
  Record(Decide(s.model, VerifyCommand("a1", "K111111", "WRONG"), s.context));
  EXPECT_EQ(Account("a1").consecutive_failures, 2u);
  auto third = Record(
      Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Wrong(), "s2"), s.context));
  ASSERT_EQ(Cases(third.events),
            (std::vector{E::kLoginFailed, E::kAccountLocked, E::kSessionEnded}));
  EXPECT_EQ(third.events[0].login_failed().consecutive_failures(), 3u);
  EXPECT_TRUE(Account("a1").locked);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), s.context.now), nullptr);
}

TEST_F(UnlockAccountTest, AnEngineerUnlocks) {
  GivenConfirmed("a1", "jan@example.pl");
  for (int i = 0; i < 3; ++i) {
    Record(Decide(s.model, LoginCommand("jan@example.pl", false), s.context));
  }
  auto events =
      Decide(s.model, UnlockAccount{.caller = Engineer("eve"), .account_id = "a1"}, s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kAccountUnlocked}));
  EXPECT_EQ((*events)[0].account_unlocked().unlocked_by(), "eve");
  s.Given(*events);
  EXPECT_FALSE(Account("a1").locked);
  EXPECT_EQ(Account("a1").consecutive_failures, 0u);
  Record(Decide(s.model, LoginCommand("jan@example.pl"), s.context), /*expect_accepted=*/true);
}

TEST_F(UnlockAccountTest, OnlyEngineers) {
  GivenVerified("a1", "jan@example.pl");
  for (int i = 0; i < 3; ++i) {
    Record(Decide(s.model, LoginCommand("jan@example.pl", false), s.context));
  }
  auto by_customer =
      Decide(s.model,
             UnlockAccount{.caller = testing::CustomerOf(testing::kNipA, "a2"), .account_id = "a1"},
             s.context);
  EXPECT_EQ(by_customer.status().code(), StatusCode::kPermissionDenied);
  auto by_partner =
      Decide(s.model, UnlockAccount{.caller = testing::PartnerOf("ResellerX"), .account_id = "a1"},
             s.context);
  EXPECT_EQ(by_partner.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Decide(s.model, UnlockAccount{.caller = Engineer(), .account_id = "nobody"}, s.context)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(UnlockAccountTest, AnAccountThatIsNotLockedChangesNothing) {
  GivenConfirmed("a1", "jan@example.pl");
  auto events = Decide(s.model, UnlockAccount{.caller = Engineer(), .account_id = "a1"}, s.context);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

}  // namespace
}  // namespace ledgerdesk::domain
