// Given / When / Then: logging in (password, lockout, unconfirmed accounts) and rehashing the
// password when the hashing parameters rose.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::HashOfToken;
using testing::Utc;
using E = v1::Envelope;

using LoginTest = AccountTest;
using RehashPasswordTest = AccountTest;

TEST_F(LoginTest, TheRightPasswordStartsASession) {
  GivenConfirmed("a1", "jan@example.pl");
  auto decision = Decide(s.model, LoginCommand("JAN@example.pl"), s.context);
  ASSERT_FALSE(decision.refused()) << decision.refusal.ToString();
  ASSERT_EQ(Cases(decision.events), (std::vector{E::kLoginSucceeded, E::kSessionStarted}));
  const auto& started = decision.events[1].session_started();
  EXPECT_EQ(started.account_id(), "a1");
  EXPECT_EQ(started.session_id(), "s1");
  EXPECT_EQ(started.token_hash(), HashOfToken("session-s1"));
  EXPECT_EQ(FromTimestamp(started.expires_at()), Utc("2026-11-23T22:00:00Z"));
  s.Given(decision.events);
  const SessionState* session = s.model.FindSession(HashOfToken("session-s1"), s.context.now);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->account_id, "a1");
}

TEST_F(LoginTest, AnUnknownEmailAndAWrongPasswordGetTheSameAnswer) {
  GivenConfirmed("a1", "jan@example.pl");
  auto unknown = Decide(s.model, LoginCommand("nobody@example.pl"), s.context);
  auto wrong = Decide(s.model, LoginCommand("jan@example.pl", false), s.context);
  EXPECT_EQ(unknown.refusal.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.refusal, wrong.refusal);
  EXPECT_EQ(wrong.refusal.message(), kWrongCredentialsMessage);
  EXPECT_TRUE(unknown.events.empty());  // no account to record it on
  ASSERT_EQ(Cases(wrong.events), (std::vector{E::kLoginFailed}));
  EXPECT_EQ(wrong.events[0].login_failed().reason(), v1::LOGIN_FAILURE_REASON_WRONG_PASSWORD);
  EXPECT_EQ(wrong.events[0].login_failed().consecutive_failures(), 1u);
}

TEST_F(LoginTest, ThreeWrongPasswordsInARowLock) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  auto third = Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  ASSERT_EQ(Cases(third.events),
            (std::vector{E::kLoginFailed, E::kAccountLocked, E::kSessionEnded}));
  EXPECT_EQ(third.events[0].login_failed().consecutive_failures(), 3u);
  EXPECT_EQ(third.events[2].session_ended().reason(), "account_locked");
  EXPECT_EQ(third.refusal.code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(Account("a1").locked);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), s.context.now), nullptr);
  EXPECT_EQ(CallerOf(s.model, "a1").role, v1::ROLE_UNSPECIFIED);
}

TEST_F(LoginTest, ASuccessBreaksTheRow) {
  GivenConfirmed("a1", "jan@example.pl");
  Record(Decide(s.model, LoginCommand("jan@example.pl", false), s.context));
  Record(Decide(s.model, LoginCommand("jan@example.pl", false), s.context));
  GivenLoggedIn("jan@example.pl");
  EXPECT_EQ(Account("a1").consecutive_failures, 0u);
  auto next = Record(Decide(s.model, LoginCommand("jan@example.pl", false, {}, "s2"), s.context));
  EXPECT_EQ(Cases(next.events), (std::vector{E::kLoginFailed}));
  EXPECT_FALSE(Account("a1").locked);
}

TEST_F(LoginTest, ALockedAccountStaysLockedWithTheRightPassword) {
  GivenConfirmed("a1", "jan@example.pl");
  for (int i = 0; i < 3; ++i) {
    Record(Decide(s.model, LoginCommand("jan@example.pl", false), s.context));
  }
  auto right = Decide(s.model, LoginCommand("jan@example.pl", true), s.context);
  EXPECT_EQ(right.refusal.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(RefusalCode(right.refusal), kAccountLockedCode);
  ASSERT_EQ(Cases(right.events), (std::vector{E::kLoginFailed}));
  EXPECT_EQ(right.events[0].login_failed().reason(), v1::LOGIN_FAILURE_REASON_ACCOUNT_LOCKED);
  auto wrong = Decide(s.model, LoginCommand("jan@example.pl", false), s.context);
  EXPECT_EQ(RefusalCode(wrong.refusal), kAccountLockedCode);
}

TEST_F(LoginTest, AnUnconfirmedEmailIsRefusedAfterThePassword) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  auto right = Decide(s.model, LoginCommand("jan@example.pl"), s.context);
  EXPECT_EQ(right.refusal.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(RefusalCode(right.refusal), kEmailNotConfirmedCode);
  ASSERT_EQ(Cases(right.events), (std::vector{E::kLoginFailed}));
  EXPECT_EQ(right.events[0].login_failed().reason(), v1::LOGIN_FAILURE_REASON_NOT_CONFIRMED);
  EXPECT_EQ(right.events[0].login_failed().consecutive_failures(), 0u);
  // A wrong password says nothing about the confirmation.
  auto wrong = Decide(s.model, LoginCommand("jan@example.pl", false), s.context);
  EXPECT_EQ(wrong.refusal.message(), kWrongCredentialsMessage);
}

TEST_F(RehashPasswordTest, StoresTheNewHashAsARehash) {
  GivenConfirmed("a1", "jan@example.pl");
  auto events =
      Decide(s.model, RehashPassword{.account_id = "a1", .new_hash = "hash:v2"}, s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordChanged}));
  EXPECT_TRUE((*events)[0].password_changed().rehash_only());
  s.Given(*events);
  EXPECT_EQ(Account("a1").password_hash, "hash:v2");
  EXPECT_EQ(Decide(s.model, RehashPassword{.account_id = "x", .new_hash = "h"}, s.context)
                .status()
                .code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace ledgerdesk::domain
