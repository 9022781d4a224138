// Given / When / Then: logging out, and which sessions Model::FindSession still answers.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::HashOfToken;
using testing::Utc;
using E = v1::Envelope;

using LogoutTest = AccountTest;

TEST_F(LogoutTest, TheTokenStopsWorking) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");
  GivenLoggedIn("jan@example.pl", "s2");
  auto events = Decide(s.model, Logout{.session_id = "s1"}, s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kSessionEnded}));
  EXPECT_EQ((*events)[0].stream(), "account-a1");
  EXPECT_EQ((*events)[0].session_ended().reason(), "logout");
  s.Given(*events);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), s.context.now), nullptr);
  EXPECT_NE(s.model.FindSession(HashOfToken("session-s2"), s.context.now), nullptr);
  // Again: nothing to do.
  auto again = Decide(s.model, Logout{.session_id = "s1"}, s.context);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(LogoutTest, ASessionExpires) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenLoggedIn("jan@example.pl", "s1");  // for 12 hours
  EXPECT_NE(s.model.FindSession(HashOfToken("session-s1"), Utc("2026-11-23T21:59:59Z")), nullptr);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-s1"), Utc("2026-11-23T22:00:00Z")), nullptr);
  EXPECT_EQ(s.model.FindSession(HashOfToken("session-unknown"), s.context.now), nullptr);
}

}  // namespace
}  // namespace ledgerdesk::domain
