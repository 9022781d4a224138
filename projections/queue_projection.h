#pragma once

// The engineers' view: the queue of non-closed tickets and the SLA breaches. Column family
// "engineer_queue_v2" (the projection keeps its own copy of what it needs of a ticket, a QueueRow):
//   ticket/<ticket_id>                                   -> QueueRow (every ticket)
//   open/<0 urgent or escalated | 1 normal>/<response due us>/<ticket_id> -> QueueRow: non-closed
//       tickets, urgent and escalated ones (until they are closed) first, then the earliest due;
//       tickets without a due time (imported) last in their group
//   breach/<~breached us>/<ticket_id>                    -> QueueRow as it stood then: a first
//       reply after the due time (TicketResponded with breached), or a close past the due time
//       with no reply (closing must not hide a missed SLA); newest first, a ticket once
// Tickets past due with no reply yet are found at query time from the open/ entries (queries.h).
// (The column family was "queue" until closes were counted, then "engineer_queue" until
// escalations were: a store with either is rebuilt.)

#include <cstdint>

#include "projections/projection.h"

namespace ledgerdesk::projections {

class QueueProjection : public Projection {
 public:
  static constexpr std::string_view kName = "queue";
  static constexpr std::string_view kColumnFamily = "engineer_queue_v2";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string TicketKey(std::string_view ticket_id);
  static constexpr std::string_view kOpenPrefix = "open/";
  static std::string OpenKey(bool urgent, int64_t response_due_us, std::string_view ticket_id);
  static constexpr std::string_view kBreachPrefix = "breach/";
  static std::string BreachKey(int64_t responded_us, std::string_view ticket_id);
};

}  // namespace ledgerdesk::projections
