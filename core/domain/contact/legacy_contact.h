#pragma once

// A person known only by an e-mail address, without an account: someone the legacy helpdesk named
// (a ticket's opener, a message's author, a CC address) or a portal ticket's CC address (the
// ticket's Decide makes those, "contact-cc-<ticket id>-<n>"). A contact is a data subject of its
// own ("contact-<id>"), with its own key, so that `audit history` and `audit erase` reach them
// like an account. It is made known by one SubjectKeyCreated on stream "subject-<id>" carrying the
// keyed hash of the address (how audits find it) and the address sealed with the contact's own
// key.

#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "core/domain/sealer.h"
#include "core/values/email.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model;

// "subject-<id>": the stream of a data subject's key and erasure events.
std::string SubjectStream(std::string_view subject_id);

inline constexpr std::string_view kLegacyContactPrefix = "contact-";

// Adds the SubjectKeyCreated that makes `contact_id` known (see above). Errors: the sealer's.
Status MakeContactKnown(EventBuilder& events, const std::string& contact_id,
                        const values::Email& email, const std::string& email_index, Sealer& sealer);

struct RegisterLegacyContact {
  std::string contact_id;   // "contact-..." (the migrator derives it from a legacy row)
  values::Email email;      // sealed with the contact's key
  std::string email_index;  // crypto::EmailIndex of `email`
};

// One SubjectKeyCreated; nothing when the contact is known already (a re-run). Errors:
// kInvalidArgument for an id without the "contact-" prefix or an empty index; kAlreadyExists when
// the address is another contact's (the caller looks contacts up by index first,
// Model::FindSubjectByEmailIndex).
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RegisterLegacyContact& command,
                                         const CommandContext& context, Sealer& sealer);

}  // namespace ledgerdesk::domain
