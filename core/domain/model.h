#pragma once

// The write side's state: every applied event folded into the aggregates' states, with the
// indexes the rules need (a serial's contracts, an e-mail's account). Decide functions read it;
// only Apply changes it. Not thread-safe: the app layer owns one and guards it.

#include <chrono>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/domain/account/account.h"
#include "core/domain/contract/contract.h"
#include "core/domain/ticket/ticket.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model {
 public:
  // Folds one event that passed the log's validation (its stream's next version, a new id).
  void Apply(const v1::Envelope& envelope);

  // The version of the stream's last applied event, 0 when none.
  uint64_t StreamVersion(const std::string& stream) const;

  const ContractState* FindContract(const std::string& number) const;
  // Every contract that lists `serial` as an item (in no particular order).
  std::vector<const ContractState*> ContractsWithSerial(const std::string& serial) const;
  const OrganizationState* FindOrganization(const std::string& organization_id) const;
  const TicketState* FindTicket(const std::string& ticket_id) const;
  // How many tickets were opened or imported.
  uint64_t ticket_count() const { return tickets_.size(); }
  // The number the next opened ticket gets: "LD-" and six or more digits, ticket_count() + 1 or
  // the first one after it that no ticket (an imported one included) holds yet. Depends only on
  // the events applied, so a replay gives every ticket the number it was opened with.
  std::string NextTicketNumber() const;

  const AccountState* FindAccount(const std::string& account_id) const;
  // The account whose current address has this crypto::EmailIndex.
  const AccountState* FindAccountByEmailIndex(const std::string& email_index) const;
  // The data subject made known by a SubjectKeyCreated with this crypto::EmailIndex (a contact:
  // a CC address, a legacy person) and not erased since, or null.
  const std::string* FindSubjectByEmailIndex(const std::string& email_index) const;
  // The key id a contact's erasure (SubjectErased) destroyed, or null when it was not erased.
  const std::string* FindErasedContactKey(const std::string& subject_id) const;
  // The account an open confirmation, reset, invitation or set-password token belongs to (the
  // caller checks which of its tokens it is and whether it expired).
  const AccountState* FindAccountByToken(const std::string& token_hash) const;
  // The session with this token hash if it was not ended and has not expired at `at`.
  const SessionState* FindSession(const std::string& token_hash,
                                  std::chrono::system_clock::time_point at) const;
  // A session by id, ended or not.
  const SessionState* FindSessionById(const std::string& session_id) const;

  // Mails queued and not yet recorded as sent, by mail id (the outbox).
  const std::map<std::string, v1::EmailQueued>& pending_mails() const { return pending_mails_; }

 private:
  void ApplyContractTerms(const v1::ContractTerms& terms, int64_t legacy_id);
  // Returns the account's state for an account event (created on first use).
  AccountState& Account(const std::string& account_id);
  // Points `email_index` at the account (dropping its previous entry).
  void IndexEmail(AccountState& account, const std::string& email_index);
  // Replaces one of the account's open tokens in the token index; "" just drops it.
  void ReplaceToken(const AccountState& account, std::string& held, const std::string& token_hash);
  void EndSession(const std::string& session_id);
  // The account's end as a person: sessions and open tokens gone, its address free to register
  // again, no password to log in with. What it did stays (sealed with the destroyed key).
  void EraseAccount(AccountState& account, const std::string& key_id);
  // Folds the account aggregate's events (reached from Apply's default branch).
  void ApplyAccountEvent(const v1::Envelope& envelope, std::chrono::system_clock::time_point at);

  std::unordered_map<std::string, uint64_t> versions_;
  std::map<std::string, ContractState> contracts_;
  std::unordered_multimap<std::string, std::string> contracts_by_serial_;
  std::map<std::string, OrganizationState> organizations_;
  std::unordered_map<std::string, TicketState> tickets_;
  std::unordered_set<std::string> ticket_numbers_;
  std::unordered_map<std::string, AccountState> accounts_;
  std::unordered_map<std::string, std::string> accounts_by_email_index_;
  std::unordered_map<std::string, std::string> accounts_by_token_;
  std::unordered_map<std::string, SessionState> sessions_;
  std::unordered_map<std::string, std::string> sessions_by_token_;
  std::map<std::string, v1::EmailQueued> pending_mails_;
  std::unordered_map<std::string, std::string> subjects_by_email_index_;
  std::unordered_map<std::string, std::string> erased_contacts_;  // subject id -> destroyed key id
};

}  // namespace ledgerdesk::domain
