#pragma once

// Transform: the rules of legacy-data-rules.md as pure functions from legacy rows (and the
// migration's as-of date) to outcomes: moved (a command or an import plan), dropped by a rule, or
// quarantined with a reason; plus warnings for what moves changed. No I/O, no clock: the same rows
// always give the same outcome, so a dry run and a real run report the same.
//
// Reason keys (the report's snake_case words) are the constants below; README.md lists them.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/domain/contract/contract.h"
#include "core/values/contract_number.h"
#include "core/values/email.h"
#include "core/values/nip.h"
#include "core/values/serial.h"
#include "migrator/legacy_source.h"
#include "migrator/windows1250.h"
#include "pdfexport/transcript.h"
#include "schemas/ledgerdesk/v1/common.pb.h"
#include "schemas/ledgerdesk/v1/ticket_events.pb.h"

namespace ledgerdesk::migrator {

// A row listed in the report: quarantined, or moved with a warning.
struct ReportEntry {
  std::string table;
  int64_t id = 0;
  std::string reason;
  std::string detail;
  friend bool operator==(const ReportEntry&, const ReportEntry&) = default;
};

struct Dropped {
  std::string reason;
};
struct Quarantined {
  std::string reason;
  std::string detail;
};

// What became of one legacy row, and the warnings about it.
template <typename Moved>
struct Outcome {
  std::variant<Moved, Dropped, Quarantined> result;
  std::vector<ReportEntry> warnings;

  bool moved() const { return std::holds_alternative<Moved>(result); }
  const Moved& value() const { return std::get<Moved>(result); }
  Moved& value() { return std::get<Moved>(result); }
  const Dropped* dropped() const { return std::get_if<Dropped>(&result); }
  const Quarantined* quarantined() const { return std::get_if<Quarantined>(&result); }
};

// Reason keys.
namespace reason {
inline constexpr std::string_view kInvalidNip = "invalid_nip";
inline constexpr std::string_view kPartnerNameTooLong = "partner_name_too_long";
inline constexpr std::string_view kCustomerQuarantined = "customer_quarantined";
inline constexpr std::string_view kInvalidNumber = "invalid_number";
inline constexpr std::string_view kInvalidTerms = "invalid_terms";
inline constexpr std::string_view kInvalidStatus = "invalid_status";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kCancelled = "cancelled";
inline constexpr std::string_view kPastEnd = "past_end";
inline constexpr std::string_view kNoItems = "no_items";
inline constexpr std::string_view kInvalidSerial = "invalid_serial";
inline constexpr std::string_view kDuplicateSerial = "duplicate_serial";
inline constexpr std::string_view kDuplicateSerialInContract = "duplicate_serial_in_contract";
inline constexpr std::string_view kContractNotMoved = "contract_not_moved";
inline constexpr std::string_view kContractQuarantined = "contract_quarantined";
inline constexpr std::string_view kContractMovedWithout = "contract_moved_without_it";
inline constexpr std::string_view kClosed = "closed";
inline constexpr std::string_view kInvalidOpenedAt = "invalid_opened_at";
inline constexpr std::string_view kTitleShortened = "title_shortened";
inline constexpr std::string_view kNoItem = "no_item";
inline constexpr std::string_view kItemOfOtherContract = "item_of_other_contract";
inline constexpr std::string_view kItemNotMoved = "item_not_moved";
inline constexpr std::string_view kUnknownPriority = "unknown_priority";
inline constexpr std::string_view kInvalidCc = "invalid_cc";
inline constexpr std::string_view kDuplicateCc = "duplicate_cc";
inline constexpr std::string_view kTooManyCc = "too_many_cc";
inline constexpr std::string_view kUnsafeFileName = "unsafe_file_name";
inline constexpr std::string_view kInvalidContentType = "invalid_content_type";
inline constexpr std::string_view kConvertedEncoding = "converted_from_windows_1250";
inline constexpr std::string_view kInvalidSentAt = "invalid_sent_at";
inline constexpr std::string_view kNotMigrated = "not_migrated";
inline constexpr std::string_view kParentNotMoved = "parent_not_moved";
}  // namespace reason

// ---- ids ------------------------------------------------------------------------------------

// The id of the `ordinal`-th event or entity derived from legacy row (`table`, `row_id`): the first
// 16 bytes of SHA-256 over "ledgerdesk-legacy/v1/<table>/<row_id>/<ordinal>". The same row always
// yields the same id, so a re-run or a resumed run cannot append an event twice.
std::string LegacyEventId(std::string_view table, int64_t row_id, int ordinal);

// ---- customers ------------------------------------------------------------------------------

struct MovedCustomer {
  int64_t legacy_id = 0;
  values::Nip nip;
  std::string name;          // UTF-8 (decoded like message bodies)
  std::string partner_name;  // empty: none
};

// The NIP as legacy rows type it, canonical: separators (dashes, spaces, dots) and a "PL" prefix
// removed. Quarantined reasons: invalid_nip with the detail "wrong length" (not 10 digits, or
// other characters), or "checksum fails".
Outcome<MovedCustomer> TransformCustomer(const LegacyCustomer& row);

// ---- contracts ------------------------------------------------------------------------------

// What the contract's tickets need to know of it.
struct ContractFate {
  enum class Kind { kMoved, kDropped, kQuarantined };
  Kind kind = Kind::kDropped;
  std::optional<values::ContractNumber> number;  // when moved
  std::string organization_id;                   // when moved
  // Every legacy item of the contract: its serial when the item moved, nullopt when it did not.
  std::map<int64_t, std::optional<values::Serial>> items;
};

struct MovedContract {
  domain::RegisterContract command;  // legacy_contract_id set
  ContractFate fate;
};

// The contract with its items. `customer` is the owner's outcome (nullptr: no such customer row,
// quarantined as customer_quarantined). `quarantined_items` are legacy item ids quarantined
// across contracts (see DuplicateSerials); they are left out.
// Order of the rules: the owner's quarantine; the status and end date (dropped: expired,
// cancelled, past_end); the number (invalid_number); the terms (invalid_terms); the items
// (invalid_serial; duplicate serials inside the contract keep the first with a warning; none
// left: no_items).
Outcome<MovedContract> TransformContract(const LegacyContract& row,
                                         const Outcome<MovedCustomer>* customer,
                                         const std::vector<LegacyContractItem>& items,
                                         const v1::Date& as_of,
                                         const std::set<int64_t>& quarantined_items = {});

// Whether the contract moves by status and date alone (the first pass of a run uses it to find
// duplicate serials among the contracts that move).
bool ContractIsActive(const LegacyContract& row, const v1::Date& as_of);

// Finds serials (compared after normalization, values::Serial) that are on more than one
// contract that moves. Both (all) items are quarantined as contract_items rows, reason
// duplicate_serial, detail naming the other contracts and whether they belong to another
// organization; the contracts move without them. Memory: one entry per item added.
class DuplicateSerials {
 public:
  // An item of a contract that moves, owned by `nip` (canonical).
  void Add(const LegacyContractItem& item, std::string_view contract_number, std::string_view nip);
  // The report entries, in item id order.
  std::vector<ReportEntry> Entries() const;
  std::set<int64_t> ItemIds() const;

 private:
  struct Holder {
    int64_t item_id;
    int64_t contract_id;
    std::string contract_number;
    std::string nip;
  };
  std::map<std::string, std::vector<Holder>> by_serial_;
};

// ---- tickets --------------------------------------------------------------------------------

struct AttachmentImport {
  int64_t legacy_attachment_id = 0;
  int64_t legacy_message_id = 0;
  std::string attachment_id;            // LegacyEventId("ticket_attachments", id, 0)
  std::string file_name;                // safe
  std::string content_type;             // application/octet-stream when the row has none
  std::optional<values::Email> author;  // its message's author_email, when a valid address
};

// Everything the load stage needs to import one ticket.
struct TicketImport {
  int64_t legacy_ticket_id = 0;
  std::string ticket_id;  // LegacyEventId("tickets", id, 0)
  std::string organization_id;
  values::ContractNumber contract_number;
  std::optional<values::Serial> serial;  // none: moved without a device
  std::string title;                     // UTF-8
  v1::TicketStatus status = v1::TICKET_STATUS_OPEN;
  v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL;
  bool partner_access = false;
  std::chrono::system_clock::time_point opened_at;  // UTC
  std::vector<values::Email> cc;
  std::vector<AttachmentImport> attachments;
  pdfexport::Transcript transcript;
  // The people whose data moves (they become legacy contacts, legacy_contacts.h): the opener
  // (opened_by) and each transcript message's author (author_email), when a valid address.
  std::optional<values::Email> opened_by;
  std::vector<std::optional<values::Email>> message_authors;  // one per transcript message
  std::string transcript_attachment_id;                       // LegacyEventId("tickets", id, 1)
};

// The ticket's own fields. Rule order: the contract's quarantine (contract_quarantined); a closed
// ticket (dropped: closed); a contract that does not move (dropped: contract_not_moved); an
// unknown status (invalid_status) or opening time (invalid_opened_at). Moves with warnings:
// no_item, item_of_other_contract, item_not_moved (the device is left out), unknown_priority.
Outcome<TicketImport> TransformTicket(const LegacyTicket& row, const ContractFate& contract,
                                      LegacyEncoding encoding = LegacyEncoding::kWindows1250);

// Adds the CC addresses to a moved ticket. Returns warnings: invalid_cc (not moved, the
// address in the detail), duplicate_cc, too_many_cc (over domain::kMaxCcAddresses). Entries use
// table ticket_cc and the ticket's legacy id.
std::vector<ReportEntry> AddCcs(TicketImport& ticket, const std::vector<LegacyCc>& rows);

// Adds one dialog message with its attachments (content not needed) to the ticket's transcript
// and attachment list. Warnings: converted_from_windows_1250 is not reported (it is normal);
// invalid_sent_at (the opening time is used), unsafe_file_name (the name was reduced).
std::vector<ReportEntry> AddMessage(TicketImport& ticket, const LegacyMessage& message,
                                    const std::vector<LegacyAttachment>& attachments,
                                    LegacyEncoding encoding = LegacyEncoding::kWindows1250);

// Parses "YYYY-MM-DD HH:MM:SS" (seconds optional) Warsaw local time to UTC.
std::optional<std::chrono::system_clock::time_point> ParseLegacyLocalTime(std::string_view text);

}  // namespace ledgerdesk::migrator
