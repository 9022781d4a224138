// Given / When / Then: a legacy contact made known as a data subject (the migrator's load stage).

#include <gtest/gtest.h>

#include "core/domain/contact/legacy_contact.h"
#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::domain {
namespace {

using testing::EmailOf;
using testing::Unsealed;

RegisterLegacyContact Jan() {
  return {.contact_id = "contact-7a", .email = EmailOf("Jan@Firma.pl"), .email_index = "hmac-jan"};
}

TEST(RegisterLegacyContactTest, CreatesTheSubjectsKeyEventWithItsIndexAndSealedAddress) {
  testing::Scenario s;
  auto events = Decide(s.model, Jan(), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].stream(), "subject-contact-7a");
  EXPECT_EQ((*events)[0].stream_version(), 1u);
  const auto& created = (*events)[0].subject_key_created();
  EXPECT_EQ(created.subject_id(), "contact-7a");
  EXPECT_EQ(created.email_index(), "hmac-jan");
  EXPECT_EQ(Unsealed(created.email()), "Jan@firma.pl");  // the domain lower-cased
  EXPECT_EQ(created.email().key_id(), "key-of-contact-7a");  // its own key
  EXPECT_EQ(created.key_id(), created.email().key_id());

  s.Given(*events);
  EXPECT_NE(s.model.FindSubjectByEmailIndex("hmac-jan"), nullptr);
  EXPECT_EQ(*s.model.FindSubjectByEmailIndex("hmac-jan"), "contact-7a");
  EXPECT_EQ(s.model.FindSubjectByEmailIndex("hmac-other"), nullptr);
}

TEST(RegisterLegacyContactTest, AKnownContactDecidesNothingAndItsAddressIsNotAnothers) {
  testing::Scenario s;
  s.Given(Decide(s.model, Jan(), s.context, s.sealer));
  auto again = Decide(s.model, Jan(), s.context, s.sealer);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->empty());
  auto other = Jan();
  other.contact_id = "contact-8b";
  EXPECT_EQ(Decide(s.model, other, s.context, s.sealer).status().code(),
            StatusCode::kAlreadyExists);
}

TEST(RegisterLegacyContactTest, RefusesAnIdWithoutThePrefixOrAnEmptyIndex) {
  testing::Scenario s;
  auto account_like = Jan();
  account_like.contact_id = "a1";
  EXPECT_EQ(Decide(s.model, account_like, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
  auto no_index = Jan();
  no_index.email_index.clear();
  EXPECT_EQ(Decide(s.model, no_index, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ledgerdesk::domain
