#pragma once

// Extract: reads the legacy helpdesk database (../shared/spec/legacy-schema.sql) through
// Poco::Data, from a SQLite file or a live PostgreSQL database, as plain structs.
//
//   LD_ASSIGN_OR_RETURN(auto source, LegacySource::Open("sqlite:/data/old.db"));
//   LD_RETURN_IF_ERROR(source->ForEachTicket([&](const LegacyTicket& t) { ...; return OkStatus();
//   }));
//
// Every table is streamed in id order by keyset pagination (`WHERE id > last ORDER BY id LIMIT n`),
// so memory stays flat however large the database is: at most one page is held at a time. Text
// comes back as the raw bytes the database holds (message bodies from before 2019 are
// windows-1250, see windows1250.h); nothing is decoded here. Poco exceptions never leave this
// component: they come back as a Status naming the table and the row id.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace ledgerdesk::migrator {

// One row of each legacy table, column for column; NULL-able columns are optionals.
struct LegacyCustomer {
  int64_t id = 0;
  std::string nip;  // as typed
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> partner_name;
};

struct LegacyContract {
  int64_t id = 0;
  std::string number;  // as typed: maybe lowercase or padded
  int64_t customer_id = 0;
  std::string package;         // "SOS" | "AHB"
  std::string support_window;  // "8x5" | "24x7"
  std::optional<std::string> replacement;
  std::string starts_on;  // YYYY-MM-DD
  std::string ends_on;    // YYYY-MM-DD, inclusive
  std::string status;     // "active" | "expired" | "cancelled"
};

struct LegacyContractItem {
  int64_t id = 0;
  int64_t contract_id = 0;
  std::string serial;  // as typed, maybe with the "(H)-" prefix
  std::optional<std::string> product;
  std::string kind;  // "device" | "licence"
};

struct LegacyTicket {
  int64_t id = 0;
  int64_t contract_id = 0;
  std::optional<int64_t> item_id;
  std::string title;
  std::string status;  // "new" | "open" | "waiting" | "closed"
  std::optional<std::string> priority;
  std::optional<int64_t> partner_access;
  std::optional<std::string> opened_by;
  std::string opened_at;  // YYYY-MM-DD HH:MM:SS, Europe/Warsaw
  std::optional<std::string> closed_at;
};

struct LegacyMessage {
  int64_t id = 0;
  int64_t ticket_id = 0;
  std::optional<std::string> author_name;
  std::optional<std::string> author_email;
  bool from_staff = false;
  std::string body;     // raw bytes: UTF-8 or windows-1250
  std::string sent_at;  // YYYY-MM-DD HH:MM:SS, Europe/Warsaw
};

struct LegacyAttachment {
  int64_t id = 0;
  int64_t message_id = 0;
  std::string filename;  // as uploaded: maybe with path parts
  std::optional<std::string> content_type;
  std::string content;    // the bytes; empty in the metadata-only streams (see below)
  int64_t ticket_id = 0;  // the message's ticket: set by ForEachAttachmentInTicketRange only
};

// ticket_cc has no id column: rows are ordered by (ticket_id, email).
struct LegacyCc {
  int64_t ticket_id = 0;
  std::string email;
};

// A visitor gets each row once, in order; returning an error stops the stream and the stream
// returns that error unchanged.
template <typename Row>
using RowVisitor = std::function<Status(const Row&)>;

struct SourceOptions {
  // Rows fetched per query. Memory is about one page of rows (plus, for attachments with
  // content, their bytes).
  int page_size = 1000;
};

class LegacySource {
 public:
  // Opens `uri`:
  //  - "sqlite:PATH" (PATH relative or absolute; the file must exist and is opened read-only in
  //    intent: nothing here writes);
  //  - "postgresql://[user[:password]@]host[:port]/dbname[?param=value&...]" (also
  //    "postgres://"): host, port, user, password, dbname and the query parameters (sslmode,
  //    connect_timeout, ...) become a libpq connection string.
  // Errors: kInvalidArgument for a malformed or unknown URI, kNotFound for a missing SQLite file,
  // kUnavailable when the database cannot be opened or reached. The source is not thread-safe:
  // one thread at a time.
  static Result<std::unique_ptr<LegacySource>> Open(std::string_view uri,
                                                    SourceOptions options = {});

  virtual ~LegacySource() = default;

  // Each table in id order, every row exactly once (if nobody writes meanwhile). Errors: the
  // visitor's, or kUnavailable / kDataLoss with the table and the last id read for a database
  // failure or a row that does not fit the schema (a NULL in a NOT NULL column, say).
  virtual Status ForEachCustomer(const RowVisitor<LegacyCustomer>& visit) = 0;
  virtual Status ForEachContract(const RowVisitor<LegacyContract>& visit) = 0;
  virtual Status ForEachContractItem(const RowVisitor<LegacyContractItem>& visit) = 0;
  virtual Status ForEachTicket(const RowVisitor<LegacyTicket>& visit) = 0;
  virtual Status ForEachMessage(const RowVisitor<LegacyMessage>& visit) = 0;
  // Attachments without their content (`content` left empty): names and types for transcripts.
  virtual Status ForEachAttachment(const RowVisitor<LegacyAttachment>& visit) = 0;
  // ticket_cc ordered by (ticket_id, email), paged by ticket id.
  virtual Status ForEachCc(const RowVisitor<LegacyCc>& visit) = 0;

  // The rows that belong to one parent, in id order (the load stage builds a ticket at a time).
  virtual Status ForEachContractItemOf(int64_t contract_id,
                                       const RowVisitor<LegacyContractItem>& visit) = 0;
  virtual Status ForEachMessageOf(int64_t ticket_id, const RowVisitor<LegacyMessage>& visit) = 0;
  // With content: one attachment's bytes in memory at a time.
  virtual Status ForEachAttachmentOf(int64_t message_id,
                                     const RowVisitor<LegacyAttachment>& visit) = 0;
  virtual Status ForEachCcOf(int64_t ticket_id, const RowVisitor<LegacyCc>& visit) = 0;

  // The dialog rows of the tickets with first_ticket_id < ticket_id <= last_ticket_id, for the
  // load stage, which reads tickets in windows of a few thousand: one query per window and table
  // (a scan where the old database has no index on ticket_id), so memory is one window's rows.
  // Messages ordered by (ticket_id, id); attachments (without content, `ticket_id` set, joined
  // through their message) by (ticket_id, message_id, id); CC rows by (ticket_id, email).
  virtual Status ForEachMessageInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                             const RowVisitor<LegacyMessage>& visit) = 0;
  virtual Status ForEachAttachmentInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                                const RowVisitor<LegacyAttachment>& visit) = 0;
  virtual Status ForEachCcInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                        const RowVisitor<LegacyCc>& visit) = 0;
  // One attachment's bytes (a primary-key lookup). kNotFound when there is no such row.
  virtual Result<std::string> AttachmentContent(int64_t attachment_id) = 0;

  // Number of rows in a legacy table (one of the schema's table names, users included), for
  // progress and the report. Errors: kInvalidArgument for another name, else as above.
  virtual Result<int64_t> CountRows(std::string_view table) = 0;
};

// The tables of legacy-schema.sql (the report names rows by them too), and in the order the
// migrator reads them.
inline constexpr std::string_view kCustomers = "customers";
inline constexpr std::string_view kContracts = "contracts";
inline constexpr std::string_view kItems = "contract_items";
inline constexpr std::string_view kUsers = "users";
inline constexpr std::string_view kTickets = "tickets";
inline constexpr std::string_view kMessages = "ticket_messages";
inline constexpr std::string_view kCc = "ticket_cc";
inline constexpr std::string_view kAttachments = "ticket_attachments";
inline constexpr std::string_view kLegacyTables[] = {kCustomers, kContracts, kItems, kUsers,
                                                     kTickets,   kMessages,  kCc,    kAttachments};

// Exposed for tests: the libpq connection string ("host='h' port='5432' ...") for a
// postgresql:// URI. Errors: kInvalidArgument.
Result<std::string> PostgresConnectionString(std::string_view uri);

}  // namespace ledgerdesk::migrator
