// Given / When / Then: an operator creates engineer and partner accounts, whose first password is
// set with the given token through CompletePasswordReset.

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

class StaffAccountTest : public AccountTest {
 protected:
  void SetUp() override {
    AccountTest::SetUp();
    s.context.actor.set_role(v1::ROLE_OPERATOR);
  }

  CreateStaffAccount StaffCommand(const std::string& id, v1::Role role,
                                  const std::string& partner_name = "") {
    const std::string email = id + "@ledgerdesk.pl";
    return {.account_id = id,
            .role = role,
            .email = EmailOf(email),
            .email_index = IndexOf(email),
            .name = "Ewa Nowak",
            .partner_name = partner_name,
            .set_password_token_hash = HashOfToken("set-" + id)};
  }
};

TEST_F(StaffAccountTest, AnEngineerSetsThePasswordWithTheTokenAndLogsIn) {
  auto events = Decide(s.model, StaffCommand("eve", v1::ROLE_ENGINEER), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kStaffAccountCreated}));
  const auto& created = (*events)[0].staff_account_created();
  EXPECT_EQ(created.role(), v1::ROLE_ENGINEER);
  EXPECT_EQ(Unsealed(created.email()), "eve@ledgerdesk.pl");
  EXPECT_EQ(created.set_password_token_hash(), HashOfToken("set-eve"));
  s.Given(*events);

  // No password yet: a login fails.
  EXPECT_EQ(Decide(s.model, LoginCommand("eve@ledgerdesk.pl", false), s.context).refusal.message(),
            kWrongCredentialsMessage);
  s.Given(Decide(s.model,
                 CompletePasswordReset{.token_hash = HashOfToken("set-eve"), .new_hash = "hash:e"},
                 s.context));
  GivenLoggedIn("eve@ledgerdesk.pl");
  const Caller caller = CallerOf(s.model, "eve");
  EXPECT_EQ(caller.role, v1::ROLE_ENGINEER);
}

TEST_F(StaffAccountTest, APartnerWorksForAReseller) {
  EXPECT_EQ(
      Decide(s.model, StaffCommand("pat", v1::ROLE_PARTNER), s.context, s.sealer).status().code(),
      StatusCode::kInvalidArgument);
  s.Given(Decide(s.model, StaffCommand("pat", v1::ROLE_PARTNER, "ResellerX"), s.context, s.sealer));
  const Caller caller = CallerOf(s.model, "pat");
  EXPECT_EQ(caller.role, v1::ROLE_PARTNER);
  EXPECT_EQ(caller.partner_name, "ResellerX");
}

TEST_F(StaffAccountTest, OnlyAnOperatorCreatesStaffAndOnlyEngineersOrPartners) {
  EXPECT_EQ(
      Decide(s.model, StaffCommand("x", v1::ROLE_CUSTOMER), s.context, s.sealer).status().code(),
      StatusCode::kInvalidArgument);
  s.context.actor.set_role(v1::ROLE_CUSTOMER);
  EXPECT_EQ(
      Decide(s.model, StaffCommand("eve", v1::ROLE_ENGINEER), s.context, s.sealer).status().code(),
      StatusCode::kPermissionDenied);
}

TEST_F(StaffAccountTest, OneAccountPerEmail) {
  s.Given(Decide(s.model, StaffCommand("eve", v1::ROLE_ENGINEER), s.context, s.sealer));
  auto again = StaffCommand("eve2", v1::ROLE_ENGINEER);
  again.email_index = IndexOf("eve@ledgerdesk.pl");
  EXPECT_EQ(Decide(s.model, again, s.context, s.sealer).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(StaffAccountTest, TheTokenExpiresAfterAWeek) {
  s.Given(Decide(s.model, StaffCommand("eve", v1::ROLE_ENGINEER), s.context, s.sealer));
  s.At("2026-11-30T10:00:00Z");
  EXPECT_EQ(
      Decide(s.model, CompletePasswordReset{.token_hash = HashOfToken("set-eve"), .new_hash = "h"},
             s.context)
          .status(),
      InvalidArgument(std::string(kInvalidLinkMessage)));
}

}  // namespace
}  // namespace ledgerdesk::domain
