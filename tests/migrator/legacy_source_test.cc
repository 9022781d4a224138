// Extract against real databases: a SQLite file built from legacy-schema.sql, and a live
// PostgreSQL server when LEDGERDESK_TEST_POSTGRES_URI is set (tools/start-test-postgres.sh starts
// one).

#include "migrator/legacy_source.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "migrator/transform.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_postgres.h"

namespace ledgerdesk::migrator {
namespace {

using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

constexpr int kCustomers = 20, kContracts = 40, kItems = 120, kTickets = 300, kMessages = 700,
              kAttachments = 60;

std::string ReadSchema() {
  std::ifstream in(LEDGERDESK_LEGACY_SCHEMA);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The schema's statements without comments.
std::vector<std::string> SchemaStatements() {
  std::stringstream in(ReadSchema());
  std::string line, all;
  while (std::getline(in, line)) {
    const auto dash = line.find("--");
    all += line.substr(0, dash) + "\n";
  }
  std::vector<std::string> statements;
  size_t start = 0;
  for (size_t semi; (semi = all.find(';', start)) != std::string::npos; start = semi + 1) {
    statements.push_back(all.substr(start, semi - start));
  }
  return statements;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// What the fixture holds, to compare against.
struct Expected {
  std::map<int64_t, std::string> message_bodies;
  std::map<int64_t, std::string> attachment_contents;
  std::map<int64_t, std::vector<std::string>> cc;  // per ticket, sorted
  std::map<int64_t, std::vector<int64_t>> messages_of_ticket;
  std::map<int64_t, std::optional<int64_t>> ticket_items;
};

// Fills the legacy tables with a few hundred deterministic rows: NULLs in every NULL-able column
// somewhere, windows-1250 bodies, attachments with NUL and high bytes, dirty values.
Expected Populate(Poco::Data::Session& session, bool raw_bytes_allowed) {
  Expected expected;
  session.begin();
  for (int i = 1; i <= kCustomers; ++i) {
    session << "INSERT INTO customers VALUES (" + std::to_string(i) + ", " +
                   Quote(i % 5 == 0 ? "526-025-02-74" : "5260250274") + ", " +
                   Quote("Firma " + std::to_string(i)) + ", " +
                   (i % 3 == 0 ? "NULL" : Quote("biuro" + std::to_string(i) + "@example.com")) +
                   ", NULL, " + (i % 2 == 0 ? Quote("Partner") : "NULL") + ")",
        now;
  }
  for (int i = 1; i <= kContracts; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, i % 4 == 0 ? " k%06d " : "K%06d", i);
    session << "INSERT INTO contracts VALUES (" + std::to_string(i) + ", " + Quote(number) + ", " +
                   std::to_string((i - 1) % kCustomers + 1) + ", 'SOS', '24x7', " +
                   (i % 2 == 0 ? "NULL" : "'NBD'") + ", '2024-01-01', '2027-12-31', " +
                   (i % 5 == 0 ? "'expired'" : "'active'") + ")",
        now;
  }
  for (int i = 1; i <= kItems; ++i) {
    session << "INSERT INTO contract_items VALUES (" + std::to_string(i) + ", " +
                   std::to_string((i - 1) % kContracts + 1) + ", " +
                   Quote((i % 2 ? "(H)-FG" : "FG") + std::to_string(100000 + i)) + ", " +
                   (i % 3 == 0 ? "NULL" : "'FortiGate 60F'") + ", 'device')",
        now;
  }
  for (int i = 1; i <= kTickets; ++i) {
    const int contract = (i - 1) % kContracts + 1;
    const std::optional<int64_t> item =
        i % 7 == 0 ? std::nullopt : std::optional<int64_t>(contract);
    expected.ticket_items[i] = item;
    session << "INSERT INTO tickets VALUES (" + std::to_string(i) + ", " +
                   std::to_string(contract) + ", " + (item ? std::to_string(*item) : "NULL") +
                   ", " + Quote("Ticket " + std::to_string(i)) + ", " +
                   (i % 3 == 0 ? "'closed'" : "'open'") + ", " +
                   (i % 2 == 0 ? "NULL" : "'urgent'") + ", " + (i % 4 == 0 ? "NULL" : "1") +
                   ", 'jan@example.com', '2025-03-01 10:00:00', NULL)",
        now;
  }
  for (int i = 1; i <= kMessages; ++i) {
    // Interleaved: message ids do not follow ticket ids.
    const int ticket = (i * 7) % kTickets + 1;
    std::string body = "Line one of message " + std::to_string(i) + "\nZażółć gęślą jaźń";
    if (raw_bytes_allowed && i % 10 == 0)
      body =
          "Stara wiadomo\x9C\xE6 \xB3\xF3"
          "d\x9F";
    expected.message_bodies[i] = body;
    expected.messages_of_ticket[ticket].push_back(i);
    session << "INSERT INTO ticket_messages VALUES (" + std::to_string(i) + ", " +
                   std::to_string(ticket) + ", " + (i % 5 == 0 ? "NULL" : "'Jan'") + ", " +
                   (i % 6 == 0 ? "NULL" : "'jan@example.com'") + ", " + std::to_string(i % 2) +
                   ", $1, '2025-03-01 11:00:00')",
        use(body), now;
  }
  for (int i = 1; i <= kAttachments; ++i) {
    std::string content = "bytes of " + std::to_string(i);
    content += std::string("\0\xFF\x80", 3);
    expected.attachment_contents[i] = content;
    Poco::Data::BLOB blob(reinterpret_cast<const unsigned char*>(content.data()), content.size());
    session << "INSERT INTO ticket_attachments VALUES (" + std::to_string(i) + ", " +
                   std::to_string(i * 11 % kMessages + 1) + ", " +
                   Quote(i % 2 ? "../../etc/passwd" : "log.txt") + ", " +
                   (i % 3 == 0 ? "NULL" : "'text/plain'") + ", $1)",
        use(blob), now;
  }
  // CC: tickets in a scrambled insertion order, some with several addresses.
  for (int k = 0; k < kTickets; ++k) {
    const int ticket = (k * 37) % kTickets + 1;
    if (ticket % 3 != 0) continue;
    for (int n = 0; n < ticket % 4; ++n) {
      const std::string email = "cc" + std::to_string(n) + "-" + std::to_string(ticket) +
                                (n == 2 ? "@invalid" : "@example.com");
      expected.cc[ticket].push_back(email);
      session << "INSERT INTO ticket_cc VALUES (" + std::to_string(ticket) + ", " + Quote(email) +
                     ")",
          now;
    }
  }
  for (auto& [ticket, emails] : expected.cc) std::sort(emails.begin(), emails.end());
  session.commit();
  return expected;
}

template <typename Row>
std::vector<int64_t> Ids(LegacySource& source,
                         Status (LegacySource::*each)(const RowVisitor<Row>&)) {
  std::vector<int64_t> ids;
  const Status status = (source.*each)([&](const Row& row) {
    ids.push_back(row.id);
    return OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return ids;
}

std::vector<int64_t> OneTo(int n) {
  std::vector<int64_t> ids(n);
  for (int i = 0; i < n; ++i) ids[i] = i + 1;
  return ids;
}

// The checks both backends must pass.
void CheckSource(LegacySource& source, const Expected& expected) {
  // Every table streams in id order, each row exactly once, over many pages.
  EXPECT_EQ(Ids(source, &LegacySource::ForEachCustomer), OneTo(kCustomers));
  EXPECT_EQ(Ids(source, &LegacySource::ForEachContract), OneTo(kContracts));
  EXPECT_EQ(Ids(source, &LegacySource::ForEachContractItem), OneTo(kItems));
  EXPECT_EQ(Ids(source, &LegacySource::ForEachTicket), OneTo(kTickets));
  EXPECT_EQ(Ids(source, &LegacySource::ForEachMessage), OneTo(kMessages));
  EXPECT_EQ(Ids(source, &LegacySource::ForEachAttachment), OneTo(kAttachments));

  // Column values, NULLs and raw bytes.
  std::vector<LegacyCustomer> customers;
  ASSERT_TRUE(source
                  .ForEachCustomer([&](const LegacyCustomer& c) {
                    customers.push_back(c);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(customers[4].nip, "526-025-02-74");
  EXPECT_FALSE(customers[2].email.has_value());
  EXPECT_EQ(customers[0].email, "biuro1@example.com");
  EXPECT_FALSE(customers[0].phone.has_value());
  EXPECT_EQ(customers[1].partner_name, "Partner");

  std::vector<LegacyContract> contracts;
  ASSERT_TRUE(source
                  .ForEachContract([&](const LegacyContract& c) {
                    contracts.push_back(c);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(contracts[3].number, " k000004 ");
  EXPECT_FALSE(contracts[1].replacement.has_value());
  EXPECT_EQ(contracts[0].replacement, "NBD");
  EXPECT_EQ(contracts[4].status, "expired");
  EXPECT_EQ(contracts[0].starts_on, "2024-01-01");

  ASSERT_TRUE(source
                  .ForEachTicket([&](const LegacyTicket& t) {
                    EXPECT_EQ(t.item_id, expected.ticket_items.at(t.id)) << t.id;
                    EXPECT_EQ(t.priority.has_value(), t.id % 2 != 0);
                    EXPECT_EQ(t.partner_access.has_value(), t.id % 4 != 0);
                    EXPECT_FALSE(t.closed_at.has_value());
                    EXPECT_EQ(t.opened_at, "2025-03-01 10:00:00");
                    return OkStatus();
                  })
                  .ok());

  int messages = 0;
  ASSERT_TRUE(source
                  .ForEachMessage([&](const LegacyMessage& m) {
                    EXPECT_EQ(m.body, expected.message_bodies.at(m.id)) << m.id;
                    EXPECT_EQ(m.from_staff, m.id % 2 == 1);
                    EXPECT_EQ(m.author_name.has_value(), m.id % 5 != 0);
                    ++messages;
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(messages, kMessages);

  // Metadata streams leave the content out; per-message reads carry it.
  ASSERT_TRUE(source
                  .ForEachAttachment([&](const LegacyAttachment& a) {
                    EXPECT_TRUE(a.content.empty());
                    EXPECT_EQ(a.content_type.has_value(), a.id % 3 != 0);
                    std::vector<LegacyAttachment> full;
                    EXPECT_TRUE(source
                                    .ForEachAttachmentOf(a.message_id,
                                                         [&](const LegacyAttachment& f) {
                                                           full.push_back(f);
                                                           return OkStatus();
                                                         })
                                    .ok());
                    bool found = false;
                    for (const auto& f : full) {
                      if (f.id != a.id) continue;
                      found = true;
                      EXPECT_EQ(f.content, expected.attachment_contents.at(a.id));
                      EXPECT_EQ(f.filename, a.filename);
                    }
                    EXPECT_TRUE(found) << a.id;
                    return OkStatus();
                  })
                  .ok());

  // CC: ordered by (ticket, email), every row once.
  std::map<int64_t, std::vector<std::string>> cc;
  std::pair<int64_t, std::string> previous{0, ""};
  ASSERT_TRUE(source
                  .ForEachCc([&](const LegacyCc& row) {
                    EXPECT_LT(previous, std::make_pair(row.ticket_id, row.email));
                    previous = {row.ticket_id, row.email};
                    cc[row.ticket_id].push_back(row.email);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(cc, expected.cc);
  std::vector<std::string> of_ticket;
  ASSERT_TRUE(source
                  .ForEachCcOf(expected.cc.begin()->first,
                               [&](const LegacyCc& row) {
                                 of_ticket.push_back(row.email);
                                 return OkStatus();
                               })
                  .ok());
  EXPECT_EQ(of_ticket, expected.cc.begin()->second);

  // Per-parent reads.
  for (const auto& [ticket, ids] : expected.messages_of_ticket) {
    std::vector<int64_t> got;
    ASSERT_TRUE(source
                    .ForEachMessageOf(ticket,
                                      [&](const LegacyMessage& m) {
                                        EXPECT_EQ(m.ticket_id, ticket);
                                        got.push_back(m.id);
                                        return OkStatus();
                                      })
                    .ok());
    EXPECT_EQ(got, ids) << "ticket " << ticket;
  }
  std::vector<int64_t> items;
  ASSERT_TRUE(source
                  .ForEachContractItemOf(1,
                                         [&](const LegacyContractItem& i) {
                                           items.push_back(i.id);
                                           return OkStatus();
                                         })
                  .ok());
  EXPECT_EQ(items, (std::vector<int64_t>{1, 41, 81}));

  // Counts.
  EXPECT_EQ(*source.CountRows("tickets"), kTickets);
  EXPECT_EQ(*source.CountRows("users"), 0);
  EXPECT_EQ(source.CountRows("sqlite_master").status().code(), StatusCode::kInvalidArgument);

  // A visitor's error stops the stream and comes back unchanged.
  int seen = 0;
  const Status stopped = source.ForEachTicket([&](const LegacyTicket&) {
    return ++seen == 10 ? FailedPrecondition("enough") : OkStatus();
  });
  EXPECT_EQ(stopped, FailedPrecondition("enough"));
  EXPECT_EQ(seen, 10);

  // The rows feed the transform as they are.
  std::vector<LegacyCustomer> all;
  int moved = 0;
  for (const LegacyCustomer& c : customers) moved += TransformCustomer(c).moved() ? 1 : 0;
  EXPECT_EQ(moved, kCustomers);
}

TEST(LegacySourceSqliteTest, StreamsEveryTableInIdOrderAcrossPages) {
  Poco::Data::SQLite::Connector::registerConnector();
  testing::TempDir dir("migrator-sqlite");
  const std::string path = (dir.path() / "legacy.db").string();
  Expected expected;
  {
    Poco::Data::Session session("SQLite", path);
    for (const std::string& statement : SchemaStatements()) session << statement, now;
    expected = Populate(session, /*raw_bytes_allowed=*/true);
  }
  auto source = LegacySource::Open("sqlite:" + path, {.page_size = 7});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  CheckSource(**source, expected);
}

TEST(LegacySourceSqliteTest, OpenErrors) {
  EXPECT_EQ(LegacySource::Open("sqlite:/nonexistent/legacy.db").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(LegacySource::Open("mysql://host/db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LegacySource::Open("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

TEST(LegacySourceSqliteTest, BrokenTableIsAStatusWithTheTable) {
  testing::TempDir dir("migrator-sqlite");
  const std::string path = (dir.path() / "legacy.db").string();
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", path);
    session << "CREATE TABLE customers (id INTEGER PRIMARY KEY, nip TEXT)", now;  // no name
  }
  auto source = LegacySource::Open("sqlite:" + path);
  ASSERT_TRUE(source.ok());
  const Status status =
      (*source)->ForEachCustomer([](const LegacyCustomer&) { return OkStatus(); });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("customers"), std::string::npos) << status.message();
  EXPECT_EQ((*source)->ForEachTicket([](const LegacyTicket&) { return OkStatus(); }).code(),
            StatusCode::kUnavailable);
}

TEST(PostgresConnectionStringTest, FromUri) {
  EXPECT_EQ(
      *PostgresConnectionString("postgresql://ld:s3cr'et@127.0.0.1:5433/legacy?sslmode=disable"),
      "host='127.0.0.1' port='5433' user='ld' password='s3cr\\'et' dbname='legacy' "
      "sslmode='disable'");
  EXPECT_EQ(*PostgresConnectionString("postgres://localhost/db"), "host='localhost' dbname='db'");
  EXPECT_FALSE(PostgresConnectionString("http://x/y").ok());
}

TEST(LegacySourcePostgresTest, UnreachableServerIsUnavailable) {
  auto source = LegacySource::Open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(source.status().message().find("password"), std::string::npos);
}

std::string PostgresUri() { return testing::TestPostgresUri(LEDGERDESK_POSTGRES_ENV_FILE); }

TEST(LegacySourcePostgresTest, StreamsEveryTableInIdOrderAcrossPages) {
  const std::string uri = PostgresUri();
  if (uri.empty()) {
    GTEST_SKIP() << "LEDGERDESK_TEST_POSTGRES_URI is not set: PostgreSQL extract tests skipped "
                    "(start a server with: eval \"$(tools/start-test-postgres.sh)\")";
  }
  Poco::Data::PostgreSQL::Connector::registerConnector();
  auto conninfo = PostgresConnectionString(uri);
  ASSERT_TRUE(conninfo.ok()) << conninfo.status().ToString();
  Expected expected;
  {
    Poco::Data::Session session("PostgreSQL", *conninfo);
    session << "DROP TABLE IF EXISTS ticket_attachments, ticket_cc, ticket_messages, tickets, "
               "users, contract_items, contracts, customers CASCADE",
        now;
    // The schema's BLOB column: PostgreSQL spells it bytea.
    session << "DROP DOMAIN IF EXISTS blob", now;
    session << "CREATE DOMAIN blob AS bytea", now;
    for (const std::string& statement : SchemaStatements()) session << statement, now;
    std::string encoding;
    session << "SHOW server_encoding", Poco::Data::Keywords::into(encoding), now;
    expected = Populate(session, /*raw_bytes_allowed=*/encoding == "SQL_ASCII");
  }
  auto source = LegacySource::Open(uri, {.page_size = 7});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  CheckSource(**source, expected);
}

}  // namespace
}  // namespace ledgerdesk::migrator
