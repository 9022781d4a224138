#include "tools/http/json_views.h"

#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/ticket/ticket.h"

namespace ledgerdesk::tools::http {
namespace {

std::string_view PriorityName(v1::TicketPriority priority) {
  return priority == v1::TICKET_PRIORITY_URGENT ? "urgent" : "normal";
}

}  // namespace

std::string_view RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_ENGINEER:
      return "engineer";
    case v1::ROLE_PARTNER:
      return "partner";
    case v1::ROLE_OPERATOR:
      return "operator";
    default:
      return "customer";
  }
}

Poco::JSON::Object ContractJson(const projections::ContractView& c) {
  Poco::JSON::Object out;
  out.set("number", c.number);
  out.set("package", std::string(domain::PackageName(c.package)));
  out.set("support_window", std::string(domain::SupportWindowName(c.support_window)));
  const std::string replacement(domain::ReplacementName(c.replacement));
  out.set("replacement",
          replacement.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(replacement));
  out.set("starts_on", domain::FormatDate(c.starts_on));
  out.set("ends_on", domain::FormatDate(c.ends_on));
  out.set("status", c.status);
  Poco::JSON::Array items;
  for (const auto& item : c.items) {
    Poco::JSON::Object one;
    one.set("serial", item.serial());
    one.set("product", item.product());
    one.set("kind", std::string(domain::ItemKindName(item.kind())));
    items.add(one);
  }
  out.set("items", items);
  return out;
}

Result<Poco::JSON::Array> ContractsJson(ApiContext& api, const domain::Caller& caller) {
  LD_ASSIGN_OR_RETURN(auto contracts, projections::ListContracts(
                                          *api.Views(), caller,
                                          domain::WarsawDate(std::chrono::system_clock::now())));
  Poco::JSON::Array out;
  for (const auto& contract : contracts) out.add(ContractJson(contract));
  return out;
}

Poco::JSON::Object TicketSummaryJson(const ApiContext& api, const projections::TicketSummary& t) {
  Poco::JSON::Object out;
  out.set("ticket_id", t.ticket_id);
  out.set("number", t.number);
  out.set("title", api.Open(t.title));
  out.set("status", std::string(domain::TicketStatusName(t.status)));
  out.set("contract_number", t.contract_number);
  out.set("serial", t.serial);
  out.set("priority", std::string(PriorityName(t.priority)));
  out.set("partner_access", t.partner_access);
  out.set("opened_at", Rfc3339(t.opened_at));
  out.set("response_due_at", Rfc3339OrNull(t.response_due_at));
  out.set("responded_at", Rfc3339OrNull(t.responded_at));
  out.set("last_activity_at", Rfc3339(t.last_activity_at));
  out.set("escalated_at", Rfc3339OrNull(t.escalated_at));
  if (t.legacy_ticket_id != 0) out.set("legacy_ticket_id", t.legacy_ticket_id);
  return out;
}

Poco::JSON::Object TicketDetailJson(const ApiContext& api,
                                    const projections::TicketDetail& detail) {
  Poco::JSON::Object out = TicketSummaryJson(api, detail.ticket);
  out.set("description", api.Open(detail.ticket.description));
  if (detail.ticket.escalated_at) {
    out.set("escalation_reason", api.Open(detail.ticket.escalation_reason));
  } else {
    out.set("escalation_reason", Poco::Dynamic::Var());  // null
  }
  Poco::JSON::Array cc;
  for (const auto& sealed : detail.cc) cc.add(api.Open(sealed));
  out.set("cc", cc);
  Poco::JSON::Array messages;  // newest first
  for (const auto& message : detail.messages) {
    Poco::JSON::Object one;
    one.set("message_id", message.message_id);
    one.set("author_role", std::string(RoleName(message.author_role)));
    one.set("body", api.Open(message.body));
    one.set("posted_at", Rfc3339(message.posted_at));
    messages.add(one);
  }
  out.set("messages", messages);
  Poco::JSON::Array attachments;
  for (const auto& attachment : detail.attachments) {
    Poco::JSON::Object one;
    one.set("attachment_id", attachment.attachment_id);
    one.set("file_name", attachment.file_name);
    one.set("size", attachment.size);
    one.set("content_type", attachment.content_type);
    attachments.add(one);
  }
  out.set("attachments", attachments);
  if (!detail.transcript_attachment_id.empty()) {
    out.set("transcript_attachment_id", detail.transcript_attachment_id);
  }
  return out;
}

Poco::JSON::Object QueueEntryJson(const ApiContext& api, const projections::QueueEntry& e) {
  Poco::JSON::Object out;
  out.set("ticket_id", e.ticket_id);
  out.set("number", e.number);
  out.set("organization_nip", e.organization_id);
  out.set("contract_number", e.contract_number);
  out.set("title", api.Open(e.title));
  out.set("status", std::string(domain::TicketStatusName(e.status)));
  out.set("priority", std::string(PriorityName(e.priority)));
  out.set("opened_at", Rfc3339(e.opened_at));
  out.set("response_due_at", Rfc3339OrNull(e.response_due_at));
  out.set("responded_at", Rfc3339OrNull(e.responded_at));
  out.set("breached", e.breached);
  out.set("escalated_at", Rfc3339OrNull(e.escalated_at));
  return out;
}

Poco::JSON::Object NotificationJson(const ApiContext& api, const projections::NotificationView& n) {
  Poco::JSON::Object out;
  out.set("notification_id", n.notification_id);
  out.set("ticket_id", n.ticket_id);
  out.set("kind", n.kind);
  out.set("text", api.Open(n.text));
  out.set("created_at", Rfc3339(n.queued_at));
  return out;
}

}  // namespace ledgerdesk::tools::http
