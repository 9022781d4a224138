#include "projections/tickets_projection.h"

#include <algorithm>

#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

using Self = TicketsProjection;
constexpr std::string_view kCf = TicketsProjection::kColumnFamily;

// Moves the ticket's activity index entry, kept with the ticket's row at `ticket_key`
// (RowSink::MoveIndexEntry), from `previous_activity_us` (none when the ticket is new) to the
// row's last activity (the row itself is edited in place: RowSink::EditRow).
Status MoveActivityEntry(RowSink& sink, std::string_view ticket_key, const rows::TicketRow& row,
                         std::optional<int64_t> previous_activity_us) {
  if (previous_activity_us && *previous_activity_us == row.last_activity_at_us()) {
    return OkStatus();
  }
  std::optional<std::string> from;
  if (previous_activity_us) {
    from = Self::ActivityKey(row.organization_id(), *previous_activity_us, row.ticket_id());
  }
  return sink.MoveIndexEntry(
      kCf, ticket_key, from,
      Self::ActivityKey(row.organization_id(), row.last_activity_at_us(), row.ticket_id()));
}

// The ticket's row at `ticket_key`, emptied for a new opening. A ticket opened twice under one id
// (the write side never does): the later opening wins, and the earlier one's list entry must not
// stay behind.
Result<rows::TicketRow*> StartTicket(RowSink& sink, const std::string& ticket_key) {
  LD_ASSIGN_OR_RETURN(auto* row,
                      rows::EditRow<rows::TicketRow>(sink, kCf, ticket_key, /*create=*/true));
  if (!row->ticket_id().empty()) {
    LD_RETURN_IF_ERROR(sink.MoveIndexEntry(
        kCf, ticket_key,
        Self::ActivityKey(row->organization_id(), row->last_activity_at_us(), row->ticket_id()),
        std::nullopt));
  }
  row->Clear();
  return row;
}

Status ApplyOpened(const v1::Envelope& envelope, RowSink& sink) {
  const auto& event = envelope.ticket_opened();
  const std::string key = Self::TicketKey(event.ticket_id());
  LD_ASSIGN_OR_RETURN(rows::TicketRow * opened, StartTicket(sink, key));
  rows::TicketRow& row = *opened;
  row.set_ticket_id(event.ticket_id());
  row.set_number(event.number());
  row.set_organization_id(event.organization_id());
  row.set_contract_number(event.contract_number());
  row.set_serial(event.serial());
  *row.mutable_title() = event.title();
  *row.mutable_description() = event.description();
  row.set_status(v1::TICKET_STATUS_OPEN);
  row.set_priority(event.priority() == v1::TICKET_PRIORITY_UNSPECIFIED ? v1::TICKET_PRIORITY_NORMAL
                                                                       : event.priority());
  row.set_partner_access(event.partner_access());
  *row.mutable_cc() = event.cc();
  row.set_opened_by(event.opened_by());
  row.set_opened_at_us(rows::Micros(envelope.occurred_at()));
  row.set_response_due_at_us(rows::Micros(event.response_due_at()));
  row.set_last_activity_at_us(row.opened_at_us());
  return MoveActivityEntry(sink, key, row, std::nullopt);
}

Status ApplyImported(RowSink& sink, const v1::TicketImported& event) {
  const std::string key = Self::TicketKey(event.ticket_id());
  LD_ASSIGN_OR_RETURN(rows::TicketRow * imported, StartTicket(sink, key));
  rows::TicketRow& row = *imported;
  row.set_ticket_id(event.ticket_id());
  row.set_number(event.number());
  row.set_organization_id(event.organization_id());
  row.set_contract_number(event.contract_number());
  row.set_serial(event.serial());
  *row.mutable_title() = event.title();
  row.set_status(event.status() == v1::TICKET_STATUS_UNSPECIFIED ? v1::TICKET_STATUS_CLOSED
                                                                 : event.status());
  row.set_priority(event.priority() == v1::TICKET_PRIORITY_UNSPECIFIED ? v1::TICKET_PRIORITY_NORMAL
                                                                       : event.priority());
  row.set_partner_access(event.partner_access());
  *row.mutable_cc() = event.cc();
  row.set_opened_at_us(rows::Micros(event.opened_at()));
  row.set_last_activity_at_us(row.opened_at_us());
  row.set_legacy_ticket_id(event.legacy_ticket_id());
  row.set_transcript_attachment_id(event.transcript_attachment_id());
  return MoveActivityEntry(sink, key, row, std::nullopt);
}

// Applies an event of an existing ticket to its row (and its message or attachment rows).
Status ApplyChange(const v1::Envelope& envelope, RowSink& sink, rows::TicketRow& row) {
  const int64_t at = rows::Micros(envelope.occurred_at());
  switch (envelope.payload_case()) {
    case v1::Envelope::kMessagePosted: {
      const auto& event = envelope.message_posted();
      rows::MessageRow message;
      message.set_message_id(event.message_id());
      message.set_author_account_id(event.author_account_id());
      message.set_author_role(event.author_role());
      message.set_posted_at_us(at);
      message.set_sequence(row.messages() + 1);
      row.set_messages(message.sequence());
      return rows::PutWriteOnlyLending(sink, kCf,
                                       Self::MessageKey(row.ticket_id(), message.sequence()),
                                       message, &rows::MessageRow::unsafe_arena_set_allocated_body,
                                       &rows::MessageRow::unsafe_arena_release_body, event.body());
    }
    case v1::Envelope::kAttachmentAdded: {
      const auto& event = envelope.attachment_added();
      rows::AttachmentRow attachment;
      attachment.set_attachment_id(event.attachment_id());
      attachment.set_sha256(event.sha256());
      attachment.set_size(event.size());
      attachment.set_file_name(event.file_name());
      attachment.set_content_type(event.content_type());
      attachment.set_added_by(event.added_by());
      attachment.set_subject_id(event.subject_id());
      attachment.set_added_at_us(at);
      attachment.set_sequence(row.attachments() + 1);
      row.set_attachments(attachment.sequence());
      return sink.PutWriteOnlyRow(kCf, Self::AttachmentKey(row.ticket_id(), event.attachment_id()),
                                  attachment);
    }
    case v1::Envelope::kCcAdded:
      *row.add_cc() = envelope.cc_added().email();
      return OkStatus();
    case v1::Envelope::kPartnerAccessChanged:
      row.set_partner_access(envelope.partner_access_changed().granted());
      return OkStatus();
    case v1::Envelope::kTicketStatusChanged:
      row.set_status(envelope.ticket_status_changed().to());
      return OkStatus();
    case v1::Envelope::kTicketClosed:
      row.set_status(v1::TICKET_STATUS_CLOSED);
      // A close ends an escalation: a reopened ticket is escalated again if it needs to be.
      row.clear_escalated_at_us();
      row.clear_escalated_by();
      row.clear_escalation_reason();
      return OkStatus();
    case v1::Envelope::kTicketReopened:
      row.set_status(v1::TICKET_STATUS_OPEN);
      return OkStatus();
    case v1::Envelope::kTicketResponded:
      row.set_responded_at_us(rows::Micros(envelope.ticket_responded().responded_at()));
      row.set_breached(envelope.ticket_responded().breached());
      return OkStatus();
    case v1::Envelope::kTicketEscalated: {
      const auto& event = envelope.ticket_escalated();
      row.set_escalated_at_us(at);
      row.set_escalated_by(event.escalated_by());
      *row.mutable_escalation_reason() = event.reason();
      return OkStatus();
    }
    default:  // activity only
      return OkStatus();
  }
}

}  // namespace

std::string TicketsProjection::TicketKey(std::string_view ticket_id) {
  return rows::Key("ticket/", rows::Part{ticket_id});
}
std::string TicketsProjection::MessagesPrefix(std::string_view ticket_id) {
  return rows::Key("message/", rows::Part{ticket_id}, "/");
}
std::string TicketsProjection::MessageKey(std::string_view ticket_id, uint64_t sequence) {
  return rows::Key("message/", rows::Part{ticket_id}, "/", rows::Hex{~sequence});
}
std::string TicketsProjection::AttachmentsPrefix(std::string_view ticket_id) {
  return rows::Key("attachment/", rows::Part{ticket_id}, "/");
}
std::string TicketsProjection::AttachmentKey(std::string_view ticket_id,
                                             std::string_view attachment_id) {
  return rows::Key("attachment/", rows::Part{ticket_id}, "/", rows::Part{attachment_id});
}
std::string TicketsProjection::ActivityPrefix(std::string_view organization_id) {
  return rows::Key("org_activity/", rows::Part{organization_id}, "/");
}
std::string TicketsProjection::ActivityKey(std::string_view organization_id,
                                           int64_t last_activity_us, std::string_view ticket_id) {
  return rows::Key("org_activity/", rows::Part{organization_id}, "/",
                   rows::Hex{~rows::SortableMicros(last_activity_us)}, "/", rows::Part{ticket_id});
}

Status TicketsProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                                RowSink& sink) const {
  if (envelope.has_ticket_opened()) return ApplyOpened(envelope, sink);
  if (envelope.has_ticket_imported()) return ApplyImported(sink, envelope.ticket_imported());
  const std::string* ticket_id = rows::TicketIdOf(envelope);
  if (ticket_id == nullptr) return OkStatus();
  const std::string key = TicketKey(*ticket_id);
  LD_ASSIGN_OR_RETURN(auto* row, rows::EditRow<rows::TicketRow>(sink, kCf, key, /*create=*/false));
  if (row == nullptr) return OkStatus();
  const int64_t previous_activity = row->last_activity_at_us();
  LD_RETURN_IF_ERROR(ApplyChange(envelope, sink, *row));
  row->set_last_activity_at_us(std::max(previous_activity, rows::Micros(envelope.occurred_at())));
  return MoveActivityEntry(sink, key, *row, previous_activity);
}

}  // namespace ledgerdesk::projections
