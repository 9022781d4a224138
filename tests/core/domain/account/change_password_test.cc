// Given / When / Then: changing the password (needs the current one; ends every session).

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::HashOfToken;
using E = v1::Envelope;

using ChangePasswordTest = AccountTest;

TEST_F(ChangePasswordTest, StoresTheNewHashAndEndsEverySession) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  GivenLoggedIn("jan@example.pl", "s2");
  Record(Decide(s.model, LoginCommand("jan@example.pl", true, {}, "s3"), s.context), true);
  s.Given(Decide(s.model, Logout{.session_id = "s3"}, s.context));

  auto changed = Decide(
      s.model, ChangePassword{.account_id = "a1", .current_matches = true, .new_hash = "hash:new"},
      s.context);
  ASSERT_FALSE(changed.refused()) << changed.refusal.ToString();
  const auto& events = changed.events;
  ASSERT_EQ(Cases(events), (std::vector{E::kPasswordChanged, E::kSessionEnded, E::kSessionEnded}));
  EXPECT_FALSE(events[0].password_changed().rehash_only());
  EXPECT_EQ(events[1].session_ended().reason(), "password_changed");
  s.Given(events);
  EXPECT_EQ(Account("a1").password_hash, "hash:new");
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), s.context.now), nullptr);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s2"), s.context.now), nullptr);
}

// A wrong current password is a guess like a wrong login's: counted, and the third locks the
// account and ends its sessions (a stolen session cannot try passwords without end).
TEST_F(ChangePasswordTest, AWrongCurrentPasswordCountsLikeAFailedLogin) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  const ChangePassword wrong{.account_id = "a1", .current_matches = false, .new_hash = "hash:new"};
  for (uint32_t failures = 1; failures <= 2; ++failures) {
    auto refused = Record(Decide(s.model, wrong, s.context));
    EXPECT_EQ(refused.refusal.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.refusal.message(), kWrongCurrentPasswordMessage);
    ASSERT_EQ(Cases(refused.events), (std::vector{E::kLoginFailed}));
    EXPECT_EQ(Account("a1").consecutive_failures, failures);
  }
  auto third = Record(Decide(s.model, wrong, s.context));
  EXPECT_EQ(Cases(third.events),
            (std::vector{E::kLoginFailed, E::kAccountLocked, E::kSessionEnded}));
  EXPECT_TRUE(Account("a1").locked);
  // Locked: refused whatever the password, the e-mail change too.
  auto locked = Decide(
      s.model, ChangePassword{.account_id = "a1", .current_matches = true, .new_hash = "hash:new"},
      s.context);
  EXPECT_EQ(RefusalCode(locked.refusal), kAccountLockedCode);
  EXPECT_TRUE(locked.events.empty());
}

}  // namespace
}  // namespace ledgerdesk::domain
