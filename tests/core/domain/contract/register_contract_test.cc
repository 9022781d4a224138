// Given / When / Then: registering a contract (operator) and importing one (migrator).

#include <gtest/gtest.h>

#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::domain {
namespace {

using testing::ContractOf;
using testing::kNipA;
using testing::kNipB;
using testing::Scenario;
using testing::SerialOf;

TEST(RegisterContractTest, FirstContractCreatesTheOrganization) {
  Scenario s;
  auto events = Decide(s.model, ContractOf(kNipA, "K123456"), s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].stream(), "organization-5260250274");
  EXPECT_EQ((*events)[0].organization_registered().nip(), kNipA);
  EXPECT_EQ((*events)[1].stream(), "contract-K123456");
  const auto& terms = (*events)[1].contract_registered().terms();
  EXPECT_EQ(terms.organization_id(), kNipA);
  EXPECT_EQ(terms.support_window(), v1::SUPPORT_WINDOW_8X5);
  ASSERT_EQ(terms.items_size(), 2);
  EXPECT_EQ(terms.items(0).serial(), "FG100");
  EXPECT_EQ((*events)[1].stream_version(), 1u);
}

TEST(RegisterContractTest, LaterContractsJoinTheExistingOrganization) {
  Scenario s;
  s.Given(Decide(s.model, ContractOf(kNipA, "K123456"), s.context));
  auto events = Decide(s.model, ContractOf(kNipA, "K654321", "FG300", "FG400"), s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_TRUE((*events)[0].has_contract_registered());
}

TEST(RegisterContractTest, TheResellerThatSoldItBecomesTheOrganizationsPartner) {
  Scenario s;
  auto sold = ContractOf(kNipA, "K123456");
  sold.partner_name = " ResellerX ";
  auto events = Decide(s.model, sold, s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].has_organization_registered());
  const v1::Envelope& assigned = (*events)[1];
  EXPECT_EQ(assigned.stream(), "organization-5260250274");
  EXPECT_EQ(assigned.stream_version(), 2u);
  EXPECT_EQ(assigned.organization_partner_assigned().organization_id(), kNipA);
  EXPECT_EQ(assigned.organization_partner_assigned().partner_name(), "ResellerX");
  EXPECT_TRUE((*events)[2].has_contract_registered());
  s.Given(*events);
  EXPECT_EQ(s.model.FindOrganization(kNipA)->partner_name, "ResellerX");
}

TEST(RegisterContractTest, ThePartnerIsAssignedOnlyWhenItChanges) {
  Scenario s;
  auto first = ContractOf(kNipA, "K123456");
  first.partner_name = "ResellerX";
  s.Given(Decide(s.model, first, s.context));

  auto same = ContractOf(kNipA, "K200001", "FG300", "FG400");
  same.partner_name = "ResellerX";
  auto unchanged = Decide(s.model, same, s.context);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().ToString();
  ASSERT_EQ(unchanged->size(), 1u);
  EXPECT_TRUE((*unchanged)[0].has_contract_registered());

  auto none = ContractOf(kNipA, "K200002", "FG500", "FG600");  // no --partner-name: kept
  auto kept = Decide(s.model, none, s.context);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 1u);

  auto other = ContractOf(kNipA, "K200003", "FG700", "FG800");
  other.partner_name = "ResellerY";
  auto changed = Decide(s.model, other, s.context);
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->size(), 2u);
  EXPECT_EQ((*changed)[0].organization_partner_assigned().partner_name(), "ResellerY");
  EXPECT_EQ((*changed)[0].stream_version(), 3u);
  s.Given(*changed);
  EXPECT_EQ(s.model.FindOrganization(kNipA)->partner_name, "ResellerY");
}

TEST(RegisterContractTest, APartnerNameMustBeText) {
  Scenario s;
  auto control = ContractOf(kNipA, "K123456");
  control.partner_name = "Reseller\nX";
  EXPECT_EQ(Decide(s.model, control, s.context).status().code(), StatusCode::kInvalidArgument);
  auto long_name = ContractOf(kNipA, "K123456");
  long_name.partner_name = std::string(kMaxPartnerNameLength + 1, 'R');
  EXPECT_EQ(Decide(s.model, long_name, s.context).status().code(), StatusCode::kInvalidArgument);
}

TEST(RegisterContractTest, ANumberIsRegisteredOnce) {
  Scenario s;
  s.Given(Decide(s.model, ContractOf(kNipA, "K123456"), s.context));
  auto again = Decide(s.model, ContractOf(kNipB, "K123456", "X1", "X2"), s.context);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST(RegisterContractTest, RefusesTermsThatMakeNoSense) {
  Scenario s;
  auto backwards = ContractOf(kNipA, "K123456");
  backwards.ends_on = MakeDate(2025, 12, 31);
  EXPECT_EQ(Decide(s.model, backwards, s.context).status().code(), StatusCode::kInvalidArgument);

  auto empty = ContractOf(kNipA, "K123456");
  empty.items.clear();
  EXPECT_EQ(Decide(s.model, empty, s.context).status().code(), StatusCode::kInvalidArgument);

  auto twice = ContractOf(kNipA, "K123456", "FG100", "FG100");
  auto refused = Decide(s.model, twice, s.context);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("FG100"), std::string::npos);

  auto no_package = ContractOf(kNipA, "K123456");
  no_package.package = v1::SERVICE_PACKAGE_UNSPECIFIED;
  EXPECT_EQ(Decide(s.model, no_package, s.context).status().code(), StatusCode::kInvalidArgument);
}

TEST(RegisterContractTest, ASerialBelongsToOneActiveContract) {
  Scenario s;
  s.Given(Decide(s.model, ContractOf(kNipA, "K123456"), s.context));
  auto clash = Decide(s.model, ContractOf(kNipB, "K222222", "FG200", "FG999"), s.context);
  EXPECT_EQ(clash.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(clash.status().message().find("K123456"), std::string::npos);

  // The same device under a contract for the following year is fine.
  auto next_year = ContractOf(kNipB, "K222222", "FG200", "FG999");
  next_year.starts_on = MakeDate(2027, 1, 1);
  next_year.ends_on = MakeDate(2027, 12, 31);
  EXPECT_TRUE(Decide(s.model, next_year, s.context).ok());
}

TEST(RegisterContractTest, TheMigratorImportsWithTheLegacyId) {
  Scenario s;
  auto command = ContractOf(kNipA, "K123456");
  command.legacy_contract_id = 77;
  auto events = Decide(s.model, command, s.context);
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(events->back().has_contract_imported());
  EXPECT_EQ(events->back().contract_imported().legacy_contract_id(), 77);
  s.Given(*events);
  ASSERT_NE(s.model.FindContract("K123456"), nullptr);
  EXPECT_EQ(s.model.ContractsWithSerial("FG200").size(), 1u);
}

TEST(ContractTermsTest, ParseTheirTextForms) {
  EXPECT_EQ(*ParsePackage("AHB"), v1::SERVICE_PACKAGE_AHB);
  EXPECT_FALSE(ParsePackage("sos").ok());
  EXPECT_EQ(*ParseSupportWindow("24x7"), v1::SUPPORT_WINDOW_24X7);
  EXPECT_FALSE(ParseSupportWindow("9x5").ok());
  EXPECT_EQ(*ParseReplacement(""), v1::REPLACEMENT_UNSPECIFIED);
  EXPECT_EQ(*ParseReplacement("NBD"), v1::REPLACEMENT_NBD);
  EXPECT_EQ(*ParseItemKind("licence"), v1::ITEM_KIND_LICENCE);
  EXPECT_EQ(ReplacementName(v1::REPLACEMENT_8H), "8h");
}

TEST(ContractTermsTest, ActiveFromTheFirstToTheLastDayInclusive) {
  ContractState contract;
  *contract.terms.mutable_starts_on() = MakeDate(2026, 1, 1);
  *contract.terms.mutable_ends_on() = MakeDate(2026, 12, 31);
  EXPECT_TRUE(IsActiveOn(contract, MakeDate(2026, 1, 1)));
  EXPECT_TRUE(IsActiveOn(contract, MakeDate(2026, 12, 31)));
  EXPECT_FALSE(IsActiveOn(contract, MakeDate(2025, 12, 31)));
  EXPECT_FALSE(IsActiveOn(contract, MakeDate(2027, 1, 1)));
}

}  // namespace
}  // namespace ledgerdesk::domain
