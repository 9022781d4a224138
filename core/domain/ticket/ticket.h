#pragma once

// The ticket aggregate (stream "ticket-<id>"): opened by a verified customer on a device of an
// active contract of their organization, answered by engineers under the SLA, closed and reopened
// at any time. Every engineer reply and status change notifies the opener and e-mails them and the
// CC addresses.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "core/domain/sealer.h"
#include "core/values/contract_number.h"
#include "core/values/email.h"
#include "core/values/serial.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model;

std::string TicketStream(std::string_view ticket_id);
// The sequence of ticket numbers: one TicketNumberAssigned per opened ticket.
inline constexpr std::string_view kTicketNumbersStream = "ticket-numbers";

struct TicketState {
  std::string ticket_id;
  std::string number;
  std::string organization_id;
  std::string contract_number;
  std::string serial;
  std::string opened_by;  // account id; empty for an imported ticket
  int64_t legacy_ticket_id = 0;
  v1::TicketStatus status = v1::TICKET_STATUS_OPEN;
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
  bool partner_access = false;
  std::chrono::system_clock::time_point opened_at;
  std::chrono::system_clock::time_point response_due_at;
  std::optional<std::chrono::system_clock::time_point> responded_at;
  std::vector<v1::Sealed> cc;
  // The data subject of each cc entry (TicketOpened.cc_account_ids), "" where the event that
  // added it predates them.
  std::vector<std::string> cc_subjects;
  std::set<std::string> attachment_ids;
};

// Who asks, as the app layer resolved it from the session.
struct Caller {
  std::string account_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string organization_id;  // customers: set once verified
  std::string partner_name;     // partners: the reseller they work for
};

// Whether `caller` may see the ticket: customers of its organization, engineers, and partners of
// the reseller that sold to the organization while the ticket's partner access is granted.
bool CanSee(const Model& model, const Caller& caller, const TicketState& ticket);
// The ticket if the caller may see it; kNotFound otherwise (also when it exists elsewhere).
Result<const TicketState*> VisibleTicket(const Model& model, const Caller& caller,
                                         const std::string& ticket_id);
// Customers of the ticket's organization and engineers act on a ticket; partners only read
// (kPermissionDenied), others as VisibleTicket.
Result<const TicketState*> ActableTicket(const Model& model, const Caller& caller,
                                         const std::string& ticket_id);

// Status names as the API spells them ("open", "in_progress", ...), and back.
std::string_view TicketStatusName(v1::TicketStatus status);
Result<v1::TicketStatus> ParseTicketStatus(std::string_view text);
Result<v1::TicketPriority> ParseTicketPriority(std::string_view text);  // "" means normal

// A file name reduced to a safe base name: no directories ("../../etc/passwd" -> "passwd",
// "C:\temp\log.txt" -> "log.txt"), no control characters, at most 200 bytes; "attachment" if
// nothing is left.
std::string SafeFileName(std::string_view name);

// Whether `text` is a media type as a Content-Type header carries it (RFC 9110 §8.3.1:
// type/subtype with ;-separated token=value or token="quoted" parameters, at most 255 bytes): what
// an attachment's download will send back, so nothing else may get into that header.
bool IsMediaType(std::string_view text);
// IsMediaType's verdict as the error an upload answers (kInvalidArgument); OK for "" (none given).
Status CheckMediaType(std::string_view content_type);

inline constexpr size_t kMaxTitleLength = 200;
inline constexpr size_t kMaxBodyLength = 100'000;
inline constexpr size_t kMaxCcAddresses = 20;
inline constexpr uint64_t kMaxAttachmentBytes = 25ull << 20;
inline constexpr int64_t kUrgentFeeGrosze = 30000;  // 300.00 PLN, the price list's urgent fee

struct OpenTicket {
  std::string ticket_id;  // the number is the model's next one (Model::NextTicketNumber)
  Caller caller;
  values::ContractNumber contract_number;
  values::Serial serial;
  std::string title;
  std::string description;
  std::vector<values::Email> cc;
  std::vector<std::string> cc_email_indexes;  // crypto::EmailIndex of each cc address, in order
  bool partner_access = false;
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
};

struct PostMessage {
  std::string ticket_id;
  std::string message_id;
  Caller caller;
  std::string body;
};

struct AddAttachment {
  std::string ticket_id;
  std::string attachment_id;
  Caller caller;
  std::string sha256;  // 32 bytes: the blob is already in the content-addressed store
  uint64_t size = 0;
  std::string file_name;  // as given; made safe here
  std::string content_type;
};

struct AddCc {
  std::string ticket_id;
  Caller caller;
  values::Email email;
  std::string email_index;  // crypto::EmailIndex of `email`
};

struct ChangePartnerAccess {
  std::string ticket_id;
  Caller caller;
  bool granted = false;
};

struct ChangeStatus {
  std::string ticket_id;
  Caller caller;
  v1::TicketStatus status = v1::TICKET_STATUS_UNSPECIFIED;
};

struct CloseTicket {
  std::string ticket_id;
  Caller caller;
};

struct ReopenTicket {
  std::string ticket_id;
  Caller caller;
};

struct EscalateTicket {
  std::string ticket_id;
  Caller caller;
  std::string reason;
};

// A file already in the blob store that an imported ticket carries (its dialog's transcript or
// one of the dialog's attachments).
struct ImportedFile {
  std::string attachment_id;
  std::string sha256;  // 32 bytes
  uint64_t size = 0;
  std::string file_name;  // made safe here
  std::string content_type;
  std::string subject_id;  // whose personal data the bytes are (a legacy contact); empty: the
                           // ticket's organization's
};

// Moves one ticket of the legacy helpdesk (the migrator's load stage): a TicketImported event,
// then an AttachmentAdded for the transcript and for each attachment, all in the ticket's stream
// and appended together. Personal text is sealed with its person's key: the title with the
// opener's (a legacy contact, domain/contact/legacy_contact.h), each CC address with its own
// contact's; without a contact, with the organization's key. Imports keep the legacy title as it
// was (no length limit beyond the body's) and carry no response due time: they were answered in
// the old system.
struct ImportTicket {
  std::string ticket_id;
  std::string number;  // human-facing ("LD-L000123": L for legacy, the legacy id)
  int64_t legacy_ticket_id = 0;
  values::ContractNumber contract_number;
  std::optional<values::Serial> serial;  // none: no device of that contract
  std::string title;
  v1::TicketStatus status = v1::TICKET_STATUS_OPEN;  // open or waiting_for_customer
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
  bool partner_access = false;
  std::chrono::system_clock::time_point opened_at;
  std::vector<values::Email> cc;
  std::string opened_by;                 // the opener's legacy contact, or empty
  std::vector<std::string> cc_subjects;  // each cc address's legacy contact, or empty (none)
  ImportedFile transcript;
  // Whose data the transcript shows (its AttachmentAdded names them) and the blob of its sealed
  // source, from which an erasure renders it again.
  std::vector<std::string> transcript_participants;
  std::string transcript_source_sha256;
  std::vector<ImportedFile> attachments;
};

// The ticket rules. Errors: kNotFound for a ticket (or contract) the caller may not see — never
// "forbidden", so nothing leaks; kPermissionDenied for a caller whose role may not do this;
// kInvalidArgument naming the bad field; kFailedPrecondition when the ticket's state says no
// (closing a closed ticket, reopening an open one).
// Opening needs `sealer` for title, description and CC addresses and `response_due_at` computed
// by the SLA calendar from the contract's window (the app layer passes sla::ResponseDue).
// A CC address (opening, AddCc) is sealed with the key of the person it is: the account with that
// confirmed address, else its contact ("contact-cc-<ticket id>-<n>", a data subject of its own
// made known by a SubjectKeyCreated with the first ticket that names it; an erased one is not
// used again), so audits find, and erasure reaches, a CC like an account. The app layer gives
// each address its crypto::EmailIndex (kInternal without it): that is how the model knows them.
using ResponseDueFn = std::chrono::system_clock::time_point (*)(
    std::chrono::system_clock::time_point opened_at, v1::SupportWindow window);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const OpenTicket& command,
                                         const CommandContext& context, Sealer& sealer,
                                         ResponseDueFn response_due);
// Importing: kNotFound for a contract that is not in the model; kInvalidArgument for a serial not
// on it, an empty title, a status other than open / waiting_for_customer, too many CC addresses
// (or cc_subjects not one per address), a file without its digest or ids used twice; kAlreadyExists
// when the ticket id belongs to another ticket. A ticket already imported from the same legacy row
// decides nothing (no events), so a re-run of the migrator changes nothing; if it lacks some of the
// command's files (an import cut short), only those are added, each with the event id the first
// attempt gave it (ids are drawn from context.new_id in the same order either way).
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ImportTicket& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const PostMessage& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const AddAttachment& command,
                                         const CommandContext& context);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const AddCc& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ChangePartnerAccess& command,
                                         const CommandContext& context);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ChangeStatus& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const CloseTicket& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const ReopenTicket& command,
                                         const CommandContext& context, Sealer& sealer);
Result<std::vector<v1::Envelope>> Decide(const Model& model, const EscalateTicket& command,
                                         const CommandContext& context, Sealer& sealer);

}  // namespace ledgerdesk::domain
