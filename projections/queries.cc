#include "projections/queries.h"

#include <algorithm>

#include "core/domain/dates.h"
#include "projections/accounts_projection.h"
#include "projections/contracts_projection.h"
#include "projections/notifications_projection.h"
#include "projections/projection_rows.pb.h"
#include "projections/queue_projection.h"
#include "projections/row_codec.h"
#include "projections/tickets_projection.h"

namespace ledgerdesk::projections {
namespace {

constexpr std::string_view kContracts = ContractsProjection::kColumnFamily;
constexpr std::string_view kTickets = TicketsProjection::kColumnFamily;
constexpr std::string_view kQueue = QueueProjection::kColumnFamily;
constexpr std::string_view kNotifications = NotificationsProjection::kColumnFamily;
constexpr std::string_view kAccounts = AccountsProjection::kColumnFamily;

AccountView AccountOf(const rows::AccountRow& row) {
  return {.account_id = row.account_id(),
          .role = row.role(),
          .email = row.email(),
          .name = row.name(),
          .phone = row.phone(),
          .nip = row.nip(),
          .organization_id = row.organization_id(),
          .organization_admin = row.organization_admin(),
          .totp_enabled = row.totp_enabled(),
          .locked = row.locked()};
}

std::optional<TimePoint> OptionalTime(int64_t micros) {
  if (micros == 0) return std::nullopt;
  return rows::FromMicros(micros);
}

ContractView ContractOf(const rows::ContractRow& row, const v1::Date& today) {
  const auto& terms = row.terms();
  ContractView view;
  view.number = terms.contract_number();
  view.organization_id = terms.organization_id();
  view.package = terms.package();
  view.support_window = terms.support_window();
  view.replacement = terms.replacement();
  view.starts_on = terms.starts_on();
  view.ends_on = terms.ends_on();
  if (domain::CompareDates(today, terms.starts_on()) < 0) {
    view.status = "upcoming";
  } else if (domain::CompareDates(today, terms.ends_on()) > 0) {
    view.status = "expired";
  } else {
    view.status = "active";
  }
  view.items.assign(terms.items().begin(), terms.items().end());
  return view;
}

TicketSummary SummaryOf(const rows::TicketRow& row) {
  TicketSummary view;
  view.ticket_id = row.ticket_id();
  view.number = row.number();
  view.title = row.title();
  view.description = row.description();
  view.status = row.status();
  view.contract_number = row.contract_number();
  view.serial = row.serial();
  view.priority = row.priority();
  view.partner_access = row.partner_access();
  view.organization_id = row.organization_id();
  view.opened_by = row.opened_by();
  view.opened_at = rows::FromMicros(row.opened_at_us());
  view.response_due_at = OptionalTime(row.response_due_at_us());
  view.responded_at = OptionalTime(row.responded_at_us());
  view.breached = row.breached();
  view.last_activity_at = rows::FromMicros(row.last_activity_at_us());
  view.legacy_ticket_id = row.legacy_ticket_id();
  view.escalated_at = OptionalTime(row.escalated_at_us());
  view.escalation_reason = row.escalation_reason();
  return view;
}

AttachmentView AttachmentOf(const rows::AttachmentRow& row) {
  return {.attachment_id = row.attachment_id(),
          .sha256 = row.sha256(),
          .size = row.size(),
          .file_name = row.file_name(),
          .content_type = row.content_type(),
          .added_by = row.added_by(),
          .subject_id = row.subject_id(),
          .added_at = rows::FromMicros(row.added_at_us())};
}

QueueEntry QueueEntryOf(const rows::QueueRow& row) {
  return {.ticket_id = row.ticket_id(),
          .number = row.number(),
          .organization_id = row.organization_id(),
          .contract_number = row.contract_number(),
          .title = row.title(),
          .status = row.status(),
          .priority = row.priority(),
          .opened_at = rows::FromMicros(row.opened_at_us()),
          .response_due_at = OptionalTime(row.response_due_at_us()),
          .responded_at = OptionalTime(row.responded_at_us()),
          .responded_by = row.responded_by(),
          .breached = row.breached(),
          .escalated_at = OptionalTime(row.escalated_at_us())};
}

// Scans `prefix` of `cf`, parsing every row as a `Row` and handing it to `take` (which returns
// false to stop). A row that does not parse ends the scan with kDataLoss.
template <typename Row, typename Take>
Status ScanRows(const RowReader& reader, std::string_view cf, std::string_view prefix, Take take) {
  Status failed;
  LD_RETURN_IF_ERROR(
      reader.ScanPrefix(cf, prefix, [&](std::string_view key, std::string_view value) {
        Row row;
        failed = rows::ParseRow(cf, key, value, row);
        if (!failed.ok()) return false;
        return take(std::move(row));
      }));
  return failed;
}

Result<std::optional<rows::TicketRow>> ReadTicket(const RowReader& reader,
                                                  std::string_view ticket_id) {
  return rows::ReadRow<rows::TicketRow>(reader, kTickets, TicketsProjection::TicketKey(ticket_id));
}

// The ticket if it exists and the caller may read it; kNotFound otherwise.
Result<rows::TicketRow> ReadableTicket(const RowReader& reader, const domain::Caller& caller,
                                       std::string_view ticket_id) {
  LD_ASSIGN_OR_RETURN(auto row, ReadTicket(reader, ticket_id));
  if (row) {
    LD_ASSIGN_OR_RETURN(bool readable, CanRead(reader, caller, SummaryOf(*row)));
    if (readable) return *std::move(row);
  }
  return NotFound("no ticket " + std::string(ticket_id));
}

Status RequireEngineer(const domain::Caller& caller) {
  if (caller.role != v1::ROLE_ENGINEER) return PermissionDenied("only engineers see this");
  return OkStatus();
}

}  // namespace

Result<std::vector<ContractView>> ListContracts(const RowReader& reader,
                                                const domain::Caller& caller,
                                                const v1::Date& today) {
  std::vector<ContractView> contracts;
  if (caller.organization_id.empty()) return contracts;
  LD_RETURN_IF_ERROR(ScanRows<rows::ContractRow>(
      reader, kContracts, ContractsProjection::OrganizationContractsPrefix(caller.organization_id),
      [&](rows::ContractRow row) {
        contracts.push_back(ContractOf(row, today));
        return true;
      }));
  return contracts;
}

Result<ContractView> GetContract(const RowReader& reader, const domain::Caller& caller,
                                 std::string_view number, const v1::Date& today) {
  LD_ASSIGN_OR_RETURN(auto row, rows::ReadRow<rows::ContractRow>(
                                    reader, kContracts, ContractsProjection::ContractKey(number)));
  const bool visible =
      row && (caller.role == v1::ROLE_ENGINEER ||
              (caller.role == v1::ROLE_CUSTOMER && !caller.organization_id.empty() &&
               caller.organization_id == row->terms().organization_id()));
  if (!visible) return NotFound("no contract " + std::string(number));
  return ContractOf(*row, today);
}

Result<bool> CanRead(const RowReader& reader, const domain::Caller& caller,
                     const TicketSummary& ticket) {
  switch (caller.role) {
    case v1::ROLE_ENGINEER:
      return true;
    case v1::ROLE_CUSTOMER:
      return !caller.organization_id.empty() && caller.organization_id == ticket.organization_id;
    case v1::ROLE_PARTNER: {
      if (!ticket.partner_access || caller.partner_name.empty()) return false;
      LD_ASSIGN_OR_RETURN(
          auto organization,
          rows::ReadRow<rows::OrganizationRow>(
              reader, kContracts, ContractsProjection::OrganizationKey(ticket.organization_id)));
      return organization.has_value() && organization->partner_name() == caller.partner_name;
    }
    default:
      return false;
  }
}

Result<std::vector<TicketSummary>> ListTickets(const RowReader& reader,
                                               const domain::Caller& caller,
                                               const TicketFilter& filter) {
  std::vector<TicketSummary> tickets;
  if (caller.organization_id.empty()) return tickets;
  std::vector<std::string> ids;
  const std::string prefix = TicketsProjection::ActivityPrefix(caller.organization_id);
  LD_RETURN_IF_ERROR(
      reader.ScanPrefix(kTickets, prefix, [&](std::string_view key, std::string_view) {
        // <prefix><16 hex>/<ticket id, escaped>
        ids.emplace_back(key.substr(prefix.size() + 17));
        return true;
      }));
  for (const auto& escaped_id : ids) {
    LD_ASSIGN_OR_RETURN(auto row,
                        rows::ReadRow<rows::TicketRow>(reader, kTickets, "ticket/" + escaped_id));
    if (!row || row->organization_id() != caller.organization_id) continue;
    if (filter.status && row->status() != *filter.status) continue;
    if (!filter.contract_number.empty() && row->contract_number() != filter.contract_number) {
      continue;
    }
    tickets.push_back(SummaryOf(*row));
    if (filter.limit != 0 && tickets.size() >= filter.limit) break;
  }
  return tickets;
}

Result<TicketDetail> GetTicket(const RowReader& reader, const domain::Caller& caller,
                               std::string_view ticket_id) {
  LD_ASSIGN_OR_RETURN(rows::TicketRow row, ReadableTicket(reader, caller, ticket_id));
  TicketDetail detail;
  detail.ticket = SummaryOf(row);
  detail.cc.assign(row.cc().begin(), row.cc().end());
  detail.transcript_attachment_id = row.transcript_attachment_id();
  detail.messages.reserve(row.messages());
  LD_RETURN_IF_ERROR(ScanRows<rows::MessageRow>(
      reader, kTickets, TicketsProjection::MessagesPrefix(ticket_id), [&](rows::MessageRow m) {
        detail.messages.push_back({.message_id = m.message_id(),
                                   .author_account_id = m.author_account_id(),
                                   .author_role = m.author_role(),
                                   .body = m.body(),
                                   .posted_at = rows::FromMicros(m.posted_at_us())});
        return true;
      }));
  std::vector<std::pair<uint64_t, AttachmentView>> attachments;
  LD_RETURN_IF_ERROR(ScanRows<rows::AttachmentRow>(
      reader, kTickets, TicketsProjection::AttachmentsPrefix(ticket_id),
      [&](rows::AttachmentRow a) {
        attachments.emplace_back(a.sequence(), AttachmentOf(a));
        return true;
      }));
  std::sort(attachments.begin(), attachments.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [sequence, attachment] : attachments) {
    detail.attachments.push_back(std::move(attachment));
  }
  return detail;
}

Result<AttachmentView> GetAttachment(const RowReader& reader, const domain::Caller& caller,
                                     std::string_view ticket_id, std::string_view attachment_id) {
  LD_ASSIGN_OR_RETURN(rows::TicketRow row, ReadableTicket(reader, caller, ticket_id));
  (void)row;
  LD_ASSIGN_OR_RETURN(
      auto attachment,
      rows::ReadRow<rows::AttachmentRow>(
          reader, kTickets, TicketsProjection::AttachmentKey(ticket_id, attachment_id)));
  if (!attachment) return NotFound("no attachment " + std::string(attachment_id));
  return AttachmentOf(*attachment);
}

namespace {

// A ticket still without a reply past its due time at `now_us` (not yet listed as a breach).
bool OverdueUnanswered(const rows::QueueRow& row, int64_t now_us) {
  return row.responded_at_us() == 0 && row.response_due_at_us() != 0 &&
         row.response_due_at_us() < now_us && !row.breach_listed();
}

}  // namespace

Result<std::vector<QueueEntry>> EngineerQueue(const RowReader& reader, const domain::Caller& caller,
                                              std::optional<TimePoint> now) {
  LD_RETURN_IF_ERROR(RequireEngineer(caller));
  const int64_t now_us = now ? rows::ToMicros(*now) : 0;
  std::vector<QueueEntry> queue;
  LD_RETURN_IF_ERROR(ScanRows<rows::QueueRow>(reader, kQueue, QueueProjection::kOpenPrefix,
                                              [&](rows::QueueRow row) {
                                                queue.push_back(QueueEntryOf(row));
                                                if (now && OverdueUnanswered(row, now_us)) {
                                                  queue.back().breached = true;
                                                }
                                                return true;
                                              }));
  return queue;
}

Result<std::vector<QueueEntry>> SlaBreaches(const RowReader& reader, const domain::Caller& caller,
                                            std::optional<TimePoint> now) {
  LD_RETURN_IF_ERROR(RequireEngineer(caller));
  std::vector<QueueEntry> breaches;
  LD_RETURN_IF_ERROR(ScanRows<rows::QueueRow>(reader, kQueue, QueueProjection::kBreachPrefix,
                                              [&](rows::QueueRow row) {
                                                breaches.push_back(QueueEntryOf(row));
                                                return true;
                                              }));
  if (!now) return breaches;
  std::vector<QueueEntry> overdue;
  const int64_t now_us = rows::ToMicros(*now);
  LD_RETURN_IF_ERROR(ScanRows<rows::QueueRow>(
      reader, kQueue, QueueProjection::kOpenPrefix, [&](rows::QueueRow row) {
        if (OverdueUnanswered(row, now_us)) {
          overdue.push_back(QueueEntryOf(row));
          overdue.back().breached = true;  // any first reply now comes after the due time
        }
        return true;
      }));
  std::stable_sort(overdue.begin(), overdue.end(), [](const QueueEntry& a, const QueueEntry& b) {
    return *a.response_due_at < *b.response_due_at;
  });
  breaches.insert(breaches.end(), overdue.begin(), overdue.end());
  return breaches;
}

Result<std::vector<NotificationView>> ListNotifications(const RowReader& reader,
                                                        const domain::Caller& caller,
                                                        size_t limit) {
  std::vector<NotificationView> notifications;
  if (caller.account_id.empty()) return notifications;
  LD_RETURN_IF_ERROR(ScanRows<rows::NotificationRow>(
      reader, kNotifications, NotificationsProjection::AccountPrefix(caller.account_id),
      [&](rows::NotificationRow row) {
        notifications.push_back({.notification_id = row.notification_id(),
                                 .ticket_id = row.ticket_id(),
                                 .kind = row.kind(),
                                 .text = row.text(),
                                 .queued_at = rows::FromMicros(row.queued_at_us())});
        return limit == 0 || notifications.size() < limit;
      }));
  return notifications;
}

Result<AccountView> GetAccount(const RowReader& reader, const domain::Caller& caller,
                               std::string_view account_id) {
  if (caller.account_id != account_id && caller.role != v1::ROLE_ENGINEER) {
    return NotFound("no such account");
  }
  LD_ASSIGN_OR_RETURN(auto row, rows::ReadRow<rows::AccountRow>(
                                    reader, kAccounts, AccountsProjection::AccountKey(account_id)));
  if (!row) return NotFound("no such account");
  return AccountOf(*row);
}

Result<std::vector<AccountView>> ListMembers(const RowReader& reader,
                                             const domain::Caller& caller) {
  std::vector<AccountView> members;
  if (caller.organization_id.empty()) return members;
  std::vector<std::string> ids;
  const std::string prefix = AccountsProjection::MembersPrefix(caller.organization_id);
  LD_RETURN_IF_ERROR(reader.ScanPrefix(kAccounts, prefix, [&](std::string_view key, auto) {
    ids.emplace_back(key.substr(prefix.size()));
    return true;
  }));
  for (const std::string& id : ids) {
    LD_ASSIGN_OR_RETURN(auto row,
                        rows::ReadRow<rows::AccountRow>(reader, kAccounts, "account/" + id));
    if (row) members.push_back(AccountOf(*row));
  }
  return members;
}

}  // namespace ledgerdesk::projections
