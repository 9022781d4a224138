#pragma once

// Tickets: detail, dialog, attachments and the per-organization list by newest activity. Column
// family "tickets_v2" ("tickets" until escalations were kept: a store with that one is rebuilt):
//   ticket/<ticket_id>                            -> TicketRow (title and CC sealed as stored)
//   message/<ticket_id>/<~sequence>               -> MessageRow: a prefix scan is newest first
//   attachment/<ticket_id>/<attachment_id>        -> AttachmentRow (one Get to download)
//   org_activity/<organization_id>/<~last activity us>/<ticket_id> -> "" : the organization's
//       tickets, newest activity first; the old entry is deleted when a ticket's activity moves
// A ticket's row keeps its latest escalation (when, by whom, the reason) until it is closed.
// Every ticket event (not the outbox events on a ticket's stream) counts as activity at its
// occurred_at; activity never moves backwards. TicketImported counts at the legacy opened_at.
// Events of tickets never opened or imported are ignored.

#include <cstdint>

#include "projections/projection.h"

namespace ledgerdesk::projections {

class TicketsProjection : public Projection {
 public:
  static constexpr std::string_view kName = "tickets";
  static constexpr std::string_view kColumnFamily = "tickets_v2";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string TicketKey(std::string_view ticket_id);
  static std::string MessagesPrefix(std::string_view ticket_id);
  static std::string MessageKey(std::string_view ticket_id, uint64_t sequence);
  static std::string AttachmentsPrefix(std::string_view ticket_id);
  static std::string AttachmentKey(std::string_view ticket_id, std::string_view attachment_id);
  static std::string ActivityPrefix(std::string_view organization_id);
  static std::string ActivityKey(std::string_view organization_id, int64_t last_activity_us,
                                 std::string_view ticket_id);
};

}  // namespace ledgerdesk::projections
