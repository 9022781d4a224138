#include "core/domain/model.h"

#include <algorithm>
#include <cstdio>

namespace ledgerdesk::domain {
namespace {

// The subject of each of an opening's `cc_count` CC entries (its cc_account_ids), "" for each
// where the event predates them.
std::vector<std::string> CcSubjectsOf(
    const google::protobuf::RepeatedPtrField<std::string>& cc_account_ids, size_t cc_count) {
  std::vector<std::string> subjects(cc_account_ids.begin(), cc_account_ids.end());
  subjects.resize(cc_count);
  return subjects;
}

}  // namespace

void Model::Apply(const v1::Envelope& envelope) {
  versions_[envelope.stream()] = envelope.stream_version();
  const auto at = FromTimestamp(envelope.occurred_at());
  switch (envelope.payload_case()) {
    case v1::Envelope::kOrganizationRegistered: {
      const auto& e = envelope.organization_registered();
      auto& organization = organizations_[e.organization_id()];
      organization.organization_id = e.organization_id();
      organization.nip = e.nip();
      organization.name = e.name();
      organization.partner_name = e.partner_name();
      break;
    }
    case v1::Envelope::kOrganizationAdminAssigned: {
      const auto& e = envelope.organization_admin_assigned();
      organizations_[e.organization_id()].admin_account_id = e.account_id();
      break;
    }
    case v1::Envelope::kOrganizationPartnerAssigned: {
      const auto& e = envelope.organization_partner_assigned();
      organizations_[e.organization_id()].partner_name = e.partner_name();
      break;
    }
    case v1::Envelope::kContractRegistered:
      ApplyContractTerms(envelope.contract_registered().terms(), 0);
      break;
    case v1::Envelope::kContractImported:
      ApplyContractTerms(envelope.contract_imported().terms(),
                         envelope.contract_imported().legacy_contract_id());
      break;
    case v1::Envelope::kContractRenewed: {
      const auto& e = envelope.contract_renewed();
      auto it = contracts_.find(e.contract_number());
      if (it != contracts_.end()) *it->second.terms.mutable_ends_on() = e.ends_on();
      break;
    }
    case v1::Envelope::kTicketOpened: {
      const auto& e = envelope.ticket_opened();
      TicketState& ticket = tickets_[e.ticket_id()];
      ticket.ticket_id = e.ticket_id();
      ticket.number = e.number();
      ticket_numbers_.insert(e.number());
      ticket.organization_id = e.organization_id();
      ticket.contract_number = e.contract_number();
      ticket.serial = e.serial();
      ticket.opened_by = e.opened_by();
      ticket.status = v1::TICKET_STATUS_OPEN;
      ticket.priority = e.priority();
      ticket.partner_access = e.partner_access();
      ticket.opened_at = at;
      ticket.response_due_at = FromTimestamp(e.response_due_at());
      ticket.cc.assign(e.cc().begin(), e.cc().end());
      ticket.cc_subjects = CcSubjectsOf(e.cc_account_ids(), ticket.cc.size());
      break;
    }
    case v1::Envelope::kTicketImported: {
      const auto& e = envelope.ticket_imported();
      TicketState& ticket = tickets_[e.ticket_id()];
      ticket.ticket_id = e.ticket_id();
      ticket.number = e.number();
      ticket_numbers_.insert(e.number());
      ticket.legacy_ticket_id = e.legacy_ticket_id();
      ticket.organization_id = e.organization_id();
      ticket.contract_number = e.contract_number();
      ticket.serial = e.serial();
      ticket.status = e.status();
      ticket.priority = e.priority();
      ticket.partner_access = e.partner_access();
      ticket.opened_at = FromTimestamp(e.opened_at());
      ticket.response_due_at = ticket.opened_at;  // answered in the old system already
      ticket.responded_at = ticket.opened_at;
      ticket.cc.assign(e.cc().begin(), e.cc().end());
      ticket.cc_subjects = CcSubjectsOf(e.cc_account_ids(), ticket.cc.size());
      if (!e.transcript_attachment_id().empty()) {
        ticket.attachment_ids.insert(e.transcript_attachment_id());
      }
      break;
    }
    case v1::Envelope::kAttachmentAdded: {
      const auto& e = envelope.attachment_added();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.attachment_ids.insert(e.attachment_id());
      }
      break;
    }
    case v1::Envelope::kCcAdded: {
      const auto& e = envelope.cc_added();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.cc.push_back(e.email());
        it->second.cc_subjects.push_back(e.subject_id());
      }
      break;
    }
    case v1::Envelope::kPartnerAccessChanged: {
      const auto& e = envelope.partner_access_changed();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.partner_access = e.granted();
      }
      break;
    }
    case v1::Envelope::kTicketStatusChanged: {
      const auto& e = envelope.ticket_status_changed();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) it->second.status = e.to();
      break;
    }
    case v1::Envelope::kTicketClosed: {
      const auto& e = envelope.ticket_closed();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.status = v1::TICKET_STATUS_CLOSED;
      }
      break;
    }
    case v1::Envelope::kTicketReopened: {
      const auto& e = envelope.ticket_reopened();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.status = v1::TICKET_STATUS_OPEN;
      }
      break;
    }
    case v1::Envelope::kTicketResponded: {
      const auto& e = envelope.ticket_responded();
      if (auto it = tickets_.find(e.ticket_id()); it != tickets_.end()) {
        it->second.responded_at = FromTimestamp(e.responded_at());
      }
      break;
    }
    case v1::Envelope::kEmailQueued:
      pending_mails_[envelope.email_queued().mail_id()] = envelope.email_queued();
      break;
    case v1::Envelope::kEmailSent:
      pending_mails_.erase(envelope.email_sent().mail_id());
      break;
    case v1::Envelope::kSubjectKeyCreated: {
      const auto& e = envelope.subject_key_created();
      if (!e.email_index().empty()) subjects_by_email_index_[e.email_index()] = e.subject_id();
      break;
    }
    default:
      ApplyAccountEvent(envelope, at);
      break;
  }
}

void Model::ApplyAccountEvent(const v1::Envelope& envelope,
                              std::chrono::system_clock::time_point at) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kAccountRegistered: {
      const auto& e = envelope.account_registered();
      AccountState& account = Account(e.account_id());
      account.role = e.role() == v1::ROLE_UNSPECIFIED ? v1::ROLE_CUSTOMER : e.role();
      account.email = e.email();
      account.name = e.name();
      account.phone = e.phone();
      account.nip = e.nip();
      account.password_hash = e.password_hash();
      IndexEmail(account, e.email_index());
      ReplaceToken(account, account.confirmation_token_hash, e.confirmation_token_hash());
      account.confirmation_expires_at = FromTimestamp(e.confirmation_expires_at());
      break;
    }
    case v1::Envelope::kEmailConfirmed: {
      AccountState& account = Account(envelope.email_confirmed().account_id());
      account.email_confirmed = true;
      ReplaceToken(account, account.confirmation_token_hash, "");
      break;
    }
    case v1::Envelope::kAccountVerified: {
      const auto& e = envelope.account_verified();
      AccountState& account = Account(e.account_id());
      account.organization_id = e.organization_id();
      account.invited_to_organization.clear();
      account.consecutive_failures = 0;
      break;
    }
    case v1::Envelope::kVerificationFailed: {
      const auto& e = envelope.verification_failed();
      Account(e.account_id()).consecutive_failures = e.consecutive_failures();
      break;
    }
    case v1::Envelope::kLoginFailed: {
      const auto& e = envelope.login_failed();
      Account(e.account_id()).consecutive_failures = e.consecutive_failures();
      break;
    }
    case v1::Envelope::kLoginSucceeded:
      Account(envelope.login_succeeded().account_id()).consecutive_failures = 0;
      break;
    case v1::Envelope::kAccountLocked:
      Account(envelope.account_locked().account_id()).locked = true;
      break;
    case v1::Envelope::kAccountUnlocked: {
      AccountState& account = Account(envelope.account_unlocked().account_id());
      account.locked = false;
      account.consecutive_failures = 0;
      break;
    }
    case v1::Envelope::kTotpEnrollmentStarted: {
      const auto& e = envelope.totp_enrollment_started();
      Account(e.account_id()).pending_totp_secret = e.secret();
      break;
    }
    case v1::Envelope::kTotpEnabled: {
      const auto& e = envelope.totp_enabled();
      AccountState& account = Account(e.account_id());
      if (account.pending_totp_secret.has_value()) {
        account.totp_secret = std::move(account.pending_totp_secret);
        account.pending_totp_secret.reset();
      }
      account.totp_last_used_step = e.last_used_step();
      break;
    }
    case v1::Envelope::kTotpCodeUsed: {
      const auto& e = envelope.totp_code_used();
      AccountState& account = Account(e.account_id());
      account.totp_last_used_step = std::max(account.totp_last_used_step, e.step());
      break;
    }
    case v1::Envelope::kPasswordChanged: {
      const auto& e = envelope.password_changed();
      AccountState& account = Account(e.account_id());
      account.password_hash = e.password_hash();
      account.consecutive_failures =
          0;  // the current password was proven: the row of failures ends
      break;
    }
    case v1::Envelope::kPasswordResetRequested: {
      const auto& e = envelope.password_reset_requested();
      AccountState& account = Account(e.account_id());
      ReplaceToken(account, account.password_token_hash, e.token_hash());
      account.password_token_expires_at = FromTimestamp(e.expires_at());
      break;
    }
    case v1::Envelope::kPasswordResetCompleted: {
      const auto& e = envelope.password_reset_completed();
      AccountState& account = Account(e.account_id());
      account.password_hash = e.password_hash();
      ReplaceToken(account, account.password_token_hash, "");
      account.consecutive_failures = 0;
      break;
    }
    case v1::Envelope::kEmailChangeRequested: {
      const auto& e = envelope.email_change_requested();
      AccountState& account = Account(e.account_id());
      account.pending_email = e.new_email();
      account.pending_email_index = e.new_email_index();
      account.consecutive_failures = 0;  // asked with the current password, proven
      ReplaceToken(account, account.email_change_token_hash, e.token_hash());
      account.email_change_expires_at = FromTimestamp(e.expires_at());
      break;
    }
    case v1::Envelope::kEmailChanged: {
      const auto& e = envelope.email_changed();
      AccountState& account = Account(e.account_id());
      account.email = e.email();
      IndexEmail(account, e.email_index());
      account.pending_email.reset();
      account.pending_email_index.clear();
      ReplaceToken(account, account.email_change_token_hash, "");
      break;
    }
    case v1::Envelope::kSessionStarted: {
      const auto& e = envelope.session_started();
      SessionState& session = sessions_[e.session_id()];
      session.session_id = e.session_id();
      session.account_id = e.account_id();
      session.token_hash = e.token_hash();
      session.expires_at = FromTimestamp(e.expires_at());
      sessions_by_token_[e.token_hash()] = e.session_id();
      Account(e.account_id()).active_session_ids.insert(e.session_id());
      break;
    }
    case v1::Envelope::kSessionEnded:
      EndSession(envelope.session_ended().session_id());
      break;
    case v1::Envelope::kSubjectErased: {
      const auto& e = envelope.subject_erased();
      if (auto it = accounts_.find(e.subject_id()); it != accounts_.end()) {
        EraseAccount(it->second, e.key_id());
        break;
      }
      // A contact (a CC address, a legacy person): a later CC of the address makes a new one.
      erased_contacts_[e.subject_id()] = e.key_id();
      std::erase_if(subjects_by_email_index_,
                    [&](const auto& entry) { return entry.second == e.subject_id(); });
      break;
    }
    case v1::Envelope::kStaffAccountCreated: {
      const auto& e = envelope.staff_account_created();
      AccountState& account = Account(e.account_id());
      account.role = e.role();
      account.email = e.email();
      account.name = e.name();
      account.partner_name = e.partner_name();
      account.email_confirmed = true;  // the operator vouches for it
      IndexEmail(account, e.email_index());
      ReplaceToken(account, account.password_token_hash, e.set_password_token_hash());
      account.password_token_expires_at = e.has_set_password_token_expires_at()
                                              ? FromTimestamp(e.set_password_token_expires_at())
                                              : at + kSetPasswordTokenValidity;
      break;
    }
    case v1::Envelope::kColleagueInvited: {
      const auto& e = envelope.colleague_invited();
      AccountState& account = Account(e.account_id());
      account.role = v1::ROLE_CUSTOMER;
      account.email = e.email();
      account.name = e.name();
      account.phone = e.phone();
      account.nip = e.nip();
      account.invited_to_organization = e.organization_id();
      IndexEmail(account, e.email_index());
      ReplaceToken(account, account.password_token_hash, e.set_password_token_hash());
      account.password_token_expires_at = FromTimestamp(e.token_expires_at());
      break;
    }
    default:
      break;  // events of other aggregates, or that change nothing the rules read
  }
}

AccountState& Model::Account(const std::string& account_id) {
  AccountState& account = accounts_[account_id];
  account.account_id = account_id;
  return account;
}

void Model::IndexEmail(AccountState& account, const std::string& email_index) {
  if (!account.email_index.empty()) {
    auto it = accounts_by_email_index_.find(account.email_index);
    if (it != accounts_by_email_index_.end() && it->second == account.account_id) {
      accounts_by_email_index_.erase(it);
    }
  }
  account.email_index = email_index;
  if (!email_index.empty()) accounts_by_email_index_[email_index] = account.account_id;
}

void Model::ReplaceToken(const AccountState& account, std::string& held,
                         const std::string& token_hash) {
  if (!held.empty()) accounts_by_token_.erase(held);
  held = token_hash;
  if (!token_hash.empty()) accounts_by_token_[token_hash] = account.account_id;
}

void Model::EndSession(const std::string& session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  it->second.ended = true;
  sessions_by_token_.erase(it->second.token_hash);
  if (auto account = accounts_.find(it->second.account_id); account != accounts_.end()) {
    account->second.active_session_ids.erase(session_id);
  }
}

void Model::EraseAccount(AccountState& account, const std::string& key_id) {
  account.erased = true;
  account.erased_key_id = key_id;
  IndexEmail(account, "");
  account.pending_email.reset();
  account.pending_email_index.clear();
  ReplaceToken(account, account.confirmation_token_hash, "");
  ReplaceToken(account, account.password_token_hash, "");
  ReplaceToken(account, account.email_change_token_hash, "");
  account.password_hash.clear();
  account.pending_totp_secret.reset();
  account.totp_secret.reset();
  const std::set<std::string> sessions = account.active_session_ids;  // EndSession edits it
  for (const std::string& session_id : sessions) EndSession(session_id);
}

void Model::ApplyContractTerms(const v1::ContractTerms& terms, int64_t legacy_id) {
  ContractState& contract = contracts_[terms.contract_number()];
  contract.terms = terms;
  contract.legacy_contract_id = legacy_id;
  for (const auto& item : terms.items()) {
    contracts_by_serial_.emplace(item.serial(), terms.contract_number());
  }
}

uint64_t Model::StreamVersion(const std::string& stream) const {
  auto it = versions_.find(stream);
  return it == versions_.end() ? 0 : it->second;
}

std::string Model::NextTicketNumber() const {
  for (uint64_t next = ticket_count() + 1;; ++next) {
    char text[32];
    std::snprintf(text, sizeof text, "LD-%06llu", static_cast<unsigned long long>(next));
    if (!ticket_numbers_.contains(text)) return text;
  }
}

const std::string* Model::FindErasedContactKey(const std::string& subject_id) const {
  auto it = erased_contacts_.find(subject_id);
  return it == erased_contacts_.end() ? nullptr : &it->second;
}

const std::string* Model::FindSubjectByEmailIndex(const std::string& email_index) const {
  auto it = subjects_by_email_index_.find(email_index);
  return it == subjects_by_email_index_.end() ? nullptr : &it->second;
}

const ContractState* Model::FindContract(const std::string& number) const {
  auto it = contracts_.find(number);
  return it == contracts_.end() ? nullptr : &it->second;
}

std::vector<const ContractState*> Model::ContractsWithSerial(const std::string& serial) const {
  std::vector<const ContractState*> found;
  auto [first, last] = contracts_by_serial_.equal_range(serial);
  for (auto it = first; it != last; ++it) {
    if (const ContractState* contract = FindContract(it->second)) found.push_back(contract);
  }
  return found;
}

const OrganizationState* Model::FindOrganization(const std::string& organization_id) const {
  auto it = organizations_.find(organization_id);
  return it == organizations_.end() ? nullptr : &it->second;
}

const TicketState* Model::FindTicket(const std::string& ticket_id) const {
  auto it = tickets_.find(ticket_id);
  return it == tickets_.end() ? nullptr : &it->second;
}

const AccountState* Model::FindAccount(const std::string& account_id) const {
  auto it = accounts_.find(account_id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const AccountState* Model::FindAccountByEmailIndex(const std::string& email_index) const {
  auto it = accounts_by_email_index_.find(email_index);
  return it == accounts_by_email_index_.end() ? nullptr : FindAccount(it->second);
}

const AccountState* Model::FindAccountByToken(const std::string& token_hash) const {
  auto it = accounts_by_token_.find(token_hash);
  return it == accounts_by_token_.end() ? nullptr : FindAccount(it->second);
}

const SessionState* Model::FindSession(const std::string& token_hash,
                                       std::chrono::system_clock::time_point at) const {
  auto it = sessions_by_token_.find(token_hash);
  if (it == sessions_by_token_.end()) return nullptr;
  const SessionState* session = FindSessionById(it->second);
  if (session == nullptr || session->ended || at >= session->expires_at) return nullptr;
  return session;
}

const SessionState* Model::FindSessionById(const std::string& session_id) const {
  auto it = sessions_.find(session_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

}  // namespace ledgerdesk::domain
