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

  auto events = Decide(
      s.model, ChangePassword{.account_id = "a1", .current_matches = true, .new_hash = "hash:new"},
      s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kPasswordChanged, E::kSessionEnded, E::kSessionEnded}));
  EXPECT_FALSE((*events)[0].password_changed().rehash_only());
  EXPECT_EQ((*events)[1].session_ended().reason(), "password_changed");
  s.Given(*events);
  EXPECT_EQ(Account("a1").password_hash, "hash:new");
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), s.context.now), nullptr);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s2"), s.context.now), nullptr);
}

TEST_F(ChangePasswordTest, TheCurrentPasswordMustMatch) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  auto refused = Decide(
      s.model, ChangePassword{.account_id = "a1", .current_matches = false, .new_hash = "hash:new"},
      s.context);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace ledgerdesk::domain
