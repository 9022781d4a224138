#pragma once

// Accounts over two organizations with a contract each (A: K111111 with FG100 and FG200; B:
// K222222 with FG300 and FG400, both for 2026). The app layer's work is faked: an e-mail's index is
// "index:" + its lookup key, a password hash "hash:" + the password, a token's hash "sha:" + it.

#include <gtest/gtest.h>

#include <string>

#include "core/domain/account/account.h"
#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::testing {

inline std::string HashOfToken(const std::string& token) { return "sha:" + token; }
inline constexpr const char* kPassword = "correct horse battery";

class AccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    s.Given(Decide(s.model, ContractOf(kNipA, "K111111", "FG100", "FG200"), s.context));
    s.Given(Decide(s.model, ContractOf(kNipB, "K222222", "FG300", "FG400"), s.context));
  }

  domain::RegisterAccount RegisterCommand(const std::string& account_id, const std::string& email,
                                          const std::string& nip = kNipA) {
    return {.account_id = account_id,
            .email = EmailOf(email),
            .email_index = IndexOf(email),
            .password_hash = std::string("hash:") + kPassword,
            .name = "Jan Kowalski",
            .phone = *values::Phone::Parse("600100200"),
            .nip = NipOf(nip),
            .confirmation_token = "confirm-" + account_id,
            .confirmation_token_hash = HashOfToken("confirm-" + account_id)};
  }

  // Registers and confirms `account_id`.
  void GivenConfirmed(const std::string& account_id, const std::string& email,
                      const std::string& nip = kNipA) {
    s.Given(Decide(s.model, RegisterCommand(account_id, email, nip), s.context, s.sealer));
    s.Given(Decide(s.model,
                   domain::ConfirmEmail{.token_hash = HashOfToken("confirm-" + account_id)},
                   s.context));
  }

  domain::VerifyAccount VerifyCommand(const std::string& account_id,
                                      const std::string& number = "K111111",
                                      const std::string& serial = "FG100") {
    return {
        .account_id = account_id, .contract_number = NumberOf(number), .serial = SerialOf(serial)};
  }

  // Registers, confirms and verifies `account_id` into organization A.
  void GivenVerified(const std::string& account_id, const std::string& email) {
    GivenConfirmed(account_id, email);
    Record(Decide(s.model, VerifyCommand(account_id), s.context), /*expect_accepted=*/true);
  }

  domain::Login LoginCommand(const std::string& email, bool password_matches = true,
                             domain::TotpAnswer totp = domain::TotpAnswer::NoCode(),
                             const std::string& session_id = "s1") {
    return {.email_index = IndexOf(email),
            .password_matches = password_matches,
            .totp = totp,
            .session_id = session_id,
            .token_hash = HashOfToken("session-" + session_id),
            .expires_at = s.context.now + std::chrono::hours(12)};
  }

  // Applies a recorded decision's events (a refusal's too) and returns it.
  const domain::RecordedDecision& Record(const domain::RecordedDecision& decision,
                                         bool expect_accepted = false) {
    if (expect_accepted) {
      EXPECT_FALSE(decision.refused()) << decision.refusal.ToString();
    }
    s.Given(decision.events);
    return decision;
  }

  // Logs in with the right password (and `totp`) as session `session_id`.
  void GivenLoggedIn(const std::string& email, const std::string& session_id = "s1",
                     domain::TotpAnswer totp = domain::TotpAnswer::NoCode()) {
    Record(Decide(s.model, LoginCommand(email, true, totp, session_id), s.context), true);
  }

  const domain::AccountState& Account(const std::string& account_id) {
    return *s.model.FindAccount(account_id);
  }

  Scenario s;
};

// The payload cases of `events`, in order (for short Then checks).
inline std::vector<v1::Envelope::PayloadCase> Cases(const std::vector<v1::Envelope>& events) {
  std::vector<v1::Envelope::PayloadCase> cases;
  for (const auto& event : events) cases.push_back(event.payload_case());
  return cases;
}

}  // namespace ledgerdesk::testing
