#include "core/domain/ticket/ticket.h"

#include <set>

#include "core/domain/contact/legacy_contact.h"
#include "core/domain/dates.h"
#include "core/domain/model.h"
#include "core/log/envelope_codec.h"
#include "core/values/ascii.h"

namespace ledgerdesk::domain {
namespace {

using Envelopes = std::vector<v1::Envelope>;

bool IsCustomer(const Caller& caller) { return caller.role == v1::ROLE_CUSTOMER; }
bool IsEngineer(const Caller& caller) { return caller.role == v1::ROLE_ENGINEER; }

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Status CheckText(std::string_view text, std::string_view field, size_t max_length) {
  if (Trim(text).empty()) return InvalidArgument(std::string(field) + " is required");
  if (text.size() > max_length) {
    return InvalidArgument(std::string(field) + " is longer than " + std::to_string(max_length) +
                           " bytes");
  }
  return OkStatus();
}

// The opener's notification and the e-mail to the opener and every CC address that an engineer's
// reply or a status change (closing and reopening too) sends.
Status NotifyCustomer(const TicketState& ticket, std::string_view kind, std::string_view text,
                      EventBuilder& events, const CommandContext& context, Sealer& sealer) {
  const std::string stream = TicketStream(ticket.ticket_id);
  const std::string subject = ticket.opened_by.empty() ? ticket.organization_id : ticket.opened_by;
  if (!ticket.opened_by.empty()) {
    auto* notification = events.Add(stream).mutable_notification_queued();
    notification->set_notification_id(log::Hex(NewId(context)));
    notification->set_account_id(ticket.opened_by);
    notification->set_ticket_id(ticket.ticket_id);
    notification->set_kind(std::string(kind));
    LD_ASSIGN_OR_RETURN(*notification->mutable_text(), sealer.Seal(subject, text));
  }
  if (ticket.opened_by.empty() && ticket.cc.empty()) return OkStatus();
  auto* mail = events.Add(stream).mutable_email_queued();
  mail->set_mail_id(log::Hex(NewId(context)));
  mail->set_template_("ticket_update");
  mail->set_ticket_id(ticket.ticket_id);
  if (!ticket.opened_by.empty()) mail->add_to_account_ids(ticket.opened_by);
  for (const auto& cc : ticket.cc) *mail->add_to() = cc;
  for (const auto& subject : ticket.cc_subjects) {
    if (!subject.empty()) mail->add_cc_account_ids(subject);
  }
  LD_ASSIGN_OR_RETURN(*mail->mutable_subject(),
                      sealer.Seal(subject, "Ticket " + ticket.number + ": " + std::string(kind)));
  LD_ASSIGN_OR_RETURN(*mail->mutable_body(), sealer.Seal(subject, text));
  return OkStatus();
}

// NotifyCustomer of a status change (an engineer's, a close, a reopen) to `status`.
Status NotifyStatus(const TicketState& ticket, v1::TicketStatus status, EventBuilder& events,
                    const CommandContext& context, Sealer& sealer) {
  return NotifyCustomer(
      ticket, "status_changed",
      "Status of ticket " + ticket.number + ": " + std::string(TicketStatusName(status)), events,
      context, sealer);
}

// A CC address and the data subject it is: the account with that confirmed address, else the
// contact an earlier ticket or the migration made for it, else a new contact (`is_new`: made
// known by MakeContactKnown after the event that names it). An unconfirmed account is passed
// over: anyone may register an address they do not own, and its key must not take a stranger's.
struct CcEntry {
  const values::Email* email;
  std::string email_index;  // crypto::EmailIndex of `email`
  std::string subject;
  bool is_new = false;
};

Result<CcEntry> CcEntryOf(const Model& model, const values::Email& email,
                          const std::string& email_index, std::string new_contact_id) {
  if (email_index.empty()) return Internal("the app layer must give each CC address its index");
  CcEntry entry{.email = &email, .email_index = email_index};
  const AccountState* account = model.FindAccountByEmailIndex(email_index);
  if (account != nullptr && account->email_confirmed) {
    entry.subject = account->account_id;
  } else if (const std::string* contact = model.FindSubjectByEmailIndex(email_index)) {
    entry.subject = *contact;
  } else {
    entry.subject = std::move(new_contact_id);
    entry.is_new = true;
  }
  return entry;
}

// The SubjectKeyCreated of a new contact; nothing for a known subject.
Status MakeKnownIfNew(const CcEntry& cc, EventBuilder& events, Sealer& sealer) {
  if (!cc.is_new) return OkStatus();
  return MakeContactKnown(events, cc.subject, *cc.email, cc.email_index, sealer);
}

// The id of the contact a ticket's `ordinal`-th CC address gets when it has none yet: unique, as a
// ticket's CC list only grows.
std::string NewCcContactId(const std::string& ticket_id, size_t ordinal) {
  return std::string(kLegacyContactPrefix) + "cc-" + ticket_id + "-" + std::to_string(ordinal);
}

EventBuilder Builder(const Model& model, const CommandContext& context) {
  return EventBuilder(context, [&model](const std::string& s) { return model.StreamVersion(s); });
}

}  // namespace

Result<const TicketState*> VisibleTicket(const Model& model, const Caller& caller,
                                         const std::string& ticket_id) {
  const TicketState* ticket = model.FindTicket(ticket_id);
  if (ticket == nullptr || !CanSee(model, caller, *ticket)) {
    return NotFound("no ticket " + ticket_id);
  }
  return ticket;
}

Result<const TicketState*> ActableTicket(const Model& model, const Caller& caller,
                                         const std::string& ticket_id) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket, VisibleTicket(model, caller, ticket_id));
  if (!IsCustomer(caller) && !IsEngineer(caller)) {
    return PermissionDenied("partners may read a ticket but not change it");
  }
  return ticket;
}

std::string TicketStream(std::string_view ticket_id) { return "ticket-" + std::string(ticket_id); }

bool CanSee(const Model& model, const Caller& caller, const TicketState& ticket) {
  switch (caller.role) {
    case v1::ROLE_ENGINEER:
      return true;
    case v1::ROLE_CUSTOMER:
      return !caller.organization_id.empty() && caller.organization_id == ticket.organization_id;
    case v1::ROLE_PARTNER: {
      if (!ticket.partner_access || caller.partner_name.empty()) return false;
      const OrganizationState* organization = model.FindOrganization(ticket.organization_id);
      return organization != nullptr && organization->partner_name == caller.partner_name;
    }
    default:
      return false;
  }
}

std::string_view TicketStatusName(v1::TicketStatus status) {
  switch (status) {
    case v1::TICKET_STATUS_OPEN:
      return "open";
    case v1::TICKET_STATUS_IN_PROGRESS:
      return "in_progress";
    case v1::TICKET_STATUS_WAITING_FOR_CUSTOMER:
      return "waiting_for_customer";
    case v1::TICKET_STATUS_RESOLVED:
      return "resolved";
    case v1::TICKET_STATUS_CLOSED:
      return "closed";
    default:
      return "unknown";
  }
}

Result<v1::TicketStatus> ParseTicketStatus(std::string_view text) {
  for (auto status : {v1::TICKET_STATUS_OPEN, v1::TICKET_STATUS_IN_PROGRESS,
                      v1::TICKET_STATUS_WAITING_FOR_CUSTOMER, v1::TICKET_STATUS_RESOLVED,
                      v1::TICKET_STATUS_CLOSED}) {
    if (text == TicketStatusName(status)) return status;
  }
  return InvalidArgument(
      "status must be one of open, in_progress, waiting_for_customer, resolved, closed");
}

Result<v1::TicketPriority> ParseTicketPriority(std::string_view text) {
  if (text.empty() || text == "normal") return v1::TICKET_PRIORITY_NORMAL;
  if (text == "urgent") return v1::TICKET_PRIORITY_URGENT;
  return InvalidArgument("priority must be normal or urgent");
}

bool IsMediaType(std::string_view text) {
  if (text.size() > 255) return false;
  const auto is_token = [](char c) {
    return values::IsAsciiAlnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  size_t at = 0;
  const auto token = [&] {
    const size_t start = at;
    while (at < text.size() && is_token(text[at])) ++at;
    return at > start;
  };
  const auto spaces = [&] {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
  };
  if (!token() || at >= text.size() || text[at++] != '/' || !token()) return false;
  while (true) {
    spaces();
    if (at == text.size()) return true;
    if (text[at++] != ';') return false;
    spaces();
    if (!token() || at >= text.size() || text[at++] != '=') return false;
    if (at < text.size() && text[at] == '"') {
      for (++at; at < text.size() && text[at] != '"'; ++at) {
        if (values::IsAsciiControl(text[at]) || text[at] == '\\') return false;
      }
      if (at++ >= text.size()) return false;  // unterminated
    } else if (!token()) {
      return false;
    }
  }
}

Status CheckMediaType(std::string_view content_type) {
  if (content_type.empty() || IsMediaType(content_type)) return OkStatus();
  return InvalidArgument("Content-Type must be a media type such as text/plain or image/png");
}

std::string SafeFileName(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string safe;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' ||
        c == '*' || c == '?') {
      safe += '_';
    } else {
      safe += static_cast<char>(c);
    }
  }
  safe = std::string(Trim(safe));
  while (!safe.empty() && safe.front() == '.') safe.erase(safe.begin());  // no hidden or ".."
  if (safe.size() > 200) {
    // Keep the extension; cut on a UTF-8 character boundary.
    const auto dot = safe.find_last_of('.');
    std::string extension =
        dot != std::string::npos && safe.size() - dot <= 16 ? safe.substr(dot) : "";
    size_t cut = 200 - extension.size();
    while (cut > 0 && (static_cast<unsigned char>(safe[cut]) & 0xC0) == 0x80) --cut;
    safe = safe.substr(0, cut) + extension;
  }
  return safe.empty() ? "attachment" : safe;
}

Result<Envelopes> Decide(const Model& model, const OpenTicket& command,
                         const CommandContext& context, Sealer& sealer,
                         ResponseDueFn response_due) {
  const Caller& caller = command.caller;
  if (!IsCustomer(caller)) return PermissionDenied("only customers open tickets");
  if (caller.organization_id.empty()) {
    return PermissionDenied("verify the account with a contract number and a serial first");
  }
  const ContractState* contract = model.FindContract(command.contract_number.value());
  if (contract == nullptr || contract->terms.organization_id() != caller.organization_id) {
    return NotFound("no contract " + command.contract_number.value());
  }
  const v1::Date today = WarsawDate(context.now);
  if (!IsActiveOn(*contract, today)) {
    return FailedPrecondition("contract " + command.contract_number.value() +
                              " is not active today (it runs " +
                              FormatDate(contract->terms.starts_on()) + " to " +
                              FormatDate(contract->terms.ends_on()) + ")");
  }
  bool on_contract = false;
  for (const auto& item : contract->terms.items())
    on_contract |= item.serial() == command.serial.value();
  if (!on_contract) {
    return InvalidArgument("serial " + command.serial.value() + " is not on contract " +
                           command.contract_number.value());
  }
  LD_RETURN_IF_ERROR(CheckText(command.title, "title", kMaxTitleLength));
  LD_RETURN_IF_ERROR(CheckText(command.description, "description", kMaxBodyLength));
  if (command.cc.size() > kMaxCcAddresses) {
    return InvalidArgument("cc takes at most " + std::to_string(kMaxCcAddresses) + " addresses");
  }
  if (command.ticket_id.empty() || model.FindTicket(command.ticket_id) != nullptr) {
    return Internal("the app layer must give a new ticket a fresh id");
  }
  if (command.cc_email_indexes.size() != command.cc.size()) {
    return Internal("the app layer must give each CC address its index");
  }

  // The number comes from the state the command is decided on; the sequence event makes two opens
  // decided on the same state conflict, so the writer has the later one decided again.
  const std::string number = model.NextTicketNumber();
  EventBuilder events = Builder(model, context);
  // The CC addresses (one given twice is mailed once) and whose each is.
  std::vector<CcEntry> ccs;
  std::set<std::string> once;
  for (size_t i = 0; i < command.cc.size(); ++i) {
    const values::Email& cc = command.cc[i];
    if (!once.insert(cc.LookupKey()).second) continue;
    LD_ASSIGN_OR_RETURN(CcEntry entry, CcEntryOf(model, cc, command.cc_email_indexes[i],
                                                 NewCcContactId(command.ticket_id, ccs.size())));
    ccs.push_back(std::move(entry));
  }
  auto* opened = events.Add(TicketStream(command.ticket_id)).mutable_ticket_opened();
  opened->set_ticket_id(command.ticket_id);
  opened->set_number(number);
  opened->set_organization_id(caller.organization_id);
  opened->set_contract_number(command.contract_number.value());
  opened->set_serial(command.serial.value());
  LD_ASSIGN_OR_RETURN(*opened->mutable_title(),
                      sealer.Seal(caller.account_id, Trim(command.title)));
  LD_ASSIGN_OR_RETURN(*opened->mutable_description(),
                      sealer.Seal(caller.account_id, command.description));
  opened->set_opened_by(caller.account_id);
  for (const CcEntry& cc : ccs) {
    LD_ASSIGN_OR_RETURN(*opened->add_cc(), sealer.Seal(cc.subject, cc.email->value()));
    opened->add_cc_account_ids(cc.subject);
  }
  opened->set_partner_access(command.partner_access);
  opened->set_priority(command.priority);
  if (command.priority == v1::TICKET_PRIORITY_URGENT) {
    opened->mutable_urgent_fee()->set_currency("PLN");
    opened->mutable_urgent_fee()->set_minor_units(kUrgentFeeGrosze);
  }
  *opened->mutable_response_due_at() =
      ToTimestamp(response_due(context.now, contract->terms.support_window()));
  auto* assigned = events.Add(std::string(kTicketNumbersStream)).mutable_ticket_number_assigned();
  assigned->set_ticket_id(command.ticket_id);
  assigned->set_number(number);
  for (const CcEntry& cc : ccs) LD_RETURN_IF_ERROR(MakeKnownIfNew(cc, events, sealer));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ImportTicket& command,
                         const CommandContext& context, Sealer& sealer) {
  if (command.ticket_id.empty()) return Internal("an imported ticket needs its id");
  std::vector<const ImportedFile*> files = {&command.transcript};
  for (const auto& file : command.attachments) files.push_back(&file);
  for (const ImportedFile* file : files) LD_RETURN_IF_ERROR(CheckMediaType(file->content_type));
  auto add_file = [&](EventBuilder& events, const ImportedFile& file,
                      const std::string& organization_id) {
    auto* added = events.Add(TicketStream(command.ticket_id)).mutable_attachment_added();
    added->set_ticket_id(command.ticket_id);
    added->set_attachment_id(file.attachment_id);
    added->set_sha256(file.sha256);
    added->set_size(file.size);
    added->set_file_name(SafeFileName(file.file_name));
    added->set_content_type(file.content_type.empty() ? "application/octet-stream"
                                                      : file.content_type);
    added->set_subject_id(file.subject_id.empty() ? organization_id : file.subject_id);
    if (&file == &command.transcript) {
      for (const auto& participant : command.transcript_participants) {
        added->add_participant_account_ids(participant);
      }
      added->set_source_sha256(command.transcript_source_sha256);
    }
  };
  if (const TicketState* existing = model.FindTicket(command.ticket_id); existing != nullptr) {
    if (existing->legacy_ticket_id != command.legacy_ticket_id) {
      return AlreadyExists("ticket id " + command.ticket_id + " belongs to another ticket");
    }
    // Imported before. Should a crash have cut the import's events short, only the files it
    // lacks are added; ids are drawn for every event in the same order as the first time, so
    // each event keeps the id it would have had.
    EventBuilder events = Builder(model, context);
    NewId(context);  // TicketImported's
    for (const ImportedFile* file : files) {
      if (existing->attachment_ids.contains(file->attachment_id)) {
        NewId(context);
      } else {
        add_file(events, *file, existing->organization_id);
      }
    }
    return events.Take();
  }
  const std::string& number = command.contract_number.value();
  const ContractState* contract = model.FindContract(number);
  if (contract == nullptr) return NotFound("no contract " + number);
  if (command.serial.has_value()) {
    bool on_contract = false;
    for (const auto& item : contract->terms.items())
      on_contract |= item.serial() == command.serial->value();
    if (!on_contract) {
      return InvalidArgument("serial " + command.serial->value() + " is not on contract " + number);
    }
  }
  LD_RETURN_IF_ERROR(CheckText(command.title, "title", kMaxTitleLength));
  if (command.status != v1::TICKET_STATUS_OPEN &&
      command.status != v1::TICKET_STATUS_WAITING_FOR_CUSTOMER) {
    return InvalidArgument("an imported ticket is open or waiting for the customer");
  }
  if (command.cc.size() > kMaxCcAddresses) {
    return InvalidArgument("cc takes at most " + std::to_string(kMaxCcAddresses) + " addresses");
  }
  if (!command.cc_subjects.empty() && command.cc_subjects.size() != command.cc.size()) {
    return InvalidArgument("cc_subjects names one subject per cc address, or none");
  }
  std::set<std::string> file_ids;
  for (const ImportedFile* file : files) {
    if (file->sha256.size() != 32) return InvalidArgument("an attachment needs its SHA-256 digest");
    if (file->attachment_id.empty() || !file_ids.insert(file->attachment_id).second) {
      return InvalidArgument("attachment ids must be given and distinct");
    }
  }

  const std::string& organization_id = contract->terms.organization_id();
  EventBuilder events = Builder(model, context);
  const std::string stream = TicketStream(command.ticket_id);
  auto* imported = events.Add(stream).mutable_ticket_imported();
  imported->set_ticket_id(command.ticket_id);
  imported->set_number(command.number);
  imported->set_legacy_ticket_id(command.legacy_ticket_id);
  imported->set_organization_id(organization_id);
  imported->set_contract_number(number);
  if (command.serial.has_value()) imported->set_serial(command.serial->value());
  // Each person's text under their own key; the organization's where the legacy row named nobody.
  auto owner = [&](const std::string& subject) -> const std::string& {
    return subject.empty() ? organization_id : subject;
  };
  LD_ASSIGN_OR_RETURN(*imported->mutable_title(),
                      sealer.Seal(owner(command.opened_by), Trim(command.title)));
  imported->set_opened_by(command.opened_by);
  imported->set_status(command.status);
  imported->set_priority(command.priority);
  imported->set_partner_access(command.partner_access);
  *imported->mutable_opened_at() = ToTimestamp(command.opened_at);
  std::set<std::string> once;  // a legacy row that lists an address twice: mailed once
  for (size_t i = 0; i < command.cc.size(); ++i) {
    if (!once.insert(command.cc[i].LookupKey()).second) continue;
    const std::string& subject = command.cc_subjects.empty() ? "" : command.cc_subjects[i];
    LD_ASSIGN_OR_RETURN(*imported->add_cc(), sealer.Seal(owner(subject), command.cc[i].value()));
    if (!command.cc_subjects.empty()) imported->add_cc_account_ids(subject);
  }
  imported->set_transcript_attachment_id(command.transcript.attachment_id);
  for (const ImportedFile* file : files) add_file(events, *file, organization_id);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const PostMessage& command,
                         const CommandContext& context, Sealer& sealer) {
  const Caller& caller = command.caller;
  LD_ASSIGN_OR_RETURN(const TicketState* ticket, ActableTicket(model, caller, command.ticket_id));
  LD_RETURN_IF_ERROR(CheckText(command.body, "body", kMaxBodyLength));
  EventBuilder events = Builder(model, context);
  const std::string stream = TicketStream(ticket->ticket_id);
  if (IsCustomer(caller) && ticket->status == v1::TICKET_STATUS_CLOSED) {
    auto* reopened = events.Add(stream).mutable_ticket_reopened();
    reopened->set_ticket_id(ticket->ticket_id);
    reopened->set_reopened_by(caller.account_id);
    reopened->set_reason("customer_message");
    LD_RETURN_IF_ERROR(NotifyStatus(*ticket, v1::TICKET_STATUS_OPEN, events, context, sealer));
  }
  auto* posted = events.Add(stream).mutable_message_posted();
  posted->set_ticket_id(ticket->ticket_id);
  posted->set_message_id(command.message_id);
  posted->set_author_account_id(caller.account_id);
  posted->set_author_role(caller.role);
  LD_ASSIGN_OR_RETURN(*posted->mutable_body(), sealer.Seal(caller.account_id, command.body));
  if (IsEngineer(caller)) {
    if (!ticket->responded_at.has_value()) {
      auto* responded = events.Add(stream).mutable_ticket_responded();
      responded->set_ticket_id(ticket->ticket_id);
      responded->set_responded_by(caller.account_id);
      *responded->mutable_responded_at() = ToTimestamp(context.now);
      responded->set_breached(context.now > ticket->response_due_at);
    }
    LD_RETURN_IF_ERROR(
        NotifyCustomer(*ticket, "engineer_reply", command.body, events, context, sealer));
  }
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const AddAttachment& command,
                         const CommandContext& context) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (command.size > kMaxAttachmentBytes) {
    return InvalidArgument("an attachment may have at most 25 MiB");
  }
  if (command.sha256.size() != 32) return Internal("an attachment needs its SHA-256 digest");
  LD_RETURN_IF_ERROR(CheckMediaType(command.content_type));
  EventBuilder events = Builder(model, context);
  auto* added = events.Add(TicketStream(ticket->ticket_id)).mutable_attachment_added();
  added->set_ticket_id(ticket->ticket_id);
  added->set_attachment_id(command.attachment_id);
  added->set_sha256(command.sha256);
  added->set_size(command.size);
  added->set_file_name(SafeFileName(command.file_name));
  added->set_content_type(command.content_type.empty() ? "application/octet-stream"
                                                       : command.content_type);
  added->set_added_by(command.caller.account_id);
  added->set_subject_id(command.caller.account_id);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const AddCc& command, const CommandContext& context,
                         Sealer& sealer) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (ticket->cc.size() >= kMaxCcAddresses) {
    return FailedPrecondition("a ticket has at most " + std::to_string(kMaxCcAddresses) +
                              " CC addresses");
  }
  for (const v1::Sealed& cc : ticket->cc) {
    LD_ASSIGN_OR_RETURN(const std::string address, sealer.Open(cc));
    if (values::AsciiLower(address) == command.email.LookupKey()) {
      return AlreadyExists("this address is already in the CC of ticket " + ticket->number);
    }
  }
  LD_ASSIGN_OR_RETURN(const CcEntry cc,
                      CcEntryOf(model, command.email, command.email_index,
                                NewCcContactId(ticket->ticket_id, ticket->cc.size())));
  EventBuilder events = Builder(model, context);
  auto* added = events.Add(TicketStream(ticket->ticket_id)).mutable_cc_added();
  added->set_ticket_id(ticket->ticket_id);
  LD_ASSIGN_OR_RETURN(*added->mutable_email(), sealer.Seal(cc.subject, command.email.value()));
  added->set_subject_id(cc.subject);
  LD_RETURN_IF_ERROR(MakeKnownIfNew(cc, events, sealer));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ChangePartnerAccess& command,
                         const CommandContext& context) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (!IsCustomer(command.caller)) {
    return PermissionDenied("the partner-access consent is the customer's to give");
  }
  EventBuilder events = Builder(model, context);
  if (ticket->partner_access == command.granted) return events.Take();  // already so: no event
  auto* changed = events.Add(TicketStream(ticket->ticket_id)).mutable_partner_access_changed();
  changed->set_ticket_id(ticket->ticket_id);
  changed->set_granted(command.granted);
  changed->set_changed_by(command.caller.account_id);
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ChangeStatus& command,
                         const CommandContext& context, Sealer& sealer) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (!IsEngineer(command.caller)) return PermissionDenied("only engineers set a ticket's status");
  if (command.status == v1::TICKET_STATUS_UNSPECIFIED) {
    return InvalidArgument(
        "status must be one of open, in_progress, waiting_for_customer, resolved, closed");
  }
  EventBuilder events = Builder(model, context);
  if (ticket->status == command.status) return events.Take();  // already so: no event
  const std::string stream = TicketStream(ticket->ticket_id);
  auto* changed = events.Add(stream).mutable_ticket_status_changed();
  changed->set_ticket_id(ticket->ticket_id);
  changed->set_from(ticket->status);
  changed->set_to(command.status);
  changed->set_changed_by(command.caller.account_id);
  LD_RETURN_IF_ERROR(NotifyStatus(*ticket, command.status, events, context, sealer));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const CloseTicket& command,
                         const CommandContext& context, Sealer& sealer) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (ticket->status == v1::TICKET_STATUS_CLOSED) {
    return FailedPrecondition("ticket " + ticket->number + " is already closed");
  }
  EventBuilder events = Builder(model, context);
  auto* closed = events.Add(TicketStream(ticket->ticket_id)).mutable_ticket_closed();
  closed->set_ticket_id(ticket->ticket_id);
  closed->set_closed_by(command.caller.account_id);
  LD_RETURN_IF_ERROR(NotifyStatus(*ticket, v1::TICKET_STATUS_CLOSED, events, context, sealer));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const ReopenTicket& command,
                         const CommandContext& context, Sealer& sealer) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  if (ticket->status != v1::TICKET_STATUS_CLOSED) {
    return FailedPrecondition("ticket " + ticket->number + " is not closed");
  }
  EventBuilder events = Builder(model, context);
  auto* reopened = events.Add(TicketStream(ticket->ticket_id)).mutable_ticket_reopened();
  reopened->set_ticket_id(ticket->ticket_id);
  reopened->set_reopened_by(command.caller.account_id);
  reopened->set_reason("reopened");
  LD_RETURN_IF_ERROR(NotifyStatus(*ticket, v1::TICKET_STATUS_OPEN, events, context, sealer));
  return events.Take();
}

Result<Envelopes> Decide(const Model& model, const EscalateTicket& command,
                         const CommandContext& context, Sealer& sealer) {
  LD_ASSIGN_OR_RETURN(const TicketState* ticket,
                      ActableTicket(model, command.caller, command.ticket_id));
  LD_RETURN_IF_ERROR(CheckText(command.reason, "reason", kMaxBodyLength));
  if (ticket->status == v1::TICKET_STATUS_CLOSED) {
    return FailedPrecondition("reopen ticket " + ticket->number + " before escalating it");
  }
  EventBuilder events = Builder(model, context);
  auto* escalated = events.Add(TicketStream(ticket->ticket_id)).mutable_ticket_escalated();
  escalated->set_ticket_id(ticket->ticket_id);
  escalated->set_escalated_by(command.caller.account_id);
  LD_ASSIGN_OR_RETURN(*escalated->mutable_reason(),
                      sealer.Seal(command.caller.account_id, command.reason));
  return events.Take();
}

}  // namespace ledgerdesk::domain
