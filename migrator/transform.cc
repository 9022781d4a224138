#include "migrator/transform.h"

#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

#include "core/domain/dates.h"
#include "core/domain/ticket/ticket.h"
#include "core/sla/warsaw_time.h"
#include "core/values/ascii.h"

namespace ledgerdesk::migrator {
namespace {

// A legacy address column as a person's address, or nothing when it is empty or invalid (such a
// person's text is sealed with the organization's key: no audit can ask for them by address).
std::optional<values::Email> ValidEmail(const std::optional<std::string>& column) {
  if (!column) return std::nullopt;
  auto email = values::Email::Parse(values::TrimAsciiSpace(*column));
  if (!email.ok()) return std::nullopt;
  return std::move(email).value();
}

template <typename T>
Outcome<T> Quarantine(std::string_view why, std::string detail) {
  return Outcome<T>{Quarantined{std::string(why), std::move(detail)}, {}};
}
template <typename T>
Outcome<T> Drop(std::string_view why) {
  return Outcome<T>{Dropped{std::string(why)}, {}};
}

ReportEntry Entry(std::string_view table, int64_t id, std::string_view why, std::string detail) {
  return {std::string(table), id, std::string(why), std::move(detail)};
}

// Parses digits of a fixed width at `text[pos]`.
std::optional<int> Digits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (!values::IsAsciiDigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string LegacyEventId(std::string_view table, int64_t row_id, int ordinal) {
  const std::string input = "ledgerdesk-legacy/v1/" + std::string(table) + "/" +
                            std::to_string(row_id) + "/" + std::to_string(ordinal);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), 16);
}

// ---- customers ------------------------------------------------------------------------------

Outcome<MovedCustomer> TransformCustomer(const LegacyCustomer& row) {
  std::string_view typed = values::TrimAsciiSpace(row.nip);
  if (typed.size() >= 2 && values::ToAsciiUpper(typed[0]) == 'P' &&
      values::ToAsciiUpper(typed[1]) == 'L') {
    typed.remove_prefix(2);
  }
  std::string digits;
  bool other = false;
  for (char c : typed) {
    if (values::IsAsciiDigit(c)) {
      digits += c;
    } else if (c != '-' && c != '.' && !values::IsAsciiSpace(c)) {
      other = true;
    }
  }
  if (other || digits.size() != 10) {
    return Quarantine<MovedCustomer>(reason::kInvalidNip, "wrong length");
  }
  auto nip = values::Nip::Parse(digits);
  if (!nip.ok()) return Quarantine<MovedCustomer>(reason::kInvalidNip, "checksum fails");
  Outcome<MovedCustomer> out{
      MovedCustomer{
          .legacy_id = row.id,
          .nip = std::move(nip).value(),
          .name = DecodeLegacyText(row.name),
          .partner_name = row.partner_name ? DecodeLegacyText(*row.partner_name) : std::string()},
      {}};
  // A reseller name no reseller has (a paste of something else) must not hold the contracts back:
  // they move without a partner, which an operator can name later.
  std::string& partner = std::get<MovedCustomer>(out.result).partner_name;
  if (partner.size() > domain::kMaxPartnerNameLength) {
    out.warnings.push_back(Entry(kCustomers, row.id, reason::kPartnerNameTooLong,
                                 std::to_string(partner.size()) + " bytes (at most " +
                                     std::to_string(domain::kMaxPartnerNameLength) +
                                     "): its contracts move without a partner"));
    partner.clear();
  }
  return out;
}

// ---- contracts ------------------------------------------------------------------------------

bool ContractIsActive(const LegacyContract& row, const v1::Date& as_of) {
  if (values::TrimAsciiSpace(row.status) != "active") return false;
  auto ends = domain::ParseDate(values::TrimAsciiSpace(row.ends_on), "ends_on");
  return ends.ok() && domain::CompareDates(*ends, as_of) >= 0;
}

Outcome<MovedContract> TransformContract(const LegacyContract& row,
                                         const Outcome<MovedCustomer>* customer,
                                         const std::vector<LegacyContractItem>& items,
                                         const v1::Date& as_of,
                                         const std::set<int64_t>& quarantined_items) {
  using Out = Outcome<MovedContract>;
  if (customer == nullptr) {
    return Quarantine<MovedContract>(reason::kCustomerQuarantined,
                                     "customer " + std::to_string(row.customer_id) + " not found");
  }
  if (const Quarantined* q = customer->quarantined()) {
    return Quarantine<MovedContract>(
        reason::kCustomerQuarantined,
        "customer " + std::to_string(row.customer_id) + ": " + q->reason);
  }
  if (!customer->moved()) return Drop<MovedContract>(reason::kParentNotMoved);
  const MovedCustomer& owner = customer->value();

  const std::string_view status = values::TrimAsciiSpace(row.status);
  if (status == "expired") return Drop<MovedContract>(reason::kExpired);
  if (status == "cancelled") return Drop<MovedContract>(reason::kCancelled);
  if (status != "active") {
    return Quarantine<MovedContract>(reason::kInvalidStatus, "status '" + row.status + "'");
  }
  auto starts = domain::ParseDate(values::TrimAsciiSpace(row.starts_on), "starts_on");
  auto ends = domain::ParseDate(values::TrimAsciiSpace(row.ends_on), "ends_on");
  if (!ends.ok()) return Quarantine<MovedContract>(reason::kInvalidTerms, ends.status().message());
  if (domain::CompareDates(*ends, as_of) < 0) return Drop<MovedContract>(reason::kPastEnd);

  auto number = values::ContractNumber::FromLegacy(row.number);
  if (!number.ok()) {
    return Quarantine<MovedContract>(reason::kInvalidNumber, "'" + row.number + "'");
  }
  if (!starts.ok()) {
    return Quarantine<MovedContract>(reason::kInvalidTerms, starts.status().message());
  }
  if (domain::CompareDates(*starts, *ends) > 0) {
    return Quarantine<MovedContract>(reason::kInvalidTerms, "starts_on after ends_on");
  }
  auto package = domain::ParsePackage(values::TrimAsciiSpace(row.package));
  auto window = domain::ParseSupportWindow(values::TrimAsciiSpace(row.support_window));
  auto replacement =
      domain::ParseReplacement(row.replacement ? values::TrimAsciiSpace(*row.replacement) : "");
  for (const Status* s : {&package.status(), &window.status(), &replacement.status()}) {
    if (!s->ok()) return Quarantine<MovedContract>(reason::kInvalidTerms, s->message());
  }

  Out out{MovedContract{.command = {.nip = owner.nip, .number = *number}}, {}};
  MovedContract& moved = out.value();
  moved.fate.kind = ContractFate::Kind::kMoved;
  moved.fate.number = *number;
  moved.fate.organization_id = domain::OrganizationIdOf(owner.nip);
  std::set<std::string> seen;
  for (const LegacyContractItem& item : items) {
    moved.fate.items[item.id] = std::nullopt;
    if (quarantined_items.contains(item.id)) continue;
    auto serial = values::Serial::Parse(item.serial);
    if (!serial.ok()) {
      return Quarantine<MovedContract>(
          reason::kInvalidSerial, "item " + std::to_string(item.id) + ": '" + item.serial + "'");
    }
    auto kind = domain::ParseItemKind(values::TrimAsciiSpace(item.kind));
    if (!kind.ok()) {
      return Quarantine<MovedContract>(reason::kInvalidTerms, "item " + std::to_string(item.id) +
                                                                  ": " + kind.status().message());
    }
    if (!seen.insert(serial->value()).second) {
      out.warnings.push_back(Entry(
          kItems, item.id, reason::kDuplicateSerialInContract,
          "serial " + serial->value() + " already on this contract: merged into the first item"));
      continue;
    }
    moved.fate.items[item.id] = *serial;
    moved.command.items.push_back(domain::ContractItemInput{
        .serial = *serial,
        .product = item.product ? DecodeLegacyText(*item.product) : std::string(),
        .kind = *kind});
  }
  if (moved.command.items.empty()) {
    return Quarantine<MovedContract>(reason::kNoItems, items.empty()
                                                           ? "the contract has no items"
                                                           : "none of its items can move");
  }
  // Duplicate-in-contract items point to the first one's serial: tickets on them keep the device.
  for (const LegacyContractItem& item : items) {
    if (moved.fate.items[item.id] || quarantined_items.contains(item.id)) continue;
    auto serial = values::Serial::Parse(item.serial);
    if (serial.ok()) moved.fate.items[item.id] = *serial;
  }
  moved.command.package = *package;
  moved.command.support_window = *window;
  moved.command.replacement = *replacement;
  moved.command.starts_on = *starts;
  moved.command.ends_on = *ends;
  moved.command.organization_name = owner.name;
  moved.command.partner_name =
      owner.partner_name;  // the reseller: whose staff may read consented tickets
  moved.command.legacy_contract_id = row.id;
  return out;
}

void DuplicateSerials::Add(const LegacyContractItem& item, std::string_view contract_number,
                           std::string_view nip) {
  auto serial = values::Serial::Parse(item.serial);
  if (!serial.ok()) return;  // the contract is quarantined for it anyway
  by_serial_[serial->value()].push_back(
      Holder{item.id, item.contract_id, std::string(contract_number), std::string(nip)});
}

std::vector<ReportEntry> DuplicateSerials::Entries() const {
  std::vector<ReportEntry> entries;
  for (const auto& [serial, holders] : by_serial_) {
    std::set<int64_t> contracts;
    for (const Holder& h : holders) contracts.insert(h.contract_id);
    if (contracts.size() < 2) continue;  // twice on one contract: TransformContract merges it
    for (const Holder& h : holders) {
      std::string others;
      bool other_organization = false;
      for (const Holder& o : holders) {
        if (o.contract_id == h.contract_id) continue;
        if (!others.empty()) others += ", ";
        others += o.contract_number + " (item " + std::to_string(o.item_id) + ")";
        other_organization = other_organization || o.nip != h.nip;
      }
      entries.push_back(Entry(
          kItems, h.item_id, reason::kDuplicateSerial,
          "serial " + serial + " also on " + others +
              (other_organization ? " of another organization" : " of the same organization")));
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const ReportEntry& a, const ReportEntry& b) { return a.id < b.id; });
  return entries;
}

std::set<int64_t> DuplicateSerials::ItemIds() const {
  std::set<int64_t> ids;
  for (const ReportEntry& e : Entries()) ids.insert(e.id);
  return ids;
}

// ---- tickets --------------------------------------------------------------------------------

std::optional<std::chrono::system_clock::time_point> ParseLegacyLocalTime(std::string_view text) {
  text = values::TrimAsciiSpace(text);
  if (text.size() < 16 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':') {
    return std::nullopt;
  }
  const auto year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2),
             hour = Digits(text, 11, 2), minute = Digits(text, 14, 2);
  std::optional<int> second = 0;
  if (text.size() != 16) {
    if (text.size() != 19 || text[16] != ':') return std::nullopt;
    second = Digits(text, 17, 2);
  }
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const sla::LocalTime local = std::chrono::local_days(date) + std::chrono::hours(*hour) +
                               std::chrono::minutes(*minute) + std::chrono::seconds(*second);
  return sla::FromWarsawLocal(local);
}

Outcome<TicketImport> TransformTicket(const LegacyTicket& row, const ContractFate& contract,
                                      LegacyEncoding encoding) {
  const std::string_view status = values::TrimAsciiSpace(row.status);
  if (contract.kind == ContractFate::Kind::kQuarantined) {
    return Quarantine<TicketImport>(reason::kContractQuarantined,
                                    "contract " + std::to_string(row.contract_id));
  }
  if (status == "closed") return Drop<TicketImport>(reason::kClosed);
  if (contract.kind != ContractFate::Kind::kMoved || !contract.number) {
    return Drop<TicketImport>(reason::kContractNotMoved);
  }
  v1::TicketStatus mapped;
  if (status == "new" || status == "open") {
    mapped = v1::TICKET_STATUS_OPEN;
  } else if (status == "waiting") {
    mapped = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER;
  } else {
    return Quarantine<TicketImport>(reason::kInvalidStatus, "status '" + row.status + "'");
  }
  const auto opened_at = ParseLegacyLocalTime(row.opened_at);
  if (!opened_at) {
    return Quarantine<TicketImport>(reason::kInvalidOpenedAt, "'" + row.opened_at + "'");
  }

  Outcome<TicketImport> out{TicketImport{.contract_number = *contract.number}, {}};
  TicketImport& t = out.value();
  t.legacy_ticket_id = row.id;
  t.ticket_id = LegacyEventId(kTickets, row.id, 0);
  t.transcript_attachment_id = LegacyEventId(kTickets, row.id, 1);
  t.organization_id = contract.organization_id;
  t.transcript.title = DecodeLegacyText(row.title, encoding);  // whole, whatever its length
  t.title = t.transcript.title;
  if (t.title.size() > domain::kMaxTitleLength) {
    // As long as a portal title may be; the transcript keeps it whole.
    const size_t whole = t.title.size();
    size_t cut = domain::kMaxTitleLength - 3;  // room for the ellipsis
    while (cut > 0 && (static_cast<unsigned char>(t.title[cut]) & 0xC0) == 0x80) --cut;
    t.title = t.title.substr(0, cut) + "\u2026";
    out.warnings.push_back(Entry(kTickets, row.id, reason::kTitleShortened,
                                 std::to_string(whole) + " bytes, shortened to " +
                                     std::to_string(t.title.size()) +
                                     " (the transcript has it whole)"));
  }
  t.status = mapped;
  t.opened_at = *opened_at;
  t.partner_access = row.partner_access.value_or(0) == 1;

  const std::string priority =
      row.priority ? values::AsciiLower(values::TrimAsciiSpace(*row.priority)) : "";
  if (priority == "urgent") {
    t.priority = v1::TICKET_PRIORITY_URGENT;
  } else if (priority.empty() || priority == "normal") {
    t.priority = v1::TICKET_PRIORITY_NORMAL;
  } else {
    t.priority = v1::TICKET_PRIORITY_NORMAL;
    out.warnings.push_back(Entry(kTickets, row.id, reason::kUnknownPriority,
                                 "'" + *row.priority + "' taken as normal"));
  }

  if (!row.item_id) {
    out.warnings.push_back(
        Entry(kTickets, row.id, reason::kNoItem, "item_id is NULL: moved without a device"));
  } else if (auto it = contract.items.find(*row.item_id); it == contract.items.end()) {
    out.warnings.push_back(Entry(kTickets, row.id, reason::kItemOfOtherContract,
                                 "item " + std::to_string(*row.item_id) +
                                     " is not on its contract: moved without a device"));
  } else if (!it->second) {
    out.warnings.push_back(
        Entry(kTickets, row.id, reason::kItemNotMoved,
              "item " + std::to_string(*row.item_id) + " was quarantined: moved without a device"));
  } else {
    t.serial = *it->second;
  }

  t.opened_by = ValidEmail(row.opened_by);
  t.transcript.legacy_ticket_id = row.id;
  t.transcript.contract_number = t.contract_number.value();
  t.transcript.serial = t.serial ? t.serial->value() : "";
  return out;
}

std::vector<ReportEntry> AddCcs(TicketImport& ticket, const std::vector<LegacyCc>& rows) {
  std::vector<ReportEntry> warnings;
  std::set<std::string> keys;
  for (const values::Email& e : ticket.cc) keys.insert(e.LookupKey());
  for (const LegacyCc& row : rows) {
    auto email = values::Email::Parse(values::TrimAsciiSpace(row.email));
    if (!email.ok()) {
      warnings.push_back(Entry(kCc, ticket.legacy_ticket_id, reason::kInvalidCc,
                               "'" + DecodeLegacyText(row.email) + "' not moved"));
      continue;
    }
    if (!keys.insert(email->LookupKey()).second) {
      warnings.push_back(Entry(kCc, ticket.legacy_ticket_id, reason::kDuplicateCc,
                               email->value() + " listed twice: moved once"));
      continue;
    }
    if (ticket.cc.size() >= domain::kMaxCcAddresses) {
      warnings.push_back(Entry(kCc, ticket.legacy_ticket_id, reason::kTooManyCc,
                               email->value() + " not moved: over " +
                                   std::to_string(domain::kMaxCcAddresses) + " addresses"));
      continue;
    }
    ticket.cc.push_back(std::move(email).value());
  }
  return warnings;
}

std::vector<ReportEntry> AddMessage(TicketImport& ticket, const LegacyMessage& message,
                                    const std::vector<LegacyAttachment>& attachments,
                                    LegacyEncoding encoding) {
  std::vector<ReportEntry> warnings;
  pdfexport::TranscriptMessage m;
  if (message.author_name && !values::TrimAsciiSpace(*message.author_name).empty()) {
    m.author = DecodeLegacyText(values::TrimAsciiSpace(*message.author_name), encoding);
  } else if (message.author_email && !values::TrimAsciiSpace(*message.author_email).empty()) {
    m.author = DecodeLegacyText(values::TrimAsciiSpace(*message.author_email), encoding);
  } else {
    m.author = message.from_staff ? "engineer" : "customer";
  }
  m.role = message.from_staff ? pdfexport::Role::kEngineer : pdfexport::Role::kCustomer;
  if (auto sent = ParseLegacyLocalTime(message.sent_at)) {
    m.sent_at = *sent;
  } else {
    m.sent_at = ticket.opened_at;
    warnings.push_back(Entry(kMessages, message.id, reason::kInvalidSentAt,
                             "'" + message.sent_at + "': the ticket's opening time is shown"));
  }
  m.body = DecodeLegacyText(message.body, encoding);
  const std::optional<values::Email> author = ValidEmail(message.author_email);
  for (const LegacyAttachment& a : attachments) {
    const std::string file_name = DecodeLegacyText(a.filename);
    // The type goes back into a header when the file is downloaded: only a media type may.
    const std::string_view given_type =
        a.content_type ? values::TrimAsciiSpace(*a.content_type) : std::string_view();
    const bool type_ok = given_type.empty() || domain::IsMediaType(given_type);
    AttachmentImport import{.legacy_attachment_id = a.id,
                            .legacy_message_id = message.id,
                            .attachment_id = LegacyEventId(kAttachments, a.id, 0),
                            .file_name = domain::SafeFileName(file_name),
                            .content_type = type_ok && !given_type.empty()
                                                ? std::string(given_type)
                                                : "application/octet-stream",
                            .author = author};
    if (import.file_name != file_name) {
      warnings.push_back(Entry(kAttachments, a.id, reason::kUnsafeFileName,
                               "'" + file_name + "' -> '" + import.file_name + "'"));
    }
    if (!type_ok) {
      warnings.push_back(Entry(kAttachments, a.id, reason::kInvalidContentType,
                               "not a media type (type/subtype): moved as "
                               "application/octet-stream"));
    }
    m.attachment_names.push_back(import.file_name);
    ticket.attachments.push_back(std::move(import));
  }
  ticket.transcript.messages.push_back(std::move(m));
  ticket.message_authors.push_back(author);
  return warnings;
}

}  // namespace ledgerdesk::migrator
