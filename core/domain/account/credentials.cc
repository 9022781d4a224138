// The account's credentials: login and sessions, TOTP, password change and reset.

#include "core/domain/account/account.h"
#include "core/domain/account/account_internal.h"
#include "core/domain/model.h"

namespace ledgerdesk::domain {
namespace {

using Envelopes = std::vector<v1::Envelope>;

// Records a counted login failure (wrong password or TOTP code), locking at the limit, and is
// refused with `refusal`.
RecordedDecision LoginFailure(const Model& model, const AccountState& account,
                              v1::LoginFailureReason reason, Status refusal,
                              const CommandContext& context) {
  EventBuilder events = AccountEventBuilder(model, context);
  const uint32_t failures = account.consecutive_failures + 1;
  auto* failed = events.Add(AccountStream(account.account_id)).mutable_login_failed();
  failed->set_account_id(account.account_id);
  failed->set_reason(reason);
  failed->set_consecutive_failures(failures);
  LockAtLimit(model, account, failures, events, context);
  return RecordedDecision::Refused(std::move(refusal), events.Take());
}

// A wrong current password given to change the password or the address is a guess like a wrong
// login: counted the same, so a stolen session cannot try passwords without end.
RecordedDecision WrongCurrentPassword(const Model& model, const AccountState& account,
                                      const CommandContext& context) {
  return LoginFailure(model, account, v1::LOGIN_FAILURE_REASON_WRONG_PASSWORD,
                      InvalidArgument(std::string(kWrongCurrentPasswordMessage)), context);
}

// Records a login refused for the account's state (locked, not confirmed): not counted.
RecordedDecision LoginRefused(const Model& model, const AccountState& account,
                              v1::LoginFailureReason reason, Status refusal,
                              const CommandContext& context) {
  EventBuilder events = AccountEventBuilder(model, context);
  auto* failed = events.Add(AccountStream(account.account_id)).mutable_login_failed();
  failed->set_account_id(account.account_id);
  failed->set_reason(reason);
  failed->set_consecutive_failures(account.consecutive_failures);
  return RecordedDecision::Refused(std::move(refusal), events.Take());
}

}  // namespace

RecordedDecision Decide(const Model& model, const Login& command, const CommandContext& context) {
  const AccountState* account = model.FindAccountByEmailIndex(command.email_index);
  if (account == nullptr) {
    return RecordedDecision::Refused(Unauthenticated(std::string(kWrongCredentialsMessage)));
  }
  if (account->locked) {
    return LoginRefused(model, *account, v1::LOGIN_FAILURE_REASON_ACCOUNT_LOCKED,
                        AccountLockedRefusal(), context);
  }
  if (!command.password_matches || account->password_hash.empty()) {
    return LoginFailure(model, *account, v1::LOGIN_FAILURE_REASON_WRONG_PASSWORD,
                        Unauthenticated(std::string(kWrongCredentialsMessage)), context);
  }
  if (!account->email_confirmed) {
    return LoginRefused(
        model, *account, v1::LOGIN_FAILURE_REASON_NOT_CONFIRMED,
        FailedPrecondition(std::string(kEmailNotConfirmedCode) +
                           ": confirm the e-mail address with the link we sent first"),
        context);
  }
  if (account->totp_enabled()) {
    switch (command.totp.kind) {
      case TotpAnswer::Kind::kNoCode:
        return RecordedDecision::Refused(Unauthenticated(
            std::string(kTotpRequiredCode) + ": enter the code from the authenticator app"));
      case TotpAnswer::Kind::kWrong:
        return LoginFailure(model, *account, v1::LOGIN_FAILURE_REASON_WRONG_TOTP,
                            Unauthenticated("the authenticator code is wrong"), context);
      case TotpAnswer::Kind::kMatched:
        if (command.totp.step <= account->totp_last_used_step) {  // a code is accepted once
          return LoginFailure(model, *account, v1::LOGIN_FAILURE_REASON_WRONG_TOTP,
                              Unauthenticated("the authenticator code is wrong"), context);
        }
        break;
    }
  }
  if (command.session_id.empty() || command.token_hash.empty() ||
      model.FindSessionById(command.session_id) != nullptr) {
    return RecordedDecision::Refused(
        Internal("the app layer must give a new session a fresh id and token"));
  }

  EventBuilder events = AccountEventBuilder(model, context);
  const std::string stream = AccountStream(account->account_id);
  if (account->totp_enabled()) {
    auto* used = events.Add(stream).mutable_totp_code_used();
    used->set_account_id(account->account_id);
    used->set_step(command.totp.step);
  }
  events.Add(stream).mutable_login_succeeded()->set_account_id(account->account_id);
  auto* started = events.Add(stream).mutable_session_started();
  started->set_account_id(account->account_id);
  started->set_session_id(command.session_id);
  started->set_token_hash(command.token_hash);
  *started->mutable_expires_at() = ToTimestamp(command.expires_at);
  return RecordedDecision::Accepted(events.Take());
}

Result<Envelopes> Decide(const Model& model, const Logout& command, const CommandContext& context) {
  EventBuilder events = AccountEventBuilder(model, context);
  const SessionState* session = model.FindSessionById(command.session_id);
  if (session == nullptr || session->ended) return events.Take();  // already so: no event
  auto* ended = events.Add(AccountStream(session->account_id)).mutable_session_ended();
  ended->set_account_id(session->account_id);
  ended->set_session_id(session->session_id);
  ended->set_reason("logout");
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const RehashPassword& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return NotFound("no account " + command.account_id);
  if (command.new_hash.empty()) return Internal("the app layer must pass the new hash");
  EventBuilder events = AccountEventBuilder(model, context);
  auto* changed = events.Add(AccountStream(account->account_id)).mutable_password_changed();
  changed->set_account_id(account->account_id);
  changed->set_password_hash(command.new_hash);
  changed->set_rehash_only(true);
  return events.Take();
}

RecordedDecision Decide(const Model& model, const ChangePassword& command,
                        const CommandContext& context) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return RecordedDecision::Refused(NotFound("no account"));
  if (account->locked) return RecordedDecision::Refused(AccountLockedRefusal());
  if (!command.current_matches) return WrongCurrentPassword(model, *account, context);
  if (command.new_hash.empty()) {
    return RecordedDecision::Refused(Internal("the app layer must pass the new hash"));
  }
  EventBuilder events = AccountEventBuilder(model, context);
  auto* changed = events.Add(AccountStream(account->account_id)).mutable_password_changed();
  changed->set_account_id(account->account_id);
  changed->set_password_hash(command.new_hash);
  EndActiveSessions(model, *account, "password_changed", events, context);
  return RecordedDecision::Accepted(events.Take());
}

Result<Envelopes> Decide(const Model& model, const RequestPasswordReset& command,
                         const CommandContext& context, Sealer& sealer) {
  EventBuilder events = AccountEventBuilder(model, context);
  const AccountState* account = model.FindAccountByEmailIndex(command.email_index);
  if (account == nullptr) return events.Take();  // nothing tells the caller the address is unknown
  if (command.token_hash.empty()) return Internal("the app layer must pass the token hash");
  const std::string& id = account->account_id;
  auto* requested = events.Add(AccountStream(id)).mutable_password_reset_requested();
  requested->set_account_id(id);
  requested->set_token_hash(command.token_hash);
  *requested->mutable_expires_at() = ToTimestamp(context.now + kPasswordResetValidity);
  LD_RETURN_IF_ERROR(QueueAccountMail(
      events, context, sealer, id, account->email, "password_reset", "Reset your password",
      "Someone asked to reset the password of your ledgerdesk account. If it was you, set a new "
      "password within one hour with this code: " +
          command.token + "\nIf it was not you, ignore this message."));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const CompletePasswordReset& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccountByToken(command.token_hash);
  if (account == nullptr || account->password_token_hash != command.token_hash ||
      context.now >= account->password_token_expires_at) {
    return InvalidArgument(std::string(kInvalidLinkMessage));
  }
  if (command.new_hash.empty()) return Internal("the app layer must pass the new hash");
  EventBuilder events = AccountEventBuilder(model, context);
  const std::string& id = account->account_id;
  const std::string stream = AccountStream(id);
  auto* completed = events.Add(stream).mutable_password_reset_completed();
  completed->set_account_id(id);
  completed->set_password_hash(command.new_hash);
  if (!account->email_confirmed) {  // the token came to that address
    events.Add(stream).mutable_email_confirmed()->set_account_id(id);
  }
  if (!account->invited_to_organization.empty() && !account->verified()) {
    auto* verified = events.Add(stream).mutable_account_verified();
    verified->set_account_id(id);
    verified->set_organization_id(account->invited_to_organization);
    verified->set_nip(account->nip);
  }
  if (account->locked) {
    events.Add(stream).mutable_account_unlocked()->set_account_id(id);  // unlocked_by: nobody
  }
  EndActiveSessions(model, *account, "password_reset", events, context);
  return events.Take();
}

RecordedDecision Decide(const Model& model, const RequestEmailChange& command,
                        const CommandContext& context, Sealer& sealer) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return RecordedDecision::Refused(NotFound("no account"));
  if (account->locked) return RecordedDecision::Refused(AccountLockedRefusal());
  if (!command.current_matches) return WrongCurrentPassword(model, *account, context);
  const AccountState* holder = model.FindAccountByEmailIndex(command.new_email_index);
  if (holder != nullptr && holder->account_id != account->account_id) {
    return RecordedDecision::Refused(AlreadyExists("this e-mail address already has an account"));
  }
  if (command.token_hash.empty()) {
    return RecordedDecision::Refused(Internal("the app layer must pass the token hash"));
  }
  EventBuilder events = AccountEventBuilder(model, context);
  const std::string& id = account->account_id;
  auto* requested = events.Add(AccountStream(id)).mutable_email_change_requested();
  requested->set_account_id(id);
  auto new_email = sealer.Seal(id, command.new_email.value());
  if (!new_email.ok()) return RecordedDecision::Refused(new_email.status());
  *requested->mutable_new_email() = std::move(*new_email);
  requested->set_new_email_index(command.new_email_index);
  requested->set_token_hash(command.token_hash);
  *requested->mutable_expires_at() = ToTimestamp(context.now + kConfirmationValidity);
  Status mailed = QueueAccountMail(
      events, context, sealer, id, requested->new_email(), "confirm_email_change",
      "Confirm your new e-mail address",
      "Confirm that ledgerdesk should use this address from now on with this code: " +
          command.token + "\nIf you did not ask for it, ignore this message.");
  if (!mailed.ok()) return RecordedDecision::Refused(std::move(mailed));
  return RecordedDecision::Accepted(events.Take());
}

Result<Envelopes> Decide(const Model& model, const ConfirmEmailChange& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccountByToken(command.token_hash);
  if (account == nullptr || account->email_change_token_hash != command.token_hash ||
      !account->pending_email.has_value() || context.now >= account->email_change_expires_at) {
    return InvalidArgument(std::string(kInvalidLinkMessage));
  }
  const AccountState* holder = model.FindAccountByEmailIndex(account->pending_email_index);
  if (holder != nullptr && holder->account_id != account->account_id) {
    return AlreadyExists("this e-mail address already has an account");
  }
  EventBuilder events = AccountEventBuilder(model, context);
  auto* changed = events.Add(AccountStream(account->account_id)).mutable_email_changed();
  changed->set_account_id(account->account_id);
  *changed->mutable_email() = *account->pending_email;
  changed->set_email_index(account->pending_email_index);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const StartTotpEnrollment& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return NotFound("no account " + command.account_id);
  if (account->totp_enabled()) {
    return FailedPrecondition("two-factor authentication is already on for this account");
  }
  if (command.secret.ciphertext().empty()) return Internal("the app layer must seal a secret");
  EventBuilder events = AccountEventBuilder(model, context);
  auto* started = events.Add(AccountStream(account->account_id)).mutable_totp_enrollment_started();
  started->set_account_id(account->account_id);
  *started->mutable_secret() = command.secret;
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ConfirmTotp& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return NotFound("no account " + command.account_id);
  if (account->totp_enabled()) {
    return FailedPrecondition("two-factor authentication is already on for this account");
  }
  if (!account->pending_totp_secret.has_value()) {
    return FailedPrecondition("start the two-factor set-up first");
  }
  if (command.totp.kind != TotpAnswer::Kind::kMatched ||
      command.totp.step <= account->totp_last_used_step) {
    return InvalidArgument("code is wrong or has expired: type the current one from the app");
  }
  EventBuilder events = AccountEventBuilder(model, context);
  auto* enabled = events.Add(AccountStream(account->account_id)).mutable_totp_enabled();
  enabled->set_account_id(account->account_id);
  enabled->set_last_used_step(command.totp.step);
  return events.Take();
}

}  // namespace ledgerdesk::domain
