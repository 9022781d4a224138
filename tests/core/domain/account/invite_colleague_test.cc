// Given / When / Then: an organization's administrator invites a colleague, who is verified into
// the organization by setting a password with the mailed token.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::EmailOf;
using testing::HashOfToken;
using testing::IndexOf;
using testing::kNipA;
using testing::Unsealed;
using E = v1::Envelope;

class InviteColleagueTest : public AccountTest {
 protected:
  InviteColleague InviteCommand(const Caller& caller, const std::string& id,
                                const std::string& email) {
    return {.caller = caller,
            .account_id = id,
            .email = EmailOf(email),
            .email_index = IndexOf(email),
            .name = "Anna Wiśniewska",
            .phone = *values::Phone::Parse("600300400"),
            .token = "invite-" + id,
            .token_hash = HashOfToken("invite-" + id)};
  }
};

TEST_F(InviteColleagueTest, TheAdministratorInvitesAndTheColleagueJoinsBySettingAPassword) {
  GivenVerified("a1", "jan@example.pl");  // the administrator
  auto events = Decide(s.model, InviteCommand(CallerOf(s.model, "a1"), "c1", "anna@example.pl"),
                       s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kColleagueInvited, E::kEmailQueued}));
  const auto& invited = (*events)[0].colleague_invited();
  EXPECT_EQ((*events)[0].stream(), "account-c1");
  EXPECT_EQ(invited.organization_id(), kNipA);
  EXPECT_EQ(invited.invited_by(), "a1");
  EXPECT_EQ(invited.nip(), kNipA);
  EXPECT_EQ(invited.email().key_id(), "key-of-c1");
  EXPECT_EQ(Unsealed(invited.name()), "Anna Wiśniewska");
  const auto& mail = (*events)[1].email_queued();
  EXPECT_EQ(mail.template_(), "invitation");
  EXPECT_EQ(Unsealed(mail.to(0)), "anna@example.pl");
  EXPECT_NE(Unsealed(mail.body()).find("invite-c1"), std::string::npos);
  s.Given(*events);
  EXPECT_FALSE(Account("c1").verified());

  auto joined = Decide(
      s.model, CompletePasswordReset{.token_hash = HashOfToken("invite-c1"), .new_hash = "hash:c"},
      s.context);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  ASSERT_EQ(Cases(*joined),
            (std::vector{E::kPasswordResetCompleted, E::kEmailConfirmed, E::kAccountVerified}));
  EXPECT_FALSE((*joined)[2].account_verified().organization_admin());
  s.Given(*joined);
  EXPECT_EQ(CallerOf(s.model, "c1").organization_id, kNipA);
  EXPECT_EQ(s.model.FindOrganization(kNipA)->admin_account_id, "a1");
  GivenLoggedIn("anna@example.pl");
}

TEST_F(InviteColleagueTest, OnlyTheAdministratorInvites) {
  GivenVerified("a1", "jan@example.pl");
  GivenVerified("a2", "ewa@example.pl");
  GivenConfirmed("a3", "olek@example.pl");  // not verified
  for (const char* caller : {"a2", "a3"}) {
    EXPECT_EQ(Decide(s.model, InviteCommand(CallerOf(s.model, caller), "c1", "anna@example.pl"),
                     s.context, s.sealer)
                  .status()
                  .code(),
              StatusCode::kPermissionDenied)
        << caller;
  }
  EXPECT_EQ(Decide(s.model, InviteCommand(testing::Engineer(), "c1", "anna@example.pl"), s.context,
                   s.sealer)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
}

TEST_F(InviteColleagueTest, AnEmailWithAnAccountIsNotInvited) {
  GivenVerified("a1", "jan@example.pl");
  GivenConfirmed("a2", "ewa@example.pl", testing::kNipB);
  EXPECT_EQ(Decide(s.model, InviteCommand(CallerOf(s.model, "a1"), "c1", "EWA@example.pl"),
                   s.context, s.sealer)
                .status()
                .code(),
            StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace ledgerdesk::domain
