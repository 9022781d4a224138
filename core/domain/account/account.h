#pragma once

// The account aggregate (stream "account-<account_id>"): customers who register with an e-mail,
// confirm it, verify themselves into their organization with a contract number and a serial, log
// in (password, optionally TOTP) and hold sessions; engineers and partners created by an operator;
// colleagues invited by an organization's administrator.
//
// The Decide functions stay pure: the app layer hashes and verifies passwords (Argon2id is slow and
// salted), opens sealed TOTP secrets and checks codes, generates tokens and hashes them, and passes
// the results in. Personal data (e-mail, name, phone, mail bodies) is sealed under the account id.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "core/domain/recorded_decision.h"
#include "core/domain/sealer.h"
#include "core/domain/ticket/ticket.h"
#include "core/values/contract_number.h"
#include "core/values/email.h"
#include "core/values/nip.h"
#include "core/values/phone.h"
#include "core/values/serial.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model;

// An account's stream is kAccountStreamPrefix + its id: the read side takes every event of such a
// stream as the account's (projections/subject_index_projection.h).
inline constexpr std::string_view kAccountStreamPrefix = "account-";
std::string AccountStream(std::string_view account_id);

inline constexpr auto kConfirmationValidity = std::chrono::hours(48);
inline constexpr auto kPasswordResetValidity = std::chrono::hours(1);
// Invitations and staff accounts: the first password is set with this token.
inline constexpr auto kSetPasswordTokenValidity = std::chrono::hours(7 * 24);
// Failed logins, wrong TOTP codes and failed verifications in a row that lock an account.
inline constexpr uint32_t kMaxConsecutiveFailures = 3;
inline constexpr size_t kMinPasswordCharacters = 12;
inline constexpr size_t kMaxPasswordBytes = 1024;
inline constexpr size_t kMaxNameLength = 200;

// Machine-readable codes some refusals start their message with ("<code>: <sentence>"), for the
// HTTP layer's `error.code` and status: kAccountLockedCode (kFailedPrecondition) -> 423,
// kTotpRequiredCode (kUnauthenticated) -> 401, kVerificationFailedCode (kInvalidArgument) -> 400,
// kEmailNotConfirmedCode (kFailedPrecondition) -> 403. RefusalCode() reads them back.
inline constexpr std::string_view kAccountLockedCode = "account_locked";
inline constexpr std::string_view kTotpRequiredCode = "totp_required";
inline constexpr std::string_view kVerificationFailedCode = "verification_failed";
inline constexpr std::string_view kEmailNotConfirmedCode = "email_not_confirmed";
// The one answer to an unknown e-mail and a wrong password alike (kUnauthenticated).
inline constexpr std::string_view kWrongCredentialsMessage = "e-mail or password is wrong";
inline constexpr std::string_view kWrongCurrentPasswordMessage =
    "current_password is not the account's password";
// The one answer to an unknown, used or expired confirmation or password token (kInvalidArgument).
inline constexpr std::string_view kInvalidLinkMessage = "the link is invalid or has expired";

// The code a refusal's message starts with (one of the k...Code above), or "" when it has none.
std::string_view RefusalCode(const Status& status);

struct SessionState {
  std::string session_id;
  std::string account_id;
  std::string token_hash;
  std::chrono::system_clock::time_point expires_at;
  bool ended = false;
};

struct AccountState {
  std::string account_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  v1::Sealed email;
  std::string email_index;
  v1::Sealed name;
  v1::Sealed phone;
  std::string nip;            // customers: the NIP they registered (or were invited) with
  std::string partner_name;   // partners: the reseller they work for
  std::string password_hash;  // empty until an invited or staff account sets its password
  bool email_confirmed = false;
  std::string organization_id;          // customers: set once verified
  std::string invited_to_organization;  // invited colleagues until they set their password
  uint32_t consecutive_failures = 0;
  bool locked = false;
  // The open confirmation token (empty once used).
  std::string confirmation_token_hash;
  std::chrono::system_clock::time_point confirmation_expires_at;
  // The open reset, invitation or staff set-password token (empty once used).
  std::string password_token_hash;
  std::chrono::system_clock::time_point password_token_expires_at;
  // TOTP: the secret being enrolled, then the enabled one.
  std::optional<v1::Sealed> pending_totp_secret;
  std::optional<v1::Sealed> totp_secret;
  int64_t totp_last_used_step = -1;  // crypto::kNoStepUsed
  // A pending e-mail change (applied state only: its commands are not built yet).
  std::optional<v1::Sealed> pending_email;
  std::string pending_email_index;
  std::string email_change_token_hash;  // the open link sent to the new address
  std::chrono::system_clock::time_point email_change_expires_at;
  std::set<std::string> active_session_ids;
  // Erased (a SubjectErased named it): it may do nothing again, and its address is free.
  bool erased = false;
  std::string erased_key_id;  // the key the erasure destroyed

  bool totp_enabled() const { return totp_secret.has_value(); }
  bool verified() const { return !organization_id.empty(); }
};

// Who the account is for the other aggregates' rules (ticket commands). An unknown, locked or
// erased account comes back without a role, which may do nothing.
Caller CallerOf(const Model& model, const std::string& account_id);

// The password policy the app checks before hashing: at least 12 characters (UTF-8 code points,
// not bytes), at most 1024 bytes. Errors: kInvalidArgument naming `field`.
Status CheckPasswordPolicy(std::string_view password, std::string_view field = "password");

// --- Registration and access (account.cc) ---

// A customer registers. `email_index` is crypto::EmailIndex of the address; `password_hash` the
// Argon2id hash of a password that passed CheckPasswordPolicy; `confirmation_token` the plaintext
// token for the mail body only (events keep `confirmation_token_hash`).
struct RegisterAccount {
  std::string account_id;
  values::Email email;
  std::string email_index;
  std::string password_hash;
  std::string name;
  values::Phone phone;
  values::Nip nip;
  std::string confirmation_token;
  std::string confirmation_token_hash;
};

struct ConfirmEmail {
  std::string token_hash;
};

// The caller proves they belong to the organization of their NIP: the contract number and the
// serial must be on one contract of that NIP active today (Warsaw date).
struct VerifyAccount {
  std::string account_id;
  values::ContractNumber contract_number;
  values::Serial serial;
};

// An engineer unlocks a locked account.
struct UnlockAccount {
  Caller caller;
  std::string account_id;
};

// An operator (command line) creates an engineer or partner account; its first password is set
// with `set_password_token` through CompletePasswordReset.
struct CreateStaffAccount {
  std::string account_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;  // engineer or partner
  values::Email email;
  std::string email_index;
  std::string name;
  std::string partner_name;  // partners only
  std::string set_password_token_hash;
};

// An organization's administrator invites a colleague, who sets a password from the e-mailed link
// and is thereby verified into the organization.
struct InviteColleague {
  Caller caller;
  std::string account_id;  // the colleague's new account
  values::Email email;
  std::string email_index;
  std::string name;
  values::Phone phone;
  std::string token;  // plaintext, for the mail body only
  std::string token_hash;
};

// Errors: kAlreadyExists when the e-mail already has an account; kInvalidArgument for a missing or
// too long name; kInternal when the app passed no id or hash.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RegisterAccount& command,
                                         const CommandContext& context, Sealer& sealer);
// Errors: kInvalidArgument kInvalidLinkMessage for an unknown, used or expired token.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ConfirmEmail& command,
                                         const CommandContext& context);
// Refused with events: a wrong combination records VerificationFailed (and AccountLocked at the
// third failure in a row) and answers kInvalidArgument kVerificationFailedCode. Refused without
// events: kNotFound for an unknown account, kPermissionDenied for staff, kFailedPrecondition
// kAccountLockedCode. An account already verified that verifies again changes nothing.
RecordedDecision Decide(const Model& model, const VerifyAccount& command,
                        const CommandContext& context);
// Errors: kPermissionDenied for a caller who is not an engineer; kNotFound for an unknown account.
// An account that is not locked: no events.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const UnlockAccount& command,
                                         const CommandContext& context);
// Errors: kPermissionDenied unless the context's actor is an operator; kInvalidArgument for a role
// other than engineer or partner, a partner without a partner name, a missing name;
// kAlreadyExists when the e-mail has an account.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const CreateStaffAccount& command,
                                         const CommandContext& context, Sealer& sealer);
// Errors: kPermissionDenied unless the caller administers their organization; kAlreadyExists when
// the e-mail has an account; kInvalidArgument for a missing name.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const InviteColleague& command,
                                         const CommandContext& context, Sealer& sealer);

// --- Credentials: login, sessions, TOTP, passwords (credentials.cc) ---

// What the app found when it checked a TOTP code against the account's opened secret.
struct TotpAnswer {
  enum class Kind { kNoCode, kWrong, kMatched };
  Kind kind = Kind::kNoCode;
  int64_t step = 0;  // kMatched: the time step crypto::VerifyTotp matched

  static TotpAnswer NoCode() { return {}; }
  static TotpAnswer Wrong() { return {Kind::kWrong, 0}; }
  static TotpAnswer Matched(int64_t step) { return {Kind::kMatched, step}; }
};

// A login attempt. The app looked the account up by `email_index`, verified the password against
// its hash (`password_matches`) and, when TOTP is on and a code came, checked the code.
struct Login {
  std::string email_index;
  bool password_matches = false;
  TotpAnswer totp;
  std::string session_id;
  std::string token_hash;  // crypto::HashToken of the session token handed to the caller
  std::chrono::system_clock::time_point expires_at;
};

struct Logout {
  std::string session_id;
};

// After a successful login whose hash used older parameters (crypto::PasswordHasher::NeedsRehash),
// the app stores a fresh hash of the same password.
struct RehashPassword {
  std::string account_id;
  std::string new_hash;
};

struct ChangePassword {
  std::string account_id;
  bool current_matches = false;  // the app verified the current password
  std::string new_hash;          // of a new password that passed CheckPasswordPolicy
};

// Always answered 202: an unknown e-mail simply records nothing.
struct RequestPasswordReset {
  std::string email_index;
  std::string token;  // plaintext, for the mail body only
  std::string token_hash;
};

// Completes a password reset, an invitation or a staff account's first password: also unlocks,
// confirms the e-mail (the token came by mail or from the operator) and verifies an invited
// colleague into the organization.
struct CompletePasswordReset {
  std::string token_hash;
  std::string new_hash;
};

// Changes the login address: a link goes to the new address, which takes effect once it is
// opened (ConfirmEmailChange). Refused: a wrong current password (counted, as for ChangePassword);
// kAlreadyExists when the new address has an account.
struct RequestEmailChange {
  std::string account_id;
  bool current_matches = false;  // the app verified the current password
  values::Email new_email;
  std::string new_email_index;
  std::string token;  // plaintext, for the mail body only
  std::string token_hash;
};
struct ConfirmEmailChange {
  std::string token_hash;
};

struct StartTotpEnrollment {
  std::string account_id;
  v1::Sealed secret;  // sealed by the app under the account id
};

struct ConfirmTotp {
  std::string account_id;
  TotpAnswer totp;  // checked by the app against the pending secret
};

// Refused without events: kUnauthenticated kWrongCredentialsMessage for an unknown e-mail;
// kUnauthenticated kTotpRequiredCode when TOTP is on and no code came (not a failure).
// Refused with events: a locked account records LoginFailed(ACCOUNT_LOCKED) and answers
// kFailedPrecondition kAccountLockedCode, whatever the password; a wrong password or TOTP code
// (also a replayed one) records LoginFailed with the failures in a row (AccountLocked and the end
// of every session at the third) and answers kUnauthenticated kWrongCredentialsMessage (or "the
// code is wrong"); an unconfirmed e-mail records LoginFailed(NOT_CONFIRMED) and answers
// kFailedPrecondition kEmailNotConfirmedCode. Success: TotpCodeUsed (with TOTP), LoginSucceeded
// (resets the failures), SessionStarted.
RecordedDecision Decide(const Model& model, const Login& command, const CommandContext& context);
// A session already ended (or unknown) changes nothing.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const Logout& command,
                                         const CommandContext& context);
// Errors: kNotFound for an unknown account.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RehashPassword& command,
                                         const CommandContext& context);
// Ends every active session. A wrong current password is counted like a wrong login's
// (LoginFailed, AccountLocked and the end of every session at the third) and refused with
// kInvalidArgument kWrongCurrentPasswordMessage; a locked account is refused with
// kAccountLockedCode.
RecordedDecision Decide(const Model& model, const ChangePassword& command,
                        const CommandContext& context);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RequestPasswordReset& command,
                                         const CommandContext& context, Sealer& sealer);
// Ends every active session. Errors: kInvalidArgument kInvalidLinkMessage for an unknown, used or
// expired token (reset: 1 h; invitation and staff: 7 days).
Result<std::vector<v1::Envelope>> Decide(const Model& model, const CompletePasswordReset& command,
                                         const CommandContext& context);
// A wrong current password and a locked account are refused as for ChangePassword.
RecordedDecision Decide(const Model& model, const RequestEmailChange& command,
                        const CommandContext& context, Sealer& sealer);
// Errors: kInvalidArgument kInvalidLinkMessage; kAlreadyExists when the address was taken since.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ConfirmEmailChange& command,
                                         const CommandContext& context);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const StartTotpEnrollment& command,
                                         const CommandContext& context);
// Errors: kFailedPrecondition when no enrolment was started; kInvalidArgument when the code is
// wrong (or a step already used).
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ConfirmTotp& command,
                                         const CommandContext& context);

}  // namespace ledgerdesk::domain
