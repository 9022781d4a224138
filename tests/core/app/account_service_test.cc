// The account flows around the pure rules: hashing, tokens, the e-mail index, sessions.

#include "core/app/account_service.h"

#include <gtest/gtest.h>

#include "core/crypto/subject_key_store.h"
#include "core/crypto/totp.h"
#include "core/domain/account/account.h"
#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/memory_log.h"

namespace ledgerdesk::app {
namespace {

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = crypto::NewInMemorySubjectKeyStore();
    personal_ = std::make_unique<PersonalData>(*keys_);
    auto service = WriteService::Start(log_);
    ASSERT_TRUE(service.ok());
    service_ = std::move(*service);
    accounts_ = std::make_unique<AccountService>(
        *service_, *personal_, std::string(32, 'k'),
        crypto::PasswordHasher(crypto::PasswordHashParams::ForTestsOnly()));
  }

  // The token a mail of this template in the outbox carries.
  std::string TokenFromTheMail(const std::string& template_name = "confirm_email") {
    std::string body;
    service_->Read([&](const domain::Model& model) {
      for (const auto& [id, mail] : model.pending_mails()) {
        if (mail.template_() == template_name) body = *personal_->Open(mail.body());
      }
    });
    for (size_t i = 0; i + 43 <= body.size(); ++i) {
      const std::string candidate = body.substr(i, 43);
      if (candidate.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos) {
        return candidate;
      }
    }
    return "";
  }

  Registered RegisterAndConfirm() {
    auto registered = accounts_->Register({.email = "Alice@Example.pl",
                                           .password = "correct horse battery",
                                           .name = "Alicja",
                                           .phone = "600100200",
                                           .nip = "5260250274"},
                                          "");
    EXPECT_TRUE(registered.ok()) << registered.status().ToString();
    auto confirmed = accounts_->ConfirmEmail(TokenFromTheMail());
    EXPECT_TRUE(confirmed.ok()) << confirmed.status().ToString();
    return *registered;
  }

  testing::MemoryLog log_;
  std::unique_ptr<crypto::SubjectKeyStore> keys_;
  std::unique_ptr<PersonalData> personal_;
  std::unique_ptr<WriteService> service_;
  std::unique_ptr<AccountService> accounts_;
};

TEST_F(AccountServiceTest, RegisterConfirmLoginAuthenticateLogout) {
  const Registered alice = RegisterAndConfirm();
  auto session = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto caller = accounts_->Authenticate(session->token);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->account_id, alice.account_id);
  EXPECT_EQ(caller->role, v1::ROLE_CUSTOMER);
  EXPECT_TRUE(caller->organization_id.empty());  // not verified yet
  ASSERT_TRUE(accounts_->Logout(session->token).ok());
  EXPECT_EQ(accounts_->Authenticate(session->token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, BadInputIsNamedAndAWeakPasswordRefused) {
  auto bad_nip = accounts_->Register({.email = "a@example.pl",
                                      .password = "long enough pass",
                                      .name = "A",
                                      .phone = "600100200",
                                      .nip = "526-025-02-74"},
                                     "");
  EXPECT_EQ(bad_nip.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_nip.status().message().find("NIP"), std::string::npos);
  auto weak = accounts_->Register({.email = "a@example.pl",
                                   .password = "short",
                                   .name = "A",
                                   .phone = "600100200",
                                   .nip = "5260250274"},
                                  "");
  EXPECT_EQ(weak.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*log_.End(), log::Position{0});
}

TEST_F(AccountServiceTest, UnknownEmailAndWrongPasswordLookTheSame) {
  RegisterAndConfirm();
  auto unknown = accounts_->Login("bob@example.pl", "correct horse battery", std::nullopt);
  auto wrong = accounts_->Login("alice@example.pl", "wrong horse battery", std::nullopt);
  EXPECT_EQ(unknown.status(), wrong.status());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, ThreeFailuresLockEvenAgainstTheRightPassword) {
  RegisterAndConfirm();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(accounts_->Login("alice@example.pl", "wrong horse battery", std::nullopt).ok());
  }
  auto locked = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  EXPECT_EQ(domain::RefusalCode(locked.status()), domain::kAccountLockedCode);
}

TEST_F(AccountServiceTest, AnUnconfirmedAccountCannotLogIn) {
  ASSERT_TRUE(accounts_
                  ->Register({.email = "c@example.pl",
                              .password = "correct horse battery",
                              .name = "C",
                              .phone = "600100200",
                              .nip = "5260250274"},
                             "")
                  .ok());
  auto refused = accounts_->Login("c@example.pl", "correct horse battery", std::nullopt);
  EXPECT_EQ(domain::RefusalCode(refused.status()), domain::kEmailNotConfirmedCode);
  EXPECT_EQ(accounts_->ConfirmEmail("not-a-token").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AccountServiceTest, RaisedHashingParametersRehashOnLogin) {
  RegisterAndConfirm();
  crypto::PasswordHashParams stronger = crypto::PasswordHashParams::ForTestsOnly();
  stronger.passes += 1;
  AccountService upgraded(*service_, *personal_, std::string(32, 'k'),
                          crypto::PasswordHasher(stronger));
  ASSERT_TRUE(upgraded.Login("alice@example.pl", "correct horse battery", std::nullopt).ok());
  bool rehashed = false;
  auto reader = log_.NewReader(log::Position{0});
  auto records = (*reader)->Read(1000, std::chrono::milliseconds(0));
  ASSERT_TRUE(records.ok());
  for (const auto& record : *records) {
    v1::Envelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(record.value));
    rehashed |= envelope.has_password_changed() && envelope.password_changed().rehash_only();
  }
  EXPECT_TRUE(rehashed);
  // And the new hash still lets her in.
  EXPECT_TRUE(upgraded.Login("alice@example.pl", "correct horse battery", std::nullopt).ok());
}

std::string CodeNow(const std::string& secret_base32) {
  auto secret = crypto::Base32Decode(secret_base32);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return *crypto::TotpCode(*secret, now);
}

TEST_F(AccountServiceTest, TotpTurnsOnAndThenEveryLoginNeedsAFreshCode) {
  const Registered alice = RegisterAndConfirm();
  auto setup = accounts_->StartTotp(alice.account_id);
  ASSERT_TRUE(setup.ok()) << setup.status().ToString();
  EXPECT_EQ(setup->otpauth_uri.rfind("otpauth://totp/", 0), 0u);
  EXPECT_EQ(accounts_->ConfirmTotp(alice.account_id, "000000").status().code(),
            StatusCode::kInvalidArgument);
  const std::string code = CodeNow(setup->secret_base32);
  ASSERT_TRUE(accounts_->ConfirmTotp(alice.account_id, code).ok());
  auto no_code = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  EXPECT_EQ(domain::RefusalCode(no_code.status()), domain::kTotpRequiredCode);
  // The code used to confirm was used: it is refused once more.
  auto replay = accounts_->Login("alice@example.pl", "correct horse battery", code);
  EXPECT_EQ(replay.status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccountServiceTest, VerificationNeedsTheContractAndSerialOfTheAccountsNip) {
  const Registered alice = RegisterAndConfirm();
  v1::Actor operator_actor;
  operator_actor.set_role(v1::ROLE_OPERATOR);
  ASSERT_TRUE(service_
                  ->Execute(operator_actor,
                            [](const auto& model, const auto& context) {
                              return domain::Decide(
                                  model, testing::ContractOf(testing::kNipA, "K123456"), context);
                            })
                  .ok());
  auto wrong = accounts_->Verify(alice.account_id, "K123456", "NOT-ON-IT");
  EXPECT_EQ(domain::RefusalCode(wrong.status()), domain::kVerificationFailedCode);
  auto bad = accounts_->Verify(alice.account_id, "k123456", "FG100");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(accounts_->Verify(alice.account_id, "K123456", "(H)-FG100").ok());
  auto session = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(accounts_->Authenticate(session->token)->organization_id, testing::kNipA);
}

TEST_F(AccountServiceTest, ChangingThePasswordEndsSessionsAndResetSetsANewOne) {
  const Registered alice = RegisterAndConfirm();
  auto session = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(
      accounts_->ChangePassword(alice.account_id, "wrong", "a brand new password").status().code(),
      StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      accounts_->ChangePassword(alice.account_id, "correct horse battery", "a brand new password")
          .ok());
  EXPECT_FALSE(accounts_->Authenticate(session->token).ok());
  // Forgotten again: the reset mail's token sets another one.
  ASSERT_TRUE(accounts_->RequestPasswordReset("alice@example.pl").ok());
  ASSERT_TRUE(accounts_->RequestPasswordReset("nobody@example.pl").ok());  // tells nothing
  ASSERT_TRUE(
      accounts_->CompletePasswordReset(TokenFromTheMail("password_reset"), "the third password")
          .ok());
  EXPECT_TRUE(accounts_->Login("alice@example.pl", "the third password", std::nullopt).ok());
  EXPECT_FALSE(accounts_->Login("alice@example.pl", "a brand new password", std::nullopt).ok());
}

// Guessing the current password from a session counts like guessing at the login: the third
// wrong guess, whether to change the password or the address, locks the account.
TEST_F(AccountServiceTest, WrongCurrentPasswordsLockTheAccountLikeFailedLogins) {
  const Registered alice = RegisterAndConfirm();
  auto session = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  ASSERT_TRUE(session.ok());
  auto first = accounts_->ChangePassword(alice.account_id, "guess one", "a brand new password");
  EXPECT_EQ(first.status().message(), domain::kWrongCurrentPasswordMessage);
  EXPECT_FALSE(accounts_->RequestEmailChange(alice.account_id, "guess two", "ala@example.pl").ok());
  EXPECT_FALSE(
      accounts_->ChangePassword(alice.account_id, "guess three", "a brand new password").ok());
  EXPECT_FALSE(accounts_->Authenticate(session->token).ok());  // the lock ended the session
  auto locked = accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt);
  EXPECT_EQ(domain::RefusalCode(locked.status()), domain::kAccountLockedCode);
}

// A change made with the right current password ends the row of failures, as a login does.
TEST_F(AccountServiceTest, TheRightCurrentPasswordEndsTheRowOfFailures) {
  const Registered alice = RegisterAndConfirm();
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(accounts_->ChangePassword(alice.account_id, "guess one", "x").ok());
    EXPECT_FALSE(accounts_->ChangePassword(alice.account_id, "guess two", "x").ok());
    if (round == 0) {
      ASSERT_TRUE(
          accounts_
              ->ChangePassword(alice.account_id, "correct horse battery", "an even better password")
              .ok());
    } else {
      ASSERT_TRUE(
          accounts_
              ->RequestEmailChange(alice.account_id, "an even better password", "ala@example.pl")
              .ok());
    }
  }
  EXPECT_FALSE(accounts_->Login("alice@example.pl", "guess three", std::nullopt).ok());
  EXPECT_FALSE(accounts_->Login("alice@example.pl", "guess four", std::nullopt).ok());
  EXPECT_TRUE(accounts_->Login("alice@example.pl", "an even better password", std::nullopt).ok());
}

TEST_F(AccountServiceTest, AnEmailChangeTakesEffectWhenTheNewAddressConfirms) {
  const Registered alice = RegisterAndConfirm();
  EXPECT_EQ(
      accounts_->RequestEmailChange(alice.account_id, "wrong", "ala@example.pl").status().code(),
      StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      accounts_->RequestEmailChange(alice.account_id, "correct horse battery", "ala@example.pl")
          .ok());
  EXPECT_TRUE(accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt).ok());
  ASSERT_TRUE(accounts_->ConfirmEmailChange(TokenFromTheMail("confirm_email_change")).ok());
  EXPECT_TRUE(accounts_->Login("ala@example.pl", "correct horse battery", std::nullopt).ok());
  EXPECT_FALSE(accounts_->Login("alice@example.pl", "correct horse battery", std::nullopt).ok());
}

}  // namespace
}  // namespace ledgerdesk::app
