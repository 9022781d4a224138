#pragma once

// The read side's answers: plain functions over a read-only view of the projection rows
// (row_reader.h: Store::Reader() in production, MemoryRowsReader in tests), returning plain
// structs. Personal fields stay v1::Sealed: the API opens them (core/app/personal_data.h) only when
// it answers. Visibility is decided here: a ticket or contract the caller may not see is kNotFound,
// exactly like one that does not exist, so nothing leaks.
//
// Every function reads its rows through one reader; pass one from Store::Reader() so all reads of
// a query come from one snapshot. Errors besides kNotFound: kPermissionDenied where a role may not
// ask at all (the queue and breaches are for engineers); kDataLoss for a row that does not parse;
// kInvalidArgument when the store lacks the projection; kUnavailable for read errors.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/ticket/ticket.h"
#include "projections/row_reader.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::projections {

using TimePoint = std::chrono::system_clock::time_point;

// ---- contracts ----

struct ContractView {
  std::string number;
  std::string organization_id;
  v1::ServicePackage package = v1::SERVICE_PACKAGE_UNSPECIFIED;
  v1::SupportWindow support_window = v1::SUPPORT_WINDOW_UNSPECIFIED;
  v1::Replacement replacement = v1::REPLACEMENT_UNSPECIFIED;
  v1::Date starts_on;
  v1::Date ends_on;    // as last renewed
  std::string status;  // on `today`: "active", "expired" or "upcoming" (starts later)
  std::vector<v1::ContractItem> items;
};

// The contracts of the caller's organization, in number order, with their status on `today`
// (the Warsaw date). Empty for a caller without an organization (unverified, staff).
Result<std::vector<ContractView>> ListContracts(const RowReader& reader,
                                                const domain::Caller& caller,
                                                const v1::Date& today);
// One contract: customers only their organization's, engineers any; kNotFound otherwise.
Result<ContractView> GetContract(const RowReader& reader, const domain::Caller& caller,
                                 std::string_view number, const v1::Date& today);

// ---- tickets ----

struct TicketSummary {
  std::string ticket_id;
  std::string number;
  v1::Sealed title;
  v1::Sealed description;  // what the opener wrote (empty for an imported ticket)
  v1::TicketStatus status = v1::TICKET_STATUS_UNSPECIFIED;
  std::string contract_number;
  std::string serial;
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
  bool partner_access = false;
  std::string organization_id;
  std::string opened_by;  // account id; empty for an imported ticket
  TimePoint opened_at;
  std::optional<TimePoint> response_due_at;  // none for an imported ticket
  std::optional<TimePoint> responded_at;
  bool breached = false;
  TimePoint last_activity_at;
  int64_t legacy_ticket_id = 0;  // imported tickets
  // The latest escalation since the ticket was last opened (none once it is closed).
  std::optional<TimePoint> escalated_at;
  v1::Sealed escalation_reason;
};

struct MessageView {
  std::string message_id;
  std::string author_account_id;
  v1::Role author_role = v1::ROLE_UNSPECIFIED;
  v1::Sealed body;
  TimePoint posted_at;
};

struct AttachmentView {
  std::string attachment_id;
  std::string sha256;  // 32 raw bytes: the blob's address
  uint64_t size = 0;
  std::string file_name;  // made safe on the way in
  std::string content_type;
  std::string added_by;
  std::string subject_id;
  TimePoint added_at;
};

struct TicketDetail {
  TicketSummary ticket;
  std::vector<v1::Sealed> cc;
  std::vector<MessageView> messages;        // newest first
  std::vector<AttachmentView> attachments;  // in the order they were added
  std::string transcript_attachment_id;     // imported tickets: the legacy dialog as a PDF
};

struct TicketFilter {
  std::optional<v1::TicketStatus> status;
  std::string contract_number;  // empty: any
  size_t limit = 0;             // 0: all
};

// The caller's organization's tickets, newest activity first, filtered. Empty for a caller without
// an organization.
Result<std::vector<TicketSummary>> ListTickets(const RowReader& reader,
                                               const domain::Caller& caller,
                                               const TicketFilter& filter = {});

// Whether `caller` may read the ticket (the rule of domain::CanSee, over the rows): customers of
// its organization, engineers, partners of the reseller that sold to its organization while the
// ticket's partner access is granted; nobody else (unverified accounts, other roles).
Result<bool> CanRead(const RowReader& reader, const domain::Caller& caller,
                     const TicketSummary& ticket);

// One ticket with its dialog and attachments; kNotFound unless CanRead.
Result<TicketDetail> GetTicket(const RowReader& reader, const domain::Caller& caller,
                               std::string_view ticket_id);
// One attachment's metadata (to serve its blob); kNotFound unless the ticket is readable and has
// it.
Result<AttachmentView> GetAttachment(const RowReader& reader, const domain::Caller& caller,
                                     std::string_view ticket_id, std::string_view attachment_id);

// ---- engineers ----

struct QueueEntry {
  std::string ticket_id;
  std::string number;
  std::string organization_id;
  std::string contract_number;
  v1::Sealed title;
  v1::TicketStatus status = v1::TICKET_STATUS_UNSPECIFIED;
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
  TimePoint opened_at;
  std::optional<TimePoint> response_due_at;
  std::optional<TimePoint> responded_at;
  std::string responded_by;
  bool breached = false;
  std::optional<TimePoint> escalated_at;  // escalated since it was last opened: queued as urgent
};

// Every non-closed ticket, urgent and escalated ones first, then by response_due_at (none last);
// with `now`, one still without a reply past its due time is breached (any first reply now comes
// late), as SlaBreaches lists it. Engineers only (kPermissionDenied otherwise).
Result<std::vector<QueueEntry>> EngineerQueue(const RowReader& reader, const domain::Caller& caller,
                                              std::optional<TimePoint> now = std::nullopt);

// Breaches, newest first: first replies that came after the due time, and tickets closed past it
// with none; with `now`, then also the non-closed tickets still without a reply whose due time has
// passed, most overdue first (their responded_at is empty; breached). Each ticket once. Engineers
// only.
Result<std::vector<QueueEntry>> SlaBreaches(const RowReader& reader, const domain::Caller& caller,
                                            std::optional<TimePoint> now = std::nullopt);

// ---- notifications ----

struct NotificationView {
  std::string notification_id;
  std::string ticket_id;
  std::string kind;  // engineer_reply, status_changed, ...
  v1::Sealed text;
  TimePoint queued_at;
};

// The caller's own notifications, newest first (at most `limit`, 0: all).
Result<std::vector<NotificationView>> ListNotifications(const RowReader& reader,
                                                        const domain::Caller& caller,
                                                        size_t limit = 0);

// ---- accounts ----

struct AccountView {
  std::string account_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  v1::Sealed email;
  v1::Sealed name;
  v1::Sealed phone;
  std::string nip;
  std::string organization_id;  // empty until verified
  bool organization_admin = false;
  bool totp_enabled = false;
  bool locked = false;
};

// One account: the caller's own, or any for an engineer; kNotFound otherwise.
Result<AccountView> GetAccount(const RowReader& reader, const domain::Caller& caller,
                               std::string_view account_id);
// The verified members of the caller's organization, by account id; empty for a caller without
// one.
Result<std::vector<AccountView>> ListMembers(const RowReader& reader, const domain::Caller& caller);

}  // namespace ledgerdesk::projections
