#include "projections/queue_projection.h"

#include <limits>

#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

using Self = QueueProjection;
constexpr std::string_view kCf = QueueProjection::kColumnFamily;

// An escalated ticket is queued with the urgent ones.
std::string OpenKeyOf(const rows::QueueRow& row) {
  return Self::OpenKey(row.priority() == v1::TICKET_PRIORITY_URGENT || row.escalated_at_us() != 0,
                       row.response_due_at_us(), row.ticket_id());
}

// The queue entry `row` has now (none while it is closed).
std::optional<std::string> EntryOf(const rows::QueueRow& row) {
  if (row.ticket_id().empty() || row.status() == v1::TICKET_STATUS_CLOSED) return std::nullopt;
  return OpenKeyOf(row);
}

// Writes the ticket's queue entry (none while it is closed), a copy of its row at `ticket_key`,
// after the row changed in place; `open_before` is the entry it had before, if any. The entry is
// kept with the row (RowSink::MoveIndexEntry): a rebuild writes the copy once, at the end.
Status WriteEntry(RowSink& sink, std::string_view ticket_key, const rows::QueueRow& row,
                  const std::optional<std::string>& open_before) {
  const std::optional<std::string> open = EntryOf(row);
  return sink.MoveIndexEntry(kCf, ticket_key, open_before, open, RowSink::IndexValue::kOwnerRow);
}

// The events after a ticket's opening that change what the queue holds.
bool ChangesTheQueue(v1::Envelope::PayloadCase event) {
  return event == v1::Envelope::kTicketStatusChanged || event == v1::Envelope::kTicketClosed ||
         event == v1::Envelope::kTicketReopened || event == v1::Envelope::kTicketResponded ||
         event == v1::Envelope::kTicketEscalated;
}

}  // namespace

std::string QueueProjection::TicketKey(std::string_view ticket_id) {
  return rows::Key("ticket/", rows::Part{ticket_id});
}
std::string QueueProjection::OpenKey(bool urgent, int64_t response_due_us,
                                     std::string_view ticket_id) {
  const uint64_t due = response_due_us == 0 ? std::numeric_limits<uint64_t>::max()
                                            : rows::SortableMicros(response_due_us);
  return rows::Key(kOpenPrefix, urgent ? "0/" : "1/", rows::Hex{due}, "/", rows::Part{ticket_id});
}
std::string QueueProjection::BreachKey(int64_t responded_us, std::string_view ticket_id) {
  return rows::Key(kBreachPrefix, rows::Hex{~rows::SortableMicros(responded_us)}, "/",
                   rows::Part{ticket_id});
}

Status QueueProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                              RowSink& sink) const {
  if (envelope.has_ticket_opened() || envelope.has_ticket_imported()) {
    const std::string& ticket_id = envelope.has_ticket_opened()
                                       ? envelope.ticket_opened().ticket_id()
                                       : envelope.ticket_imported().ticket_id();
    const std::string key = TicketKey(ticket_id);
    LD_ASSIGN_OR_RETURN(auto* row, rows::EditRow<rows::QueueRow>(sink, kCf, key, /*create=*/true));
    const auto open_before = EntryOf(*row);  // a ticket opened twice under one id
    row->Clear();
    if (envelope.has_ticket_opened()) {
      const auto& event = envelope.ticket_opened();
      row->set_ticket_id(event.ticket_id());
      row->set_number(event.number());
      row->set_organization_id(event.organization_id());
      row->set_contract_number(event.contract_number());
      *row->mutable_title() = event.title();
      row->set_status(v1::TICKET_STATUS_OPEN);
      row->set_priority(event.priority());
      row->set_opened_at_us(rows::Micros(envelope.occurred_at()));
      row->set_response_due_at_us(rows::Micros(event.response_due_at()));
    } else {
      const auto& event = envelope.ticket_imported();
      row->set_ticket_id(event.ticket_id());
      row->set_number(event.number());
      row->set_organization_id(event.organization_id());
      row->set_contract_number(event.contract_number());
      *row->mutable_title() = event.title();
      row->set_status(event.status() == v1::TICKET_STATUS_UNSPECIFIED ? v1::TICKET_STATUS_CLOSED
                                                                      : event.status());
      row->set_priority(event.priority());
      row->set_opened_at_us(rows::Micros(event.opened_at()));
    }
    if (row->priority() == v1::TICKET_PRIORITY_UNSPECIFIED) {
      row->set_priority(v1::TICKET_PRIORITY_NORMAL);
    }
    return WriteEntry(sink, key, *row, open_before);
  }

  if (!ChangesTheQueue(envelope.payload_case())) return OkStatus();
  const std::string* ticket_id = rows::TicketIdOf(envelope);
  const std::string key = TicketKey(*ticket_id);
  LD_ASSIGN_OR_RETURN(auto* row, rows::EditRow<rows::QueueRow>(sink, kCf, key, /*create=*/false));
  if (row == nullptr) return OkStatus();
  const auto open_before = EntryOf(*row);
  const bool was_closed = row->status() == v1::TICKET_STATUS_CLOSED;
  switch (envelope.payload_case()) {
    case v1::Envelope::kTicketStatusChanged:
      row->set_status(envelope.ticket_status_changed().to());
      break;
    case v1::Envelope::kTicketClosed:
      row->set_status(v1::TICKET_STATUS_CLOSED);
      row->clear_escalated_at_us();  // a close ends an escalation
      break;
    case v1::Envelope::kTicketEscalated:
      row->set_escalated_at_us(rows::Micros(envelope.occurred_at()));
      break;
    case v1::Envelope::kTicketReopened:
      row->set_status(v1::TICKET_STATUS_OPEN);
      break;
    default: {  // kTicketResponded
      const auto& event = envelope.ticket_responded();
      row->set_responded_at_us(rows::Micros(event.responded_at()));
      row->set_responded_by(event.responded_by());
      row->set_breached(event.breached());
      break;
    }
  }
  // When the SLA was missed, if it was: a late first reply, or a close past due with none.
  int64_t breached_us = 0;
  if (envelope.has_ticket_responded() && envelope.ticket_responded().breached()) {
    breached_us = row->responded_at_us();
  } else if (!was_closed && row->status() == v1::TICKET_STATUS_CLOSED &&
             row->responded_at_us() == 0 && row->response_due_at_us() != 0 &&
             rows::Micros(envelope.occurred_at()) > row->response_due_at_us()) {
    breached_us = rows::Micros(envelope.occurred_at());
    row->set_breached(true);
  }
  if (breached_us != 0 && !row->breach_listed()) {
    row->set_breach_listed(true);
    LD_RETURN_IF_ERROR(sink.PutWriteOnlyRow(kCf, BreachKey(breached_us, row->ticket_id()), *row));
  }
  return WriteEntry(sink, key, *row, open_before);
}

}  // namespace ledgerdesk::projections
