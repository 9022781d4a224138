#pragma once

// The account flows the portal API calls, around the pure account rules (domain/account): what
// is slow, random or secret happens here — Argon2id hashing and verification (outside any lock),
// tokens and their hashes, the keyed e-mail index, opening the sealed TOTP secret — and the
// decision goes through the write service: registration, confirmation, login (with TOTP and a
// rehash when the hashing parameters rose), logout, sessions to callers, verification, TOTP
// enrolment, e-mail change, password change and reset (also the set-password link of staff and
// invited colleagues), unlocking, invitations.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/crypto/password_hasher.h"
#include "core/domain/ticket/ticket.h"

namespace ledgerdesk::app {

inline constexpr auto kSessionValidity = std::chrono::hours(12);

struct RegistrationInput {
  std::string email;
  std::string password;
  std::string name;
  std::string phone;
  std::string nip;
};

struct Registered {
  std::string account_id;
  log::Position position;
};

struct TotpSetup {
  std::string secret_base32;  // for typing in by hand
  std::string otpauth_uri;    // for a QR code
  log::Position position;
};

struct SessionGrant {
  std::string token;  // shown once to the client; only its hash is stored
  std::chrono::system_clock::time_point expires_at;
  log::Position position;
};

class AccountService {
 public:
  // All references outlive the service. `index_key` keys the e-mail index (index_key.h).
  AccountService(WriteService& service, PersonalData& personal, std::string index_key,
                 crypto::PasswordHasher hasher = crypto::PasswordHasher());

  // Errors: kInvalidArgument naming the field; kAlreadyExists for an e-mail with an account.
  Result<Registered> Register(const RegistrationInput& input, const std::string& idempotency_key);
  // Errors: kInvalidArgument kInvalidLinkMessage for an unknown, used or expired token.
  Result<Outcome> ConfirmEmail(std::string_view token);
  // Errors: kUnauthenticated with the same message for an unknown e-mail and a wrong password
  // (and "totp_required" when a code is needed), kFailedPrecondition "account_locked..." and
  // "email_not_confirmed..." (domain::RefusalCode reads the code).
  Result<SessionGrant> Login(std::string_view email, std::string_view password,
                             std::optional<std::string_view> totp_code);
  Result<Outcome> Logout(std::string_view token);
  // The caller a session token stands for. Errors: kUnauthenticated for an unknown, ended or
  // expired session, or a locked account.
  Result<domain::Caller> Authenticate(std::string_view token) const;

  // The account's NIP + a contract number + a serial on one active contract. A wrong combination
  // is recorded and counts like a failed login (kInvalidArgument "verification_failed...").
  Result<Outcome> Verify(const std::string& account_id, std::string_view contract_number,
                         std::string_view serial);
  Result<TotpSetup> StartTotp(const std::string& account_id);
  // Errors: kInvalidArgument for a wrong or reused code.
  Result<Outcome> ConfirmTotp(const std::string& account_id, std::string_view code);
  // Errors: kInvalidArgument for a weak new one; a wrong current password is counted like a
  // failed login (kInvalidArgument domain::kWrongCurrentPasswordMessage; locked at the third).
  Result<Outcome> ChangePassword(const std::string& account_id, std::string_view current_password,
                                 std::string_view new_password);
  // Always succeeds for a well-formed address (nothing tells whether it has an account).
  Result<Outcome> RequestPasswordReset(std::string_view email);
  Result<Outcome> CompletePasswordReset(std::string_view token, std::string_view new_password);
  // A link to the new address; the change takes effect when it is opened (ConfirmEmailChange).
  Result<Outcome> RequestEmailChange(const std::string& account_id,
                                     std::string_view current_password, std::string_view new_email);
  Result<Outcome> ConfirmEmailChange(std::string_view token);
  Result<Outcome> Unlock(const domain::Caller& engineer, const std::string& account_id);
  Result<Registered> InviteColleague(const domain::Caller& admin, std::string_view email,
                                     const std::string& name, std::string_view phone);
  // The keyed hash the log knows `email` by (crypto::EmailIndex): what a command naming an address
  // of someone else (a CC) carries.
  Result<std::string> EmailIndexOf(const values::Email& email) const;

 private:
  WriteService& service_;
  PersonalData& personal_;
  std::string index_key_;
  crypto::PasswordHasher hasher_;
  std::string dummy_hash_;  // verified against for unknown e-mails: the same time as a real one
};

}  // namespace ledgerdesk::app
