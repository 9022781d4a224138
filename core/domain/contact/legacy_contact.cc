#include "core/domain/contact/legacy_contact.h"

#include "core/domain/model.h"

namespace ledgerdesk::domain {

std::string SubjectStream(std::string_view subject_id) {
  return "subject-" + std::string(subject_id);
}

Result<std::vector<v1::Envelope>> Decide(const Model& model, const RegisterLegacyContact& command,
                                         const CommandContext& context, Sealer& sealer) {
  if (!command.contact_id.starts_with(kLegacyContactPrefix) ||
      command.contact_id.size() == kLegacyContactPrefix.size()) {
    return InvalidArgument("a legacy contact's id starts with \"contact-\"");
  }
  if (command.email_index.empty())
    return InvalidArgument("a legacy contact needs its e-mail index");
  const std::string stream = SubjectStream(command.contact_id);
  if (const std::string* known = model.FindSubjectByEmailIndex(command.email_index)) {
    if (*known == command.contact_id) return std::vector<v1::Envelope>{};
    return AlreadyExists("the address belongs to " + *known + " already");
  }
  if (model.StreamVersion(stream) > 0) return std::vector<v1::Envelope>{};  // known (erased, say)
  EventBuilder events(context, [&](const std::string& s) { return model.StreamVersion(s); });
  auto* created = events.Add(stream).mutable_subject_key_created();
  created->set_subject_id(command.contact_id);
  created->set_email_index(command.email_index);
  LD_ASSIGN_OR_RETURN(*created->mutable_email(),
                      sealer.Seal(command.contact_id, command.email.value()));
  created->set_key_id(created->email().key_id());
  return events.Take();
}

}  // namespace ledgerdesk::domain
