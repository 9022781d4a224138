// Given / When / Then: verifying an account into its organization with a contract number and a
// serial; the first verified account administers the organization.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::kNipA;
using E = v1::Envelope;

using VerifyAccountTest = AccountTest;

TEST_F(VerifyAccountTest, TheFirstVerifiedAccountAdministersTheOrganization) {
  GivenConfirmed("a1", "jan@example.pl");
  auto decision = Decide(s.model, VerifyCommand("a1", "K111111", "FG200"), s.context);
  ASSERT_FALSE(decision.refused()) << decision.refusal.ToString();
  ASSERT_EQ(Cases(decision.events),
            (std::vector{E::kAccountVerified, E::kOrganizationAdminAssigned}));
  const auto& verified = decision.events[0].account_verified();
  EXPECT_EQ(decision.events[0].stream(), "account-a1");
  EXPECT_EQ(verified.organization_id(), kNipA);
  EXPECT_EQ(verified.contract_number(), "K111111");
  EXPECT_EQ(verified.serial(), "FG200");
  EXPECT_TRUE(verified.organization_admin());
  EXPECT_EQ(decision.events[1].stream(), "organization-5260250274");
  EXPECT_EQ(decision.events[1].organization_admin_assigned().account_id(), "a1");
  s.Given(decision.events);
  EXPECT_EQ(s.model.FindOrganization(kNipA)->admin_account_id, "a1");
  EXPECT_EQ(CallerOf(s.model, "a1").organization_id, kNipA);
}

TEST_F(VerifyAccountTest, TheSecondVerifiedAccountDoesNot) {
  GivenVerified("a1", "jan@example.pl");
  GivenConfirmed("a2", "ewa@example.pl");
  auto decision = Decide(s.model, VerifyCommand("a2"), s.context);
  ASSERT_FALSE(decision.refused()) << decision.refusal.ToString();
  ASSERT_EQ(Cases(decision.events), (std::vector{E::kAccountVerified}));
  EXPECT_FALSE(decision.events[0].account_verified().organization_admin());
  s.Given(decision.events);
  EXPECT_EQ(s.model.FindOrganization(kNipA)->admin_account_id, "a1");
  EXPECT_EQ(Account("a2").organization_id, kNipA);
}

TEST_F(VerifyAccountTest, AWrongCombinationIsRecordedAndRefused) {
  GivenConfirmed("a1", "jan@example.pl");
  for (const auto& command : {VerifyCommand("a1", "K111111", "FG999"),     // serial not on it
                              VerifyCommand("a1", "K222222", "FG300")}) {  // another NIP's
    auto decision = Decide(s.model, command, s.context);
    EXPECT_EQ(decision.refusal.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(RefusalCode(decision.refusal), kVerificationFailedCode);
    ASSERT_EQ(Cases(decision.events), (std::vector{E::kVerificationFailed}));
    EXPECT_EQ(decision.events[0].verification_failed().consecutive_failures(), 1u);
    EXPECT_FALSE(Account("a1").verified());
  }
}

TEST_F(VerifyAccountTest, TheContractMustBeActiveToday) {
  GivenConfirmed("a1", "jan@example.pl");
  s.At("2027-01-01T10:00:00Z");  // the contract ended on 2026-12-31
  auto decision = Decide(s.model, VerifyCommand("a1"), s.context);
  EXPECT_EQ(RefusalCode(decision.refusal), kVerificationFailedCode);
  // Warsaw's date decides: 23:30 UTC on 31 December is already 2027 there.
  s.At("2026-12-31T23:30:00Z");
  EXPECT_EQ(RefusalCode(Decide(s.model, VerifyCommand("a1"), s.context).refusal),
            kVerificationFailedCode);
  s.At("2026-12-31T22:30:00Z");
  EXPECT_FALSE(Decide(s.model, VerifyCommand("a1"), s.context).refused());
}

TEST_F(VerifyAccountTest, TheThirdFailureInARowLocksTheAccount) {
  GivenConfirmed("a1", "jan@example.pl");
  Record(Decide(s.model, VerifyCommand("a1", "K111111", "FG999"), s.context));
  Record(Decide(s.model, VerifyCommand("a1", "K111111", "FG999"), s.context));
  auto third = Record(Decide(s.model, VerifyCommand("a1", "K111111", "FG999"), s.context));
  ASSERT_EQ(Cases(third.events), (std::vector{E::kVerificationFailed, E::kAccountLocked}));
  EXPECT_EQ(third.events[0].verification_failed().consecutive_failures(), 3u);
  EXPECT_TRUE(Account("a1").locked);
  // Locked: even the right combination is refused, and nothing more is counted.
  auto right = Decide(s.model, VerifyCommand("a1"), s.context);
  EXPECT_EQ(RefusalCode(right.refusal), kAccountLockedCode);
  EXPECT_TRUE(right.events.empty());
}

TEST_F(VerifyAccountTest, AVerifiedAccountVerifyingAgainChangesNothing) {
  GivenVerified("a1", "jan@example.pl");
  auto again = Decide(s.model, VerifyCommand("a1", "K111111", "FG200"), s.context);
  EXPECT_FALSE(again.refused());
  EXPECT_TRUE(again.events.empty());
}

TEST_F(VerifyAccountTest, OnlyCustomersVerify) {
  auto unknown = Decide(s.model, VerifyCommand("nobody"), s.context);
  EXPECT_EQ(unknown.refusal.code(), StatusCode::kNotFound);
  EXPECT_TRUE(unknown.events.empty());
}

}  // namespace
}  // namespace ledgerdesk::domain
