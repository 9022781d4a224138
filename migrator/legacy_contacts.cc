#include "migrator/legacy_contacts.h"

#include "core/crypto/keyed_hash.h"
#include "core/log/envelope_codec.h"
#include "migrator/transform.h"

namespace ledgerdesk::migrator {

Result<std::string> LegacyContacts::SubjectOf(const values::Email& email, int64_t ticket_id,
                                              int ordinal, const domain::Model& model) {
  const std::string address = email.LookupKey();
  if (auto it = by_address_.find(address); it != by_address_.end()) return it->second;
  LD_ASSIGN_OR_RETURN(std::string index, crypto::EmailIndex(index_key_, email));
  std::string id;
  if (const std::string* known = model.FindSubjectByEmailIndex(index)) {
    id = *known;
  } else {
    id = std::string(domain::kLegacyContactPrefix) +
         log::Hex(LegacyEventId("contacts", ticket_id, ordinal));
    new_.push_back({.command = {.contact_id = id, .email = email, .email_index = std::move(index)},
                    .event_id = LegacyEventId("events/contacts", ticket_id, ordinal)});
  }
  by_address_.emplace(address, id);
  return id;
}

std::vector<LegacyContacts::NewContact> LegacyContacts::TakeNew() {
  std::vector<NewContact> taken;
  taken.swap(new_);
  return taken;
}

}  // namespace ledgerdesk::migrator
