#include "core/app/account_service.h"

#include "core/crypto/keyed_hash.h"
#include "core/crypto/tokens.h"
#include "core/crypto/totp.h"
#include "core/domain/account/account.h"
#include "core/domain/model.h"
#include "core/log/envelope_codec.h"
#include "core/values/email.h"
#include "core/values/nip.h"
#include "core/values/phone.h"

namespace ledgerdesk::app {
namespace {

using domain::ActorOf;

}  // namespace

AccountService::AccountService(WriteService& service, PersonalData& personal, std::string index_key,
                               crypto::PasswordHasher hasher)
    : service_(service),
      personal_(personal),
      index_key_(std::move(index_key)),
      hasher_(std::move(hasher)),
      dummy_hash_([this] {
        auto hash = hasher_.Hash("not anyone's password");
        return hash.ok() ? *hash : std::string();
      }()) {}

Result<std::string> AccountService::EmailIndexOf(const values::Email& email) const {
  return crypto::EmailIndex(index_key_, email);
}

Result<Registered> AccountService::Register(const RegistrationInput& input,
                                            const std::string& idempotency_key) {
  LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(input.email));
  LD_ASSIGN_OR_RETURN(values::Phone phone, values::Phone::Parse(input.phone));
  LD_ASSIGN_OR_RETURN(values::Nip nip, values::Nip::Parse(input.nip));
  LD_RETURN_IF_ERROR(domain::CheckPasswordPolicy(input.password));
  LD_ASSIGN_OR_RETURN(std::string email_index, crypto::EmailIndex(index_key_, email));
  LD_ASSIGN_OR_RETURN(std::string password_hash, hasher_.Hash(input.password));
  const std::string account_id = log::Hex(log::RandomEventId());
  const std::string token = crypto::GenerateToken();
  domain::RegisterAccount command{.account_id = account_id,
                                  .email = std::move(email),
                                  .email_index = std::move(email_index),
                                  .password_hash = std::move(password_hash),
                                  .name = input.name,
                                  .phone = std::move(phone),
                                  .nip = std::move(nip),
                                  .confirmation_token = token,
                                  .confirmation_token_hash = crypto::HashToken(token)};
  LD_ASSIGN_OR_RETURN(Outcome outcome,
                      service_.Execute(
                          ActorOf(v1::ROLE_CUSTOMER, account_id),
                          [&](const domain::Model& model, const domain::CommandContext& context) {
                            return domain::Decide(model, command, context, personal_);
                          },
                          idempotency_key));
  // A retry with the same key answers the first registration's account.
  std::string registered_id = account_id;
  if (!outcome.positions.empty()) {
    service_.Read([&](const domain::Model& model) {
      if (const auto* account = model.FindAccountByEmailIndex(command.email_index)) {
        registered_id = account->account_id;
      }
    });
  }
  return Registered{registered_id, outcome.position};
}

Result<Outcome> AccountService::ConfirmEmail(std::string_view token) {
  if (!crypto::ValidateTokenText(token).ok()) {
    return InvalidArgument(std::string(domain::kInvalidLinkMessage));
  }
  const std::string token_hash = crypto::HashToken(token);
  return service_.Execute(ActorOf(v1::ROLE_CUSTOMER), [&](const auto& model, const auto& context) {
    return domain::Decide(model, domain::ConfirmEmail{.token_hash = token_hash}, context);
  });
}

Result<SessionGrant> AccountService::Login(std::string_view email_text, std::string_view password,
                                           std::optional<std::string_view> totp_code) {
  const Status wrong = Unauthenticated(std::string(domain::kWrongCredentialsMessage));
  auto email = values::Email::Parse(email_text);
  if (!email.ok()) return wrong;
  LD_ASSIGN_OR_RETURN(std::string email_index, crypto::EmailIndex(index_key_, *email));
  // Read what verification needs, then verify outside every lock (Argon2id takes a while).
  std::string account_id;
  std::string stored_hash;
  std::optional<v1::Sealed> totp_secret;
  int64_t last_step = crypto::kNoStepUsed;
  service_.Read([&](const domain::Model& model) {
    if (const auto* account = model.FindAccountByEmailIndex(email_index)) {
      account_id = account->account_id;
      stored_hash = account->password_hash;
      totp_secret = account->totp_secret;
      last_step = account->totp_last_used_step;
    }
  });
  // An unknown address costs the same hashing time as a known one, so timing tells nothing.
  const bool matches = hasher_.Verify(stored_hash.empty() ? dummy_hash_ : stored_hash, password);
  if (account_id.empty()) return wrong;

  domain::TotpAnswer totp = domain::TotpAnswer::NoCode();
  if (totp_secret.has_value() && totp_code.has_value() && matches) {
    LD_ASSIGN_OR_RETURN(std::string secret, personal_.Open(*totp_secret));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto step = crypto::VerifyTotp(secret, *totp_code, now, last_step);
    totp = step.ok() ? domain::TotpAnswer::Matched(*step) : domain::TotpAnswer::Wrong();
  }
  const std::string token = crypto::GenerateToken();
  const auto expires_at = std::chrono::system_clock::now() + kSessionValidity;
  LD_ASSIGN_OR_RETURN(
      Outcome outcome,
      service_.ExecuteRecorded(ActorOf(v1::ROLE_CUSTOMER, account_id),
                               [&](const domain::Model& model, const auto& context) {
                                 return domain::Decide(
                                     model,
                                     domain::Login{.email_index = email_index,
                                                   .password_matches = matches,
                                                   .totp = totp,
                                                   .session_id = log::Hex(log::RandomEventId()),
                                                   .token_hash = crypto::HashToken(token),
                                                   .expires_at = expires_at},
                                     context);
                               }));
  // Parameters rose since the password was stored: store a fresh hash of the one just verified.
  if (hasher_.NeedsRehash(stored_hash)) {
    if (auto rehashed = hasher_.Hash(password); rehashed.ok()) {
      (void)service_.Execute(ActorOf(v1::ROLE_SYSTEM), [&](const auto& model, const auto& context) {
        return domain::Decide(
            model, domain::RehashPassword{.account_id = account_id, .new_hash = *rehashed},
            context);
      });
    }
  }
  return SessionGrant{token, expires_at, outcome.position};
}

Result<Outcome> AccountService::Logout(std::string_view token) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, Authenticate(token));
  const std::string token_hash = crypto::HashToken(token);
  std::string session_id;
  service_.Read([&](const domain::Model& model) {
    if (const auto* session = model.FindSession(token_hash, std::chrono::system_clock::now())) {
      session_id = session->session_id;
    }
  });
  return service_.Execute(
      ActorOf(caller.role, caller.account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(model, domain::Logout{.session_id = session_id}, context);
      });
}

Result<domain::Caller> AccountService::Authenticate(std::string_view token) const {
  const Status unknown = Unauthenticated("the session is unknown or has ended: log in again");
  if (!crypto::ValidateTokenText(token).ok()) return unknown;
  const std::string token_hash = crypto::HashToken(token);
  std::optional<domain::Caller> caller;
  service_.Read([&](const domain::Model& model) {
    const auto* session = model.FindSession(token_hash, std::chrono::system_clock::now());
    if (session == nullptr) return;
    domain::Caller found = domain::CallerOf(model, session->account_id);
    if (found.role != v1::ROLE_UNSPECIFIED) caller = std::move(found);
  });
  if (!caller.has_value()) return unknown;
  return *caller;
}

Result<Outcome> AccountService::Verify(const std::string& account_id,
                                       std::string_view contract_number, std::string_view serial) {
  LD_ASSIGN_OR_RETURN(values::ContractNumber number,
                      values::ContractNumber::Parse(contract_number));
  LD_ASSIGN_OR_RETURN(values::Serial parsed_serial, values::Serial::Parse(serial));
  return service_.ExecuteRecorded(
      ActorOf(v1::ROLE_CUSTOMER, account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(
            model,
            domain::VerifyAccount{
                .account_id = account_id, .contract_number = number, .serial = parsed_serial},
            context);
      });
}

Result<TotpSetup> AccountService::StartTotp(const std::string& account_id) {
  const std::string secret = crypto::GenerateTotpSecret();
  LD_ASSIGN_OR_RETURN(v1::Sealed sealed, personal_.Seal(account_id, secret));
  std::string label = account_id;
  service_.Read([&](const domain::Model& model) {
    if (const auto* account = model.FindAccount(account_id)) {
      if (auto email = personal_.Open(account->email); email.ok()) label = *email;
    }
  });
  LD_ASSIGN_OR_RETURN(
      Outcome outcome,
      service_.Execute(
          ActorOf(v1::ROLE_CUSTOMER, account_id), [&](const auto& model, const auto& context) {
            return domain::Decide(
                model, domain::StartTotpEnrollment{.account_id = account_id, .secret = sealed},
                context);
          }));
  return TotpSetup{crypto::Base32Encode(secret, /*pad=*/false),
                   crypto::OtpauthUri(crypto::kTotpIssuer, label, secret), outcome.position};
}

Result<Outcome> AccountService::ConfirmTotp(const std::string& account_id, std::string_view code) {
  std::optional<v1::Sealed> pending;
  int64_t last_step = crypto::kNoStepUsed;
  service_.Read([&](const domain::Model& model) {
    if (const auto* account = model.FindAccount(account_id)) {
      pending = account->pending_totp_secret;
      last_step = account->totp_last_used_step;
    }
  });
  domain::TotpAnswer answer = domain::TotpAnswer::Wrong();
  if (pending.has_value()) {
    LD_ASSIGN_OR_RETURN(std::string secret, personal_.Open(*pending));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (auto step = crypto::VerifyTotp(secret, code, now, last_step); step.ok()) {
      answer = domain::TotpAnswer::Matched(*step);
    }
  }
  return service_.Execute(
      ActorOf(v1::ROLE_CUSTOMER, account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(model, domain::ConfirmTotp{.account_id = account_id, .totp = answer},
                              context);
      });
}

Result<Outcome> AccountService::ChangePassword(const std::string& account_id,
                                               std::string_view current_password,
                                               std::string_view new_password) {
  LD_RETURN_IF_ERROR(domain::CheckPasswordPolicy(new_password, "new_password"));
  std::string stored_hash;
  service_.Read([&](const domain::Model& model) {
    if (const auto* account = model.FindAccount(account_id)) stored_hash = account->password_hash;
  });
  const bool matches = !stored_hash.empty() && hasher_.Verify(stored_hash, current_password);
  LD_ASSIGN_OR_RETURN(std::string new_hash, hasher_.Hash(new_password));
  return service_.ExecuteRecorded(
      ActorOf(v1::ROLE_CUSTOMER, account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(
            model,
            domain::ChangePassword{
                .account_id = account_id, .current_matches = matches, .new_hash = new_hash},
            context);
      });
}

Result<Outcome> AccountService::RequestPasswordReset(std::string_view email_text) {
  LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(email_text));
  LD_ASSIGN_OR_RETURN(std::string email_index, crypto::EmailIndex(index_key_, email));
  const std::string token = crypto::GenerateToken();
  return service_.Execute(ActorOf(v1::ROLE_CUSTOMER), [&](const auto& model, const auto& context) {
    return domain::Decide(
        model,
        domain::RequestPasswordReset{
            .email_index = email_index, .token = token, .token_hash = crypto::HashToken(token)},
        context, personal_);
  });
}

Result<Outcome> AccountService::CompletePasswordReset(std::string_view token,
                                                      std::string_view new_password) {
  if (!crypto::ValidateTokenText(token).ok()) {
    return InvalidArgument(std::string(domain::kInvalidLinkMessage));
  }
  LD_RETURN_IF_ERROR(domain::CheckPasswordPolicy(new_password, "new_password"));
  LD_ASSIGN_OR_RETURN(std::string new_hash, hasher_.Hash(new_password));
  const std::string token_hash = crypto::HashToken(token);
  return service_.Execute(ActorOf(v1::ROLE_CUSTOMER), [&](const auto& model, const auto& context) {
    return domain::Decide(
        model, domain::CompletePasswordReset{.token_hash = token_hash, .new_hash = new_hash},
        context);
  });
}

Result<Outcome> AccountService::RequestEmailChange(const std::string& account_id,
                                                   std::string_view current_password,
                                                   std::string_view new_email_text) {
  LD_ASSIGN_OR_RETURN(values::Email new_email, values::Email::Parse(new_email_text));
  LD_ASSIGN_OR_RETURN(std::string new_index, crypto::EmailIndex(index_key_, new_email));
  std::string stored_hash;
  service_.Read([&](const domain::Model& model) {
    if (const auto* account = model.FindAccount(account_id)) stored_hash = account->password_hash;
  });
  const bool matches = !stored_hash.empty() && hasher_.Verify(stored_hash, current_password);
  const std::string token = crypto::GenerateToken();
  return service_.ExecuteRecorded(
      ActorOf(v1::ROLE_CUSTOMER, account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(model,
                              domain::RequestEmailChange{.account_id = account_id,
                                                         .current_matches = matches,
                                                         .new_email = new_email,
                                                         .new_email_index = new_index,
                                                         .token = token,
                                                         .token_hash = crypto::HashToken(token)},
                              context, personal_);
      });
}

Result<Outcome> AccountService::ConfirmEmailChange(std::string_view token) {
  if (!crypto::ValidateTokenText(token).ok()) {
    return InvalidArgument(std::string(domain::kInvalidLinkMessage));
  }
  const std::string token_hash = crypto::HashToken(token);
  return service_.Execute(ActorOf(v1::ROLE_CUSTOMER), [&](const auto& model, const auto& context) {
    return domain::Decide(model, domain::ConfirmEmailChange{.token_hash = token_hash}, context);
  });
}

Result<Outcome> AccountService::Unlock(const domain::Caller& engineer,
                                       const std::string& account_id) {
  return service_.Execute(
      ActorOf(engineer.role, engineer.account_id), [&](const auto& model, const auto& context) {
        return domain::Decide(
            model, domain::UnlockAccount{.caller = engineer, .account_id = account_id}, context);
      });
}

Result<Registered> AccountService::InviteColleague(const domain::Caller& admin,
                                                   std::string_view email_text,
                                                   const std::string& name,
                                                   std::string_view phone_text) {
  LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(email_text));
  LD_ASSIGN_OR_RETURN(values::Phone phone, values::Phone::Parse(phone_text));
  LD_ASSIGN_OR_RETURN(std::string email_index, crypto::EmailIndex(index_key_, email));
  const std::string account_id = log::Hex(log::RandomEventId());
  const std::string token = crypto::GenerateToken();
  LD_ASSIGN_OR_RETURN(
      Outcome outcome,
      service_.Execute(
          ActorOf(admin.role, admin.account_id), [&](const auto& model, const auto& context) {
            return domain::Decide(model,
                                  domain::InviteColleague{.caller = admin,
                                                          .account_id = account_id,
                                                          .email = email,
                                                          .email_index = email_index,
                                                          .name = name,
                                                          .phone = phone,
                                                          .token = token,
                                                          .token_hash = crypto::HashToken(token)},
                                  context, personal_);
          }));
  return Registered{account_id, outcome.position};
}

}  // namespace ledgerdesk::app
