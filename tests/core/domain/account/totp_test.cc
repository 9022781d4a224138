// Given / When / Then: two-factor set-up (start, confirm) and logging in with a TOTP code.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using E = v1::Envelope;

class TotpEnrollmentTest : public AccountTest {
 protected:
  StartTotpEnrollment StartCommand() {
    v1::Sealed secret;
    secret.set_key_id("key-of-a1");
    secret.set_ciphertext("sealed:secret");
    return {.account_id = "a1", .secret = secret};
  }

  // Registers a1 (unless it is) and turns two-factor on at step 1000.
  void GivenTotpOn() {
    if (s.model.FindAccount("a1") == nullptr) GivenConfirmed("a1", "jan@example.pl");
    s.Given(Decide(s.model, StartCommand(), s.context));
    s.Given(Decide(s.model, ConfirmTotp{.account_id = "a1", .totp = TotpAnswer::Matched(1000)},
                   s.context));
  }
};

using TotpLoginTest = TotpEnrollmentTest;

TEST_F(TotpEnrollmentTest, StartThenConfirmWithACode) {
  GivenConfirmed("a1", "jan@example.pl");
  auto started = Decide(s.model, StartCommand(), s.context);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  ASSERT_EQ(Cases(*started), (std::vector{E::kTotpEnrollmentStarted}));
  EXPECT_EQ((*started)[0].totp_enrollment_started().secret().ciphertext(), "sealed:secret");
  s.Given(*started);
  EXPECT_FALSE(Account("a1").totp_enabled());
  ASSERT_TRUE(Account("a1").pending_totp_secret.has_value());

  auto wrong =
      Decide(s.model, ConfirmTotp{.account_id = "a1", .totp = TotpAnswer::Wrong()}, s.context);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);

  auto confirmed = Decide(
      s.model, ConfirmTotp{.account_id = "a1", .totp = TotpAnswer::Matched(1000)}, s.context);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  ASSERT_EQ(Cases(*confirmed), (std::vector{E::kTotpEnabled}));
  EXPECT_EQ((*confirmed)[0].totp_enabled().last_used_step(), 1000);
  s.Given(*confirmed);
  EXPECT_TRUE(Account("a1").totp_enabled());
  EXPECT_EQ(Account("a1").totp_last_used_step, 1000);
}

TEST_F(TotpEnrollmentTest, ConfirmingNeedsAStartAndHappensOnce) {
  GivenConfirmed("a1", "jan@example.pl");
  EXPECT_EQ(
      Decide(s.model, ConfirmTotp{.account_id = "a1", .totp = TotpAnswer::Matched(1)}, s.context)
          .status()
          .code(),
      StatusCode::kFailedPrecondition);
  GivenTotpOn();
  EXPECT_EQ(Decide(s.model, StartCommand(), s.context).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(TotpLoginTest, NoCodeIsRefusedWithoutCountingAFailure) {
  GivenTotpOn();
  auto decision = Decide(s.model, LoginCommand("jan@example.pl"), s.context);
  EXPECT_EQ(decision.refusal.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(RefusalCode(decision.refusal), kTotpRequiredCode);
  EXPECT_TRUE(decision.events.empty());
}

TEST_F(TotpLoginTest, ACodeIsAcceptedOnce) {
  GivenTotpOn();  // step 1000 was used to confirm
  auto replay_of_confirm =
      Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Matched(1000)), s.context);
  EXPECT_EQ(replay_of_confirm.refusal.code(), StatusCode::kUnauthenticated);

  auto login =
      Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Matched(1001)), s.context);
  ASSERT_FALSE(login.refused()) << login.refusal.ToString();
  ASSERT_EQ(Cases(login.events),
            (std::vector{E::kTotpCodeUsed, E::kLoginSucceeded, E::kSessionStarted}));
  EXPECT_EQ(login.events[0].totp_code_used().step(), 1001);
  s.Given(login.events);

  auto replay = Record(Decide(
      s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Matched(1001), "s2"), s.context));
  EXPECT_EQ(replay.refusal.code(), StatusCode::kUnauthenticated);
  ASSERT_EQ(Cases(replay.events), (std::vector{E::kLoginFailed}));
  EXPECT_EQ(replay.events[0].login_failed().reason(), v1::LOGIN_FAILURE_REASON_WRONG_TOTP);
  EXPECT_EQ(s.model.FindSessionById("s2"), nullptr);
}

TEST_F(TotpLoginTest, ThreeWrongCodesLock) {
  GivenTotpOn();
  for (int i = 0; i < 2; ++i) {
    Record(Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Wrong()), s.context));
  }
  auto third =
      Record(Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Wrong()), s.context));
  EXPECT_EQ(Cases(third.events), (std::vector{E::kLoginFailed, E::kAccountLocked}));
  EXPECT_TRUE(Account("a1").locked);
  auto right =
      Decide(s.model, LoginCommand("jan@example.pl", true, TotpAnswer::Matched(1005)), s.context);
  EXPECT_EQ(RefusalCode(right.refusal), kAccountLockedCode);
}

}  // namespace
}  // namespace ledgerdesk::domain
