#include "migrator/legacy_source.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>

#include "core/values/ascii.h"

namespace ledgerdesk::migrator {
namespace {

using Poco::Data::RecordSet;

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

// What the driver said, as one line an operator can act on: its first line (PostgreSQL adds the
// statement and a caret below), without the statement or the driver's own function names.
std::string DriverSentence(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  for (std::string_view noise : {"SELECT ", "select "}) {
    if (const size_t at = text.find(noise); at != std::string_view::npos) text = text.substr(0, at);
  }
  // "[PostgreSQL]: postgresql_stmt_prepare error: ERROR: relation ... does not exist": from the
  // server's own word on.
  for (std::string_view level : {"ERROR:", "FATAL:"}) {
    if (const size_t at = text.find(level); at != std::string_view::npos) {
      text.remove_prefix(at);
      break;
    }
  }
  std::string out;
  for (char c : values::TrimAsciiSpace(text)) {
    if (c == '\t') c = ' ';
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  }
  while (!out.empty() && (out.back() == ':' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string ExceptionText(const Poco::Exception& e) {
  return DriverSentence(e.message().empty() ? e.displayText() : e.message());
}

// One libpq conninfo value, single-quoted with backslash escapes.
std::string QuoteConnValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// Reads a column of the current page. A NULL where the schema says NOT NULL is data loss.
class Row {
 public:
  Row(const RecordSet& set, size_t row, std::string_view table)
      : set_(set), row_(row), table_(table) {}

  bool IsNull(size_t col) const { return set_.isNull(col, row_); }

  int64_t Int(size_t col) const {
    if (IsNull(col)) throw Poco::DataException("NULL in NOT NULL column " + Name(col));
    return set_.value(col, row_).convert<Poco::Int64>();
  }
  std::optional<int64_t> OptionalInt(size_t col) const {
    if (IsNull(col)) return std::nullopt;
    return set_.value(col, row_).convert<Poco::Int64>();
  }
  std::string Text(size_t col) const {
    if (IsNull(col)) throw Poco::DataException("NULL in NOT NULL column " + Name(col));
    return Bytes(col);
  }
  std::optional<std::string> OptionalText(size_t col) const {
    if (IsNull(col)) return std::nullopt;
    return Bytes(col);
  }

 private:
  std::string Name(size_t col) const { return std::string(table_) + "." + set_.columnName(col); }
  // Text and BLOB columns alike, as raw bytes.
  std::string Bytes(size_t col) const {
    const Poco::Dynamic::Var value = set_.value(col, row_);
    if (value.type() == typeid(Poco::Data::BLOB)) {
      const auto& blob = value.extract<Poco::Data::BLOB>();
      return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
    }
    if (value.type() == typeid(Poco::Data::CLOB)) {
      const auto& clob = value.extract<Poco::Data::CLOB>();
      return std::string(clob.rawContent(), clob.size());
    }
    return value.convert<std::string>();
  }

  const RecordSet& set_;
  size_t row_;
  std::string_view table_;
};

LegacyCustomer ReadCustomer(const Row& r) {
  return {.id = r.Int(0),
          .nip = r.Text(1),
          .name = r.Text(2),
          .email = r.OptionalText(3),
          .phone = r.OptionalText(4),
          .partner_name = r.OptionalText(5)};
}
constexpr std::string_view kCustomerColumns = "id, nip, name, email, phone, partner_name";

LegacyContract ReadContract(const Row& r) {
  return {.id = r.Int(0),
          .number = r.Text(1),
          .customer_id = r.Int(2),
          .package = r.Text(3),
          .support_window = r.Text(4),
          .replacement = r.OptionalText(5),
          .starts_on = r.Text(6),
          .ends_on = r.Text(7),
          .status = r.Text(8)};
}
constexpr std::string_view kContractColumns =
    "id, number, customer_id, package, support_window, replacement, starts_on, ends_on, status";

LegacyContractItem ReadItem(const Row& r) {
  return {.id = r.Int(0),
          .contract_id = r.Int(1),
          .serial = r.Text(2),
          .product = r.OptionalText(3),
          .kind = r.Text(4)};
}
constexpr std::string_view kItemColumns = "id, contract_id, serial, product, kind";

LegacyTicket ReadTicket(const Row& r) {
  return {.id = r.Int(0),
          .contract_id = r.Int(1),
          .item_id = r.OptionalInt(2),
          .title = r.Text(3),
          .status = r.Text(4),
          .priority = r.OptionalText(5),
          .partner_access = r.OptionalInt(6),
          .opened_by = r.OptionalText(7),
          .opened_at = r.Text(8),
          .closed_at = r.OptionalText(9)};
}
constexpr std::string_view kTicketColumns =
    "id, contract_id, item_id, title, status, priority, partner_access, opened_by, opened_at, "
    "closed_at";

LegacyMessage ReadMessage(const Row& r) {
  return {.id = r.Int(0),
          .ticket_id = r.Int(1),
          .author_name = r.OptionalText(2),
          .author_email = r.OptionalText(3),
          .from_staff = r.Int(4) != 0,
          .body = r.Text(5),
          .sent_at = r.Text(6)};
}
constexpr std::string_view kMessageColumns =
    "id, ticket_id, author_name, author_email, from_staff, body, sent_at";

LegacyAttachment ReadAttachment(const Row& r) {
  LegacyAttachment a{.id = r.Int(0),
                     .message_id = r.Int(1),
                     .filename = r.Text(2),
                     .content_type = r.OptionalText(3)};
  a.content = r.Text(4);
  return a;
}
constexpr std::string_view kAttachmentMetaColumns = "id, message_id, filename, content_type";
constexpr std::string_view kAttachmentColumns = "id, message_id, filename, content_type, content";

LegacyCc ReadCc(const Row& r) { return {.ticket_id = r.Int(0), .email = r.Text(1)}; }

class PocoLegacySource final : public LegacySource {
 public:
  PocoLegacySource(std::unique_ptr<Poco::Data::Session> session, SourceOptions options)
      : session_(std::move(session)), page_size_(std::max(1, options.page_size)) {}

  Status ForEachCustomer(const RowVisitor<LegacyCustomer>& visit) override {
    return Paged<LegacyCustomer>("customers", kCustomerColumns, "", ReadCustomer, visit);
  }
  Status ForEachContract(const RowVisitor<LegacyContract>& visit) override {
    return Paged<LegacyContract>("contracts", kContractColumns, "", ReadContract, visit);
  }
  Status ForEachContractItem(const RowVisitor<LegacyContractItem>& visit) override {
    return Paged<LegacyContractItem>("contract_items", kItemColumns, "", ReadItem, visit);
  }
  Status ForEachTicket(const RowVisitor<LegacyTicket>& visit) override {
    return Paged<LegacyTicket>("tickets", kTicketColumns, "", ReadTicket, visit);
  }
  Status ForEachMessage(const RowVisitor<LegacyMessage>& visit) override {
    return Paged<LegacyMessage>("ticket_messages", kMessageColumns, "", ReadMessage, visit);
  }
  Status ForEachAttachment(const RowVisitor<LegacyAttachment>& visit) override {
    return Paged<LegacyAttachment>("ticket_attachments", kAttachmentMetaColumns, "",
                                   ReadAttachmentMeta, visit);
  }
  Status ForEachCc(const RowVisitor<LegacyCc>& visit) override {
    return PagedCc(std::nullopt, visit);
  }

  Status ForEachContractItemOf(int64_t contract_id,
                               const RowVisitor<LegacyContractItem>& visit) override {
    return Paged<LegacyContractItem>("contract_items", kItemColumns,
                                     "contract_id = " + std::to_string(contract_id), ReadItem,
                                     visit);
  }
  Status ForEachMessageOf(int64_t ticket_id, const RowVisitor<LegacyMessage>& visit) override {
    return Paged<LegacyMessage>("ticket_messages", kMessageColumns,
                                "ticket_id = " + std::to_string(ticket_id), ReadMessage, visit);
  }
  Status ForEachAttachmentOf(int64_t message_id,
                             const RowVisitor<LegacyAttachment>& visit) override {
    // One row per query: an attachment may be large.
    return Paged<LegacyAttachment>("ticket_attachments", kAttachmentColumns,
                                   "message_id = " + std::to_string(message_id), ReadAttachment,
                                   visit, /*page_size=*/1);
  }
  Status ForEachCcOf(int64_t ticket_id, const RowVisitor<LegacyCc>& visit) override {
    return PagedCc(ticket_id, visit);
  }

  Status ForEachMessageInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                     const RowVisitor<LegacyMessage>& visit) override {
    return Query<LegacyMessage>(
        "ticket_messages", TicketsWhere(first_ticket_id, last_ticket_id),
        "SELECT " + std::string(kMessageColumns) + " FROM ticket_messages WHERE " +
            TicketRange("ticket_id", first_ticket_id, last_ticket_id) + " ORDER BY ticket_id, id",
        ReadMessage, visit);
  }
  Status ForEachAttachmentInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                        const RowVisitor<LegacyAttachment>& visit) override {
    return Query<LegacyAttachment>(
        "ticket_attachments", TicketsWhere(first_ticket_id, last_ticket_id),
        "SELECT a.id, a.message_id, a.filename, a.content_type, m.ticket_id FROM "
        "ticket_attachments a JOIN ticket_messages m ON m.id = a.message_id WHERE " +
            TicketRange("m.ticket_id", first_ticket_id, last_ticket_id) +
            " ORDER BY m.ticket_id, a.message_id, a.id",
        [](const Row& r) {
          LegacyAttachment a = ReadAttachmentMeta(r);
          a.ticket_id = r.Int(4);
          return a;
        },
        visit);
  }
  Status ForEachCcInTicketRange(int64_t first_ticket_id, int64_t last_ticket_id,
                                const RowVisitor<LegacyCc>& visit) override {
    return Query<LegacyCc>("ticket_cc", TicketsWhere(first_ticket_id, last_ticket_id),
                           "SELECT ticket_id, email FROM ticket_cc WHERE " +
                               TicketRange("ticket_id", first_ticket_id, last_ticket_id) +
                               " ORDER BY ticket_id, email",
                           ReadCc, visit);
  }
  Result<std::string> AttachmentContent(int64_t attachment_id) override {
    std::optional<std::string> content;
    LD_RETURN_IF_ERROR(Query<std::string>(
        "ticket_attachments", "of attachment " + std::to_string(attachment_id),
        "SELECT content FROM ticket_attachments WHERE id = " + std::to_string(attachment_id),
        [](const Row& r) { return r.Text(0); },
        [&](const std::string& bytes) {
          content = bytes;
          return OkStatus();
        }));
    if (!content) return NotFound("no attachment " + std::to_string(attachment_id));
    return std::move(*content);
  }

  Result<int64_t> CountRows(std::string_view table) override {
    if (std::find(std::begin(kLegacyTables), std::end(kLegacyTables), table) ==
        std::end(kLegacyTables)) {
      return InvalidArgument("not a legacy table: " + std::string(table));
    }
    try {
      RecordSet set(*session_, "SELECT COUNT(*) FROM " + std::string(table));
      return set.value(0, 0).convert<Poco::Int64>();
    } catch (const Poco::Exception& e) {
      return Unavailable("counting " + std::string(table) + ": " + ExceptionText(e));
    }
  }

 private:
  static LegacyAttachment ReadAttachmentMeta(const Row& r) {
    return {.id = r.Int(0),
            .message_id = r.Int(1),
            .filename = r.Text(2),
            .content_type = r.OptionalText(3)};
  }

  // Keyset pagination on `id`: `filter` (may be empty) narrows the rows.
  template <typename T, typename Reader>
  Status Paged(std::string_view table, std::string_view columns, const std::string& filter,
               Reader read, const RowVisitor<T>& visit, int page_size = 0) {
    const int limit = page_size > 0 ? page_size : page_size_;
    int64_t last_id = 0;
    bool first = true;
    for (;;) {
      std::vector<T> page;
      try {
        std::string sql = "SELECT " + std::string(columns) + " FROM " + std::string(table);
        std::string where = filter;
        if (!first) where += (where.empty() ? "" : " AND ") + ("id > " + std::to_string(last_id));
        if (!where.empty()) sql += " WHERE " + where;
        sql += " ORDER BY id LIMIT " + std::to_string(limit);
        RecordSet set(*session_, sql);
        const size_t rows = set.rowCount();
        page.reserve(rows);
        for (size_t i = 0; i < rows; ++i) page.push_back(read(Row(set, i, table)));
      } catch (const Poco::Exception& e) {
        return RowError(table, PageWhere(first, last_id), ExceptionText(e));
      } catch (const std::exception& e) {
        return RowError(table, PageWhere(first, last_id), DriverSentence(e.what()));
      }
      for (const T& row : page) {
        LD_RETURN_IF_ERROR(visit(row));
        last_id = row.id;
        first = false;
      }
      if (static_cast<int>(page.size()) < limit) return OkStatus();
    }
  }

  static std::string PageWhere(bool first, int64_t last_id) {
    return first ? "at the start" : "after id " + std::to_string(last_id);
  }
  static std::string TicketsWhere(int64_t first, int64_t last) {
    return "of tickets " + std::to_string(first + 1) + " to " + std::to_string(last);
  }

  static std::string TicketRange(std::string_view column, int64_t first, int64_t last) {
    return std::string(column) + " > " + std::to_string(first) + " AND " + std::string(column) +
           " <= " + std::to_string(last);
  }

  // One query, every row in memory at once (the caller bounds it, see the range streams).
  // `where`: which rows, for an error ("of tickets 101 to 200").
  template <typename T, typename Reader>
  Status Query(std::string_view table, const std::string& where, const std::string& sql,
               Reader read, const RowVisitor<T>& visit) {
    std::vector<T> rows;
    try {
      RecordSet set(*session_, sql);
      const size_t n = set.rowCount();
      rows.reserve(n);
      for (size_t i = 0; i < n; ++i) rows.push_back(read(Row(set, i, table)));
    } catch (const Poco::Exception& e) {
      return RowError(table, where, ExceptionText(e));
    } catch (const std::exception& e) {
      return RowError(table, where, DriverSentence(e.what()));
    }
    for (const T& row : rows) LD_RETURN_IF_ERROR(visit(row));
    return OkStatus();
  }

  // ticket_cc has no id: pages hold every row of up to page_size tickets, found by a first query
  // for the page's last ticket id.
  Status PagedCc(std::optional<int64_t> only_ticket, const RowVisitor<LegacyCc>& visit) {
    int64_t after = 0;
    bool first = true;
    for (;;) {
      std::vector<LegacyCc> page;
      bool more = false;
      try {
        std::string range;
        if (only_ticket) {
          range = "ticket_id = " + std::to_string(*only_ticket);
        } else {
          std::string ids = "SELECT DISTINCT ticket_id FROM ticket_cc";
          if (!first) ids += " WHERE ticket_id > " + std::to_string(after);
          ids += " ORDER BY ticket_id LIMIT " + std::to_string(page_size_);
          RecordSet tickets(*session_, ids);
          const size_t n = tickets.rowCount();
          if (n == 0) return OkStatus();
          const int64_t last = tickets.value(0, n - 1).convert<Poco::Int64>();
          range = (first ? "" : "ticket_id > " + std::to_string(after) + " AND ") +
                  "ticket_id <= " + std::to_string(last);
          more = static_cast<int>(n) == page_size_;
          after = last;
        }
        RecordSet set(*session_, "SELECT ticket_id, email FROM ticket_cc WHERE " + range +
                                     " ORDER BY ticket_id, email");
        for (size_t i = 0; i < set.rowCount(); ++i)
          page.push_back(ReadCc(Row(set, i, "ticket_cc")));
      } catch (const Poco::Exception& e) {
        return RowError("ticket_cc", PageWhere(first, after), ExceptionText(e));
      } catch (const std::exception& e) {
        return RowError("ticket_cc", PageWhere(first, after), DriverSentence(e.what()));
      }
      first = false;
      for (const LegacyCc& row : page) LD_RETURN_IF_ERROR(visit(row));
      if (!more) return OkStatus();
    }
  }

  static Status RowError(std::string_view table, const std::string& where,
                         const std::string& what) {
    return Unavailable("reading legacy table " + std::string(table) + " " + where + ": " + what);
  }

  std::unique_ptr<Poco::Data::Session> session_;
  int page_size_;
};

}  // namespace

namespace {

// A postgresql:// URI as libpq's connection string, and its password (kept out of messages).
struct PostgresTarget {
  std::string conninfo;
  std::string password;
};

Result<PostgresTarget> ParsePostgresUri(std::string_view uri) {
  try {
    const Poco::URI parsed{std::string(uri)};
    if (parsed.getScheme() != "postgresql" && parsed.getScheme() != "postgres") {
      return InvalidArgument("not a postgresql:// URI");
    }
    PostgresTarget target;
    std::string& out = target.conninfo;
    auto add = [&out](std::string_view key, std::string_view value) {
      if (value.empty()) return;
      if (!out.empty()) out += ' ';
      out += std::string(key) + "=" + QuoteConnValue(value);
    };
    add("host", parsed.getHost());
    if (parsed.getPort() != 0) add("port", std::to_string(parsed.getPort()));
    const std::string user_info = parsed.getUserInfo();
    const auto colon = user_info.find(':');
    add("user", user_info.substr(0, colon));
    if (colon != std::string::npos) target.password = user_info.substr(colon + 1);
    add("password", target.password);
    std::string path = parsed.getPath();
    if (!path.empty() && path.front() == '/') path.erase(0, 1);
    add("dbname", path);
    for (const auto& [key, value] : parsed.getQueryParameters()) add(key, value);
    return target;
  } catch (const Poco::Exception& e) {
    return InvalidArgument("malformed PostgreSQL URI: " + ExceptionText(e));
  }
}

}  // namespace

Result<std::string> PostgresConnectionString(std::string_view uri) {
  LD_ASSIGN_OR_RETURN(PostgresTarget target, ParsePostgresUri(uri));
  return std::move(target.conninfo);
}

Result<std::unique_ptr<LegacySource>> LegacySource::Open(std::string_view uri,
                                                         SourceOptions options) {
  RegisterConnectors();
  std::string connector;
  std::string connection;
  std::string password;  // kept out of every message
  if (uri.starts_with("sqlite:")) {
    connector = Poco::Data::SQLite::Connector::KEY;
    connection = std::string(uri.substr(7));
    if (connection.empty()) return InvalidArgument("sqlite: URI without a path");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(connection, ec)) {
      return NotFound("legacy SQLite database not found: " + connection);
    }
  } else if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    connector = Poco::Data::PostgreSQL::Connector::KEY;
    LD_ASSIGN_OR_RETURN(PostgresTarget target, ParsePostgresUri(uri));
    connection = std::move(target.conninfo);
    password = std::move(target.password);
    // libpq waits for an answer forever by default: a server that accepts and never answers
    // would hang the migration without a word.
    if (connection.find("connect_timeout=") == std::string::npos) {
      connection += " connect_timeout='10'";
    }
  } else {
    return InvalidArgument("legacy source must be sqlite:PATH or postgresql://...");
  }
  // A live database may refuse a connection for a moment (a busy server, a restart): a few
  // tries a second apart before giving up.
  const int tries = connector == Poco::Data::PostgreSQL::Connector::KEY ? 3 : 1;
  for (int attempt = 1;; ++attempt) {
    try {
      auto session = std::make_unique<Poco::Data::Session>(connector, connection);
      return std::unique_ptr<LegacySource>(
          std::make_unique<PocoLegacySource>(std::move(session), options));
    } catch (const Poco::Exception& e) {
      if (attempt < tries) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      // The server's reason (refused, no such database, authentication failed), but never the
      // password, should a driver ever quote the connection string.
      std::string reason = ExceptionText(e);
      if (!password.empty()) {
        for (size_t at; (at = reason.find(password)) != std::string::npos;) {
          reason.replace(at, password.size(), "***");
        }
      }
      return Unavailable("cannot open the legacy database (" + connector +
                         "): " + (reason.empty() ? e.name() : reason));
    }
  }
}

}  // namespace ledgerdesk::migrator
