// Given / When / Then: registering a customer account, confirming its e-mail, the password policy.

#include <gtest/gtest.h>

#include "tests/core/domain/account/account_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AccountTest;
using testing::Cases;
using testing::HashOfToken;
using testing::Unsealed;
using testing::Utc;
using E = v1::Envelope;

using RegisterAccountTest = AccountTest;
using ConfirmEmailTest = AccountTest;

TEST_F(RegisterAccountTest, RecordsSealedPersonalDataAndMailsTheConfirmationToken) {
  auto events =
      Decide(s.model, RegisterCommand("a1", "Jan.Kowalski@Example.PL"), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(Cases(*events), (std::vector{E::kAccountRegistered, E::kEmailQueued}));
  const auto& registered = (*events)[0].account_registered();
  EXPECT_EQ((*events)[0].stream(), "account-a1");
  EXPECT_EQ(registered.email().key_id(), "key-of-a1");
  EXPECT_EQ(Unsealed(registered.email()), "Jan.Kowalski@example.pl");
  EXPECT_EQ(Unsealed(registered.name()), "Jan Kowalski");
  EXPECT_EQ(Unsealed(registered.phone()), "600100200");
  EXPECT_EQ(registered.email_index(), "index:jan.kowalski@example.pl");
  EXPECT_EQ(registered.nip(), testing::kNipA);
  EXPECT_EQ(registered.role(), v1::ROLE_CUSTOMER);
  EXPECT_EQ(registered.confirmation_token_hash(), HashOfToken("confirm-a1"));
  EXPECT_EQ(FromTimestamp(registered.confirmation_expires_at()), Utc("2026-11-25T10:00:00Z"));

  const auto& mail = (*events)[1].email_queued();
  EXPECT_EQ((*events)[1].stream(), "account-a1");
  EXPECT_EQ(mail.template_(), "confirm_email");
  ASSERT_EQ(mail.to_size(), 1);
  EXPECT_EQ(Unsealed(mail.to(0)), "Jan.Kowalski@example.pl");
  EXPECT_EQ(mail.body().key_id(), "key-of-a1");
  EXPECT_NE(Unsealed(mail.body()).find("confirm-a1"), std::string::npos);
}

TEST_F(RegisterAccountTest, OneAccountPerEmail) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  auto again = Decide(s.model, RegisterCommand("a2", "JAN@example.pl"), s.context, s.sealer);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(RegisterAccountTest, NeedsAName) {
  auto command = RegisterCommand("a1", "jan@example.pl");
  command.name = "  ";
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(RegisterAccountTest, TheAccountStartsUnconfirmedAndUnverified) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  const AccountState& account = Account("a1");
  EXPECT_FALSE(account.email_confirmed);
  EXPECT_FALSE(account.verified());
  EXPECT_EQ(s.model.FindAccountByEmailIndex(testing::IndexOf("jan@example.pl")), &account);
  const Caller caller = CallerOf(s.model, "a1");
  EXPECT_EQ(caller.role, v1::ROLE_CUSTOMER);
  EXPECT_TRUE(caller.organization_id.empty());
}

TEST(PasswordPolicyTest, AtLeastTwelveCharacters) {
  EXPECT_EQ(CheckPasswordPolicy("elevenchars").code(), StatusCode::kInvalidArgument);
  EXPECT_NE(CheckPasswordPolicy("elevenchars").message().find("password"), std::string::npos);
  EXPECT_TRUE(CheckPasswordPolicy("twelve chars").ok());
  // Characters, not bytes: eleven Polish letters are 22 bytes and still too short.
  EXPECT_FALSE(CheckPasswordPolicy("ąąąąąąąąąąą").ok());
  EXPECT_TRUE(CheckPasswordPolicy("zażółć gęślą").ok());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(kMaxPasswordBytes + 1, 'x')).ok());
}

TEST_F(ConfirmEmailTest, ATokenConfirmsOnce) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  auto confirmed =
      Decide(s.model, ConfirmEmail{.token_hash = HashOfToken("confirm-a1")}, s.context);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  ASSERT_EQ(Cases(*confirmed), (std::vector{E::kEmailConfirmed}));
  EXPECT_EQ((*confirmed)[0].email_confirmed().account_id(), "a1");
  s.Given(*confirmed);
  EXPECT_TRUE(Account("a1").email_confirmed);

  auto again = Decide(s.model, ConfirmEmail{.token_hash = HashOfToken("confirm-a1")}, s.context);
  EXPECT_EQ(again.status(), InvalidArgument(std::string(kInvalidLinkMessage)));
}

TEST_F(ConfirmEmailTest, ATokenExpiresAfter48Hours) {
  s.Given(Decide(s.model, RegisterCommand("a1", "jan@example.pl"), s.context, s.sealer));
  s.Given(Decide(s.model, RegisterCommand("a2", "ewa@example.pl"), s.context, s.sealer));
  s.At("2026-11-25T09:59:59Z");
  EXPECT_TRUE(
      Decide(s.model, ConfirmEmail{.token_hash = HashOfToken("confirm-a1")}, s.context).ok());
  s.At("2026-11-25T10:00:00Z");
  auto late = Decide(s.model, ConfirmEmail{.token_hash = HashOfToken("confirm-a2")}, s.context);
  EXPECT_EQ(late.status(), InvalidArgument(std::string(kInvalidLinkMessage)));
}

TEST_F(ConfirmEmailTest, AnUnknownTokenGetsTheSameAnswer) {
  auto unknown = Decide(s.model, ConfirmEmail{.token_hash = HashOfToken("nope")}, s.context);
  EXPECT_EQ(unknown.status(), InvalidArgument(std::string(kInvalidLinkMessage)));
}

}  // namespace
}  // namespace ledgerdesk::domain
