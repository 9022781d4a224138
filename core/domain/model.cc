#include "core/domain/model.h"

namespace ledgerdesk::domain {

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
      break;
    }
    case v1::Envelope::kTicketImported: {
      const auto& e = envelope.ticket_imported();
      TicketState& ticket = tickets_[e.ticket_id()];
      ticket.ticket_id = e.ticket_id();
      ticket.number = e.number();
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
    default:
      break;  // events of other aggregates, or that change nothing the rules read
  }
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

}  // namespace ledgerdesk::domain
