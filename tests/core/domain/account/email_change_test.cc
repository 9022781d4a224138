// Given / When / Then: changing the login address (takes effect once the new address confirms).

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::EmailOf;
using testing::HashOfToken;
using testing::IndexOf;
using testing::Unsealed;
using E = v1::Envelope;

using EmailChangeTest = AccountTest;

RequestEmailChange ChangeTo(const std::string& email, bool current_matches = true) {
  return {.account_id = "a1",
          .current_matches = current_matches,
          .new_email = EmailOf(email),
          .new_email_index = IndexOf(email),
          .token = "change-token",
          .token_hash = HashOfToken("change-token")};
}

TEST_F(EmailChangeTest, TheNewAddressGetsALinkAndTakesOverWhenItIsOpened) {
  GivenConfirmed("a1", "jan@example.pl");
  auto requested =
      Record(Decide(s.model, ChangeTo("jan.nowy@example.pl"), s.context, s.sealer), true);
  ASSERT_EQ(Cases(requested.events), (std::vector{E::kEmailChangeRequested, E::kEmailQueued}));
  EXPECT_EQ(Unsealed(requested.events[1].email_queued().to(0)), "jan.nowy@example.pl");
  EXPECT_NE(Unsealed(requested.events[1].email_queued().body()).find("change-token"),
            std::string::npos);
  // Until confirmed, the old address still logs in.
  EXPECT_NE(s.model.FindAccountByEmailIndex(IndexOf("jan@example.pl")), nullptr);
  EXPECT_EQ(s.model.FindAccountByEmailIndex(IndexOf("jan.nowy@example.pl")), nullptr);

  auto confirmed =
      Decide(s.model, ConfirmEmailChange{.token_hash = HashOfToken("change-token")}, s.context);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  ASSERT_EQ(Cases(*confirmed), (std::vector{E::kEmailChanged}));
  s.Given(*confirmed);
  EXPECT_EQ(s.model.FindAccountByEmailIndex(IndexOf("jan@example.pl")), nullptr);
  ASSERT_NE(s.model.FindAccountByEmailIndex(IndexOf("jan.nowy@example.pl")), nullptr);
  EXPECT_EQ(Unsealed(Account("a1").email), "jan.nowy@example.pl");
  // The link works once.
  EXPECT_EQ(
      Decide(s.model, ConfirmEmailChange{.token_hash = HashOfToken("change-token")}, s.context)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(EmailChangeTest, NeedsTheCurrentPasswordAndAFreeAddress) {
  GivenConfirmed("a1", "jan@example.pl");
  GivenConfirmed("a2", "ola@example.pl");
  // A wrong current password counts like a failed login (ChangePasswordTest has the lockout).
  auto wrong = Record(Decide(s.model, ChangeTo("x@example.pl", false), s.context, s.sealer));
  EXPECT_EQ(wrong.refusal.message(), kWrongCurrentPasswordMessage);
  EXPECT_EQ(Cases(wrong.events), (std::vector{E::kLoginFailed}));
  EXPECT_EQ(Account("a1").consecutive_failures, 1u);
  auto taken = Decide(s.model, ChangeTo("ola@example.pl"), s.context, s.sealer);
  EXPECT_EQ(taken.refusal.code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(taken.events.empty());
}

TEST_F(EmailChangeTest, TheLinkExpiresAfter48Hours) {
  GivenConfirmed("a1", "jan@example.pl");
  Record(Decide(s.model, ChangeTo("jan.nowy@example.pl"), s.context, s.sealer), true);
  s.context.now += kConfirmationValidity;
  EXPECT_EQ(
      Decide(s.model, ConfirmEmailChange{.token_hash = HashOfToken("change-token")}, s.context)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
}

TEST_F(EmailChangeTest, AnAddressTakenMeanwhileIsNotStolen) {
  GivenConfirmed("a1", "jan@example.pl");
  Record(Decide(s.model, ChangeTo("nowy@example.pl"), s.context, s.sealer), true);
  GivenConfirmed("a2", "nowy@example.pl");
  EXPECT_EQ(
      Decide(s.model, ConfirmEmailChange{.token_hash = HashOfToken("change-token")}, s.context)
          .status()
          .code(),
      StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace ledgerdesk::domain
