#include "core/domain/account/account.h"

#include "core/domain/account/account_internal.h"
#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/model.h"
#include "core/log/envelope_codec.h"

namespace ledgerdesk::domain {
namespace {

using Envelopes = std::vector<v1::Envelope>;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Status CheckName(std::string_view name) {
  if (Trim(name).empty()) return InvalidArgument("name is required");
  if (name.size() > kMaxNameLength) {
    return InvalidArgument("name is longer than " + std::to_string(kMaxNameLength) + " bytes");
  }
  return OkStatus();
}

Status CheckNewAccount(const Model& model, const std::string& account_id,
                       const std::string& email_index) {
  if (account_id.empty() || model.FindAccount(account_id) != nullptr) {
    return Internal("the app layer must give a new account a fresh id");
  }
  if (email_index.empty()) return Internal("the app layer must pass the e-mail index");
  if (model.FindAccountByEmailIndex(email_index) != nullptr) {
    return AlreadyExists("an account with this e-mail address already exists");
  }
  return OkStatus();
}

// Whether the contract has the serial as an item.
bool Lists(const ContractState& contract, const std::string& serial) {
  for (const auto& item : contract.terms.items()) {
    if (item.serial() == serial) return true;
  }
  return false;
}

}  // namespace

EventBuilder AccountEventBuilder(const Model& model, const CommandContext& context) {
  return EventBuilder(context, [&model](const std::string& s) { return model.StreamVersion(s); });
}

Status QueueAccountMail(EventBuilder& events, const CommandContext& context, Sealer& sealer,
                        const std::string& account_id, const v1::Sealed& to,
                        std::string_view mail_template, std::string_view subject,
                        std::string_view body) {
  auto* mail = events.Add(AccountStream(account_id)).mutable_email_queued();
  mail->set_mail_id(log::Hex(NewId(context)));
  mail->set_template_(std::string(mail_template));
  *mail->add_to() = to;
  LD_ASSIGN_OR_RETURN(*mail->mutable_subject(), sealer.Seal(account_id, subject));
  LD_ASSIGN_OR_RETURN(*mail->mutable_body(), sealer.Seal(account_id, body));
  return OkStatus();
}

Status AccountLockedRefusal() {
  return FailedPrecondition(std::string(kAccountLockedCode) +
                            ": the account is locked after three failed attempts; an engineer "
                            "can unlock it, or reset the password");
}

void LockAtLimit(const Model& model, const AccountState& account, uint32_t failures,
                 EventBuilder& events, const CommandContext& context) {
  if (failures < kMaxConsecutiveFailures || account.locked) return;
  auto* locked = events.Add(AccountStream(account.account_id)).mutable_account_locked();
  locked->set_account_id(account.account_id);
  locked->set_reason(std::to_string(failures) + " failed attempts in a row");
  EndActiveSessions(model, account, "account_locked", events, context);
}

void EndActiveSessions(const Model& model, const AccountState& account, std::string_view reason,
                       EventBuilder& events, const CommandContext& context) {
  for (const std::string& session_id : account.active_session_ids) {
    const SessionState* session = model.FindSessionById(session_id);
    if (session == nullptr || session->ended || context.now >= session->expires_at) continue;
    auto* ended = events.Add(AccountStream(account.account_id)).mutable_session_ended();
    ended->set_account_id(account.account_id);
    ended->set_session_id(session_id);
    ended->set_reason(std::string(reason));
  }
}

std::string AccountStream(std::string_view account_id) {
  return std::string(kAccountStreamPrefix) + std::string(account_id);
}

std::string_view RefusalCode(const Status& status) {
  const std::string& message = status.message();
  for (std::string_view code :
       {kAccountLockedCode, kTotpRequiredCode, kVerificationFailedCode, kEmailNotConfirmedCode}) {
    if (message.rfind(code, 0) == 0 &&
        (message.size() == code.size() || message[code.size()] == ':')) {
      return code;
    }
  }
  return {};
}

Status CheckPasswordPolicy(std::string_view password, std::string_view field) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument(std::string(field) + " is longer than " +
                           std::to_string(kMaxPasswordBytes) + " bytes");
  }
  size_t characters = 0;
  for (unsigned char c : password) characters += (c & 0xC0) != 0x80;  // UTF-8 lead bytes
  if (characters < kMinPasswordCharacters) {
    return InvalidArgument(std::string(field) + " must have at least " +
                           std::to_string(kMinPasswordCharacters) + " characters");
  }
  return OkStatus();
}

Caller CallerOf(const Model& model, const std::string& account_id) {
  const AccountState* account = model.FindAccount(account_id);
  if (account == nullptr || account->locked || account->erased) return {.account_id = account_id};
  return {.account_id = account_id,
          .role = account->role,
          .organization_id = account->organization_id,
          .partner_name = account->partner_name};
}

Result<Envelopes> Decide(const Model& model, const RegisterAccount& command,
                         const CommandContext& context, Sealer& sealer) {
  LD_RETURN_IF_ERROR(CheckNewAccount(model, command.account_id, command.email_index));
  LD_RETURN_IF_ERROR(CheckName(command.name));
  if (command.password_hash.empty() || command.confirmation_token_hash.empty()) {
    return Internal("the app layer must pass the password hash and the confirmation token hash");
  }
  const std::string& id = command.account_id;
  EventBuilder events = AccountEventBuilder(model, context);
  auto* registered = events.Add(AccountStream(id)).mutable_account_registered();
  registered->set_account_id(id);
  LD_ASSIGN_OR_RETURN(*registered->mutable_email(), sealer.Seal(id, command.email.value()));
  registered->set_email_index(command.email_index);
  LD_ASSIGN_OR_RETURN(*registered->mutable_name(), sealer.Seal(id, Trim(command.name)));
  LD_ASSIGN_OR_RETURN(*registered->mutable_phone(), sealer.Seal(id, command.phone.value()));
  registered->set_nip(command.nip.value());
  registered->set_password_hash(command.password_hash);
  registered->set_confirmation_token_hash(command.confirmation_token_hash);
  *registered->mutable_confirmation_expires_at() = ToTimestamp(context.now + kConfirmationValidity);
  registered->set_role(v1::ROLE_CUSTOMER);
  LD_RETURN_IF_ERROR(QueueAccountMail(
      events, context, sealer, id, registered->email(), "confirm_email",
      "Confirm your e-mail address",
      "Welcome to ledgerdesk. Confirm your e-mail address within 48 hours with this code: " +
          command.confirmation_token));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ConfirmEmail& command,
                         const CommandContext& context) {
  const AccountState* account = model.FindAccountByToken(command.token_hash);
  if (account == nullptr || account->email_confirmed ||
      account->confirmation_token_hash != command.token_hash ||
      context.now >= account->confirmation_expires_at) {
    return InvalidArgument(std::string(kInvalidLinkMessage));
  }
  EventBuilder events = AccountEventBuilder(model, context);
  events.Add(AccountStream(account->account_id))
      .mutable_email_confirmed()
      ->set_account_id(account->account_id);
  return events.Take();
}

RecordedDecision Decide(const Model& model, const VerifyAccount& command,
                        const CommandContext& context) {
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return RecordedDecision::Refused(NotFound("no account"));
  if (account->role != v1::ROLE_CUSTOMER) {
    return RecordedDecision::Refused(
        PermissionDenied("only customer accounts verify into an organization"));
  }
  if (account->locked) return RecordedDecision::Refused(AccountLockedRefusal());

  const std::string& number = command.contract_number.value();
  const ContractState* contract = model.FindContract(number);
  const bool matches =
      contract != nullptr && !account->nip.empty() && contract->terms.nip() == account->nip &&
      IsActiveOn(*contract, WarsawDate(context.now)) && Lists(*contract, command.serial.value());
  EventBuilder events = AccountEventBuilder(model, context);
  const std::string stream = AccountStream(account->account_id);
  if (!matches) {
    const uint32_t failures = account->consecutive_failures + 1;
    auto* failed = events.Add(stream).mutable_verification_failed();
    failed->set_account_id(account->account_id);
    failed->set_reason("no active contract of the account's NIP with this number and serial");
    failed->set_consecutive_failures(failures);
    LockAtLimit(model, *account, failures, events, context);
    return RecordedDecision::Refused(
        InvalidArgument(std::string(kVerificationFailedCode) +
                        ": the NIP, contract number and serial are not on one active contract"),
        events.Take());
  }
  const std::string& organization_id = contract->terms.organization_id();
  if (account->organization_id == organization_id) return RecordedDecision::Accepted({});

  const OrganizationState* organization = model.FindOrganization(organization_id);
  const bool first = organization == nullptr || organization->admin_account_id.empty();
  auto* verified = events.Add(stream).mutable_account_verified();
  verified->set_account_id(account->account_id);
  verified->set_organization_id(organization_id);
  verified->set_nip(account->nip);
  verified->set_contract_number(number);
  verified->set_serial(command.serial.value());
  verified->set_organization_admin(first);
  if (first) {
    auto* admin =
        events.Add(OrganizationStream(organization_id)).mutable_organization_admin_assigned();
    admin->set_organization_id(organization_id);
    admin->set_account_id(account->account_id);
  }
  return RecordedDecision::Accepted(events.Take());
}

Result<Envelopes> Decide(const Model& model, const UnlockAccount& command,
                         const CommandContext& context) {
  if (command.caller.role != v1::ROLE_ENGINEER) {
    return PermissionDenied("only engineers unlock accounts");
  }
  const AccountState* account = model.FindAccount(command.account_id);
  if (account == nullptr) return NotFound("no account " + command.account_id);
  EventBuilder events = AccountEventBuilder(model, context);
  if (!account->locked) return events.Take();  // already so: no event
  auto* unlocked = events.Add(AccountStream(account->account_id)).mutable_account_unlocked();
  unlocked->set_account_id(account->account_id);
  unlocked->set_unlocked_by(command.caller.account_id);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const CreateStaffAccount& command,
                         const CommandContext& context, Sealer& sealer) {
  if (context.actor.role() != v1::ROLE_OPERATOR) {
    return PermissionDenied("staff accounts are created by an operator on the command line");
  }
  if (command.role != v1::ROLE_ENGINEER && command.role != v1::ROLE_PARTNER) {
    return InvalidArgument("role must be engineer or partner");
  }
  if (command.role == v1::ROLE_PARTNER && Trim(command.partner_name).empty()) {
    return InvalidArgument("a partner account needs the partner's name");
  }
  LD_RETURN_IF_ERROR(CheckNewAccount(model, command.account_id, command.email_index));
  LD_RETURN_IF_ERROR(CheckName(command.name));
  if (command.set_password_token_hash.empty()) {
    return Internal("the app layer must pass the set-password token hash");
  }
  const std::string& id = command.account_id;
  EventBuilder events = AccountEventBuilder(model, context);
  auto* created = events.Add(AccountStream(id)).mutable_staff_account_created();
  created->set_account_id(id);
  created->set_role(command.role);
  LD_ASSIGN_OR_RETURN(*created->mutable_email(), sealer.Seal(id, command.email.value()));
  created->set_email_index(command.email_index);
  LD_ASSIGN_OR_RETURN(*created->mutable_name(), sealer.Seal(id, Trim(command.name)));
  if (command.role == v1::ROLE_PARTNER) {
    created->set_partner_name(std::string(Trim(command.partner_name)));
  }
  created->set_set_password_token_hash(command.set_password_token_hash);
  *created->mutable_set_password_token_expires_at() =
      ToTimestamp(context.now + kSetPasswordTokenValidity);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const InviteColleague& command,
                         const CommandContext& context, Sealer& sealer) {
  const Caller& caller = command.caller;
  const OrganizationState* organization =
      caller.organization_id.empty() ? nullptr : model.FindOrganization(caller.organization_id);
  if (caller.role != v1::ROLE_CUSTOMER || organization == nullptr ||
      organization->admin_account_id != caller.account_id) {
    return PermissionDenied("only the organization's administrator invites colleagues");
  }
  LD_RETURN_IF_ERROR(CheckNewAccount(model, command.account_id, command.email_index));
  LD_RETURN_IF_ERROR(CheckName(command.name));
  if (command.token_hash.empty()) return Internal("the app layer must pass the token hash");
  const std::string& id = command.account_id;
  EventBuilder events = AccountEventBuilder(model, context);
  auto* invited = events.Add(AccountStream(id)).mutable_colleague_invited();
  invited->set_account_id(id);
  invited->set_organization_id(organization->organization_id);
  invited->set_invited_by(caller.account_id);
  LD_ASSIGN_OR_RETURN(*invited->mutable_email(), sealer.Seal(id, command.email.value()));
  invited->set_email_index(command.email_index);
  LD_ASSIGN_OR_RETURN(*invited->mutable_name(), sealer.Seal(id, Trim(command.name)));
  LD_ASSIGN_OR_RETURN(*invited->mutable_phone(), sealer.Seal(id, command.phone.value()));
  invited->set_nip(organization->nip);
  invited->set_set_password_token_hash(command.token_hash);
  *invited->mutable_token_expires_at() = ToTimestamp(context.now + kSetPasswordTokenValidity);
  LD_RETURN_IF_ERROR(QueueAccountMail(
      events, context, sealer, id, invited->email(), "invitation", "You are invited to ledgerdesk",
      "A colleague invited you to your organization's ledgerdesk account. Set your password "
      "within 7 days with this code: " +
          command.token));
  return events.Take();
}

}  // namespace ledgerdesk::domain
