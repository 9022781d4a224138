#include "core/domain/contact/legacy_contact.h"

#include "core/domain/model.h"

namespace ledgerdesk::domain {

std::string SubjectStream(std::string_view subject_id) {
  return "subject-" + std::string(subject_id);
}

Status MakeContactKnown(EventBuilder& events, const std::string& contact_id,
                        const values::Email& email, const std::string& email_index,
                        Sealer& sealer) {
  auto* created = events.Add(SubjectStream(contact_id)).mutable_subject_key_created();
  created->set_subject_id(contact_id);
  created->set_email_index(email_index);
  LD_ASSIGN_OR_RETURN(*created->mutable_email(), sealer.Seal(contact_id, email.value()));
  created->set_key_id(created->email().key_id());
  return OkStatus();
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
  LD_RETURN_IF_ERROR(
      MakeContactKnown(events, command.contact_id, command.email, command.email_index, sealer));
  return events.Take();
}

}  // namespace ledgerdesk::domain
