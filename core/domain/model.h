#pragma once

// The write side's state: every applied event folded into the aggregates' states, with the
// indexes the rules need (a serial's contracts, an e-mail's account). Decide functions read it;
// only Apply changes it. Not thread-safe: the app layer owns one and guards it.

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

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
  // How many tickets were opened or imported (numbers the next one).
  uint64_t ticket_count() const { return tickets_.size(); }

 private:
  void ApplyContractTerms(const v1::ContractTerms& terms, int64_t legacy_id);

  std::unordered_map<std::string, uint64_t> versions_;
  std::map<std::string, ContractState> contracts_;
  std::unordered_multimap<std::string, std::string> contracts_by_serial_;
  std::map<std::string, OrganizationState> organizations_;
  std::unordered_map<std::string, TicketState> tickets_;
};

}  // namespace ledgerdesk::domain
