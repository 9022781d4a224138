#pragma once

// The legacy helpdesk's people as data subjects (core/domain/contact/legacy_contact.h): every
// distinct address (letter case ignored) a moved ticket names (its opener, its messages' authors,
// its CC addresses) is one legacy contact with a key of its own.
//
// A contact's id is derived from the first moved ticket that names the address, as its
// `ordinal`-th person: "contact-" + hex of LegacyEventId("contacts", ticket id, ordinal), and its
// SubjectKeyCreated's event id is LegacyEventId("events/contacts", ticket id, ordinal). Tickets are
// met in id order in every run, so a resumed run derives the same ids; an address the log already
// knows (Model::FindSubjectByEmailIndex, by its keyed hash) keeps the id it was given.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/status.h"
#include "core/domain/contact/legacy_contact.h"
#include "core/domain/model.h"
#include "core/values/email.h"

namespace ledgerdesk::migrator {

class LegacyContacts {
 public:
  // `index_key`: the data dir's e-mail index key (app::LoadOrCreateIndexKey).
  explicit LegacyContacts(std::string index_key) : index_key_(std::move(index_key)) {}

  // The contact id of `email`, named by legacy ticket `ticket_id` as its `ordinal`-th person. A
  // contact the log does not know yet is remembered for NewContacts. Not thread-safe. Errors: the
  // keyed hash's.
  Result<std::string> SubjectOf(const values::Email& email, int64_t ticket_id, int ordinal,
                                const domain::Model& model);

  struct NewContact {
    domain::RegisterLegacyContact command;
    std::string event_id;
  };
  // The contacts met since the last call that the log did not know: to be registered.
  std::vector<NewContact> TakeNew();

 private:
  std::string index_key_;
  std::unordered_map<std::string, std::string> by_address_;  // Email::LookupKey -> contact id
  std::vector<NewContact> new_;
};

}  // namespace ledgerdesk::migrator
