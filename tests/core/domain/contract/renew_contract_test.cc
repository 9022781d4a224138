// Given / When / Then: renewing a contract, with the reactivation fee after its end.

#include <gtest/gtest.h>

#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::domain {
namespace {

using testing::ContractOf;
using testing::kNipA;
using testing::NumberOf;
using testing::Scenario;

class RenewContractTest : public ::testing::Test {
 protected:
  void SetUp() override { s.Given(Decide(s.model, ContractOf(kNipA, "K123456"), s.context)); }
  Scenario s;
};

TEST_F(RenewContractTest, ExtendsBeforeTheEndWithoutAFee) {
  auto events = Decide(s.model,
                       RenewContract{.number = NumberOf("K123456"),
                                     .ends_on = MakeDate(2027, 12, 31),
                                     .today = MakeDate(2026, 11, 23)},
                       s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const auto& renewed = (*events)[0].contract_renewed();
  EXPECT_EQ(FormatDate(renewed.previous_ends_on()), "2026-12-31");
  EXPECT_EQ(FormatDate(renewed.ends_on()), "2027-12-31");
  EXPECT_FALSE(renewed.reactivation());
  s.Given(*events);
  EXPECT_EQ(FormatDate(s.model.FindContract("K123456")->terms.ends_on()), "2027-12-31");
}

TEST_F(RenewContractTest, AfterTheEndRecordsTheReactivationFee) {
  auto events = Decide(s.model,
                       RenewContract{.number = NumberOf("K123456"),
                                     .ends_on = MakeDate(2027, 12, 31),
                                     .today = MakeDate(2027, 1, 15)},
                       s.context);
  ASSERT_TRUE(events.ok());
  const auto& renewed = (*events)[0].contract_renewed();
  EXPECT_TRUE(renewed.reactivation());
  EXPECT_EQ(renewed.reactivation_fee().currency(), "PLN");
  EXPECT_EQ(renewed.reactivation_fee().minor_units(), kReactivationFeeGrosze);
}

TEST_F(RenewContractTest, TheNewEndMustBeLater) {
  auto same = Decide(s.model,
                     RenewContract{.number = NumberOf("K123456"),
                                   .ends_on = MakeDate(2026, 12, 31),
                                   .today = MakeDate(2026, 11, 23)},
                     s.context);
  EXPECT_EQ(same.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RenewContractTest, AnUnknownContractIsNotFound) {
  auto unknown = Decide(s.model,
                        RenewContract{.number = NumberOf("K999999"),
                                      .ends_on = MakeDate(2027, 12, 31),
                                      .today = MakeDate(2026, 11, 23)},
                        s.context);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST(DatesTest, ParseOnlyRealCalendarDays) {
  EXPECT_EQ(FormatDate(*ParseDate("2028-02-29", "ends")), "2028-02-29");
  EXPECT_FALSE(ParseDate("2027-02-29", "ends").ok());
  EXPECT_FALSE(ParseDate("2027-13-01", "ends").ok());
  EXPECT_FALSE(ParseDate("27-01-01", "ends").ok());
  auto bad = ParseDate("2027/01/01", "--ends");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--ends"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk::domain
