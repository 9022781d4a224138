// End to end: the real `ledgerdesk migrate` against a legacy database in SQLite and in PostgreSQL
// (the same fixture rows), and killed with SIGKILL at random moments, then run again.

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "migrator/legacy_source.h"
#include "tests/support/files_containing.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_postgres.h"

namespace ledgerdesk {
namespace {

using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;
using testing::ChildProcess;
using testing::FilesContaining;
using testing::ProcessResult;
using testing::RunProcess;

const std::string kProgram = LD_PROGRAM;

ProcessResult Ledgerdesk(std::vector<std::string> args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(90)) {
  args.insert(args.begin(), kProgram);
  return RunProcess(args, timeout);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The schema's statements without comments.
std::vector<std::string> SchemaStatements() {
  std::stringstream in(ReadFile(LEDGERDESK_LEGACY_SCHEMA));
  std::string line, all;
  while (std::getline(in, line)) all += line.substr(0, line.find("--")) + "\n";
  std::vector<std::string> statements;
  size_t start = 0;
  for (size_t semi; (semi = all.find(';', start)) != std::string::npos; start = semi + 1) {
    statements.push_back(all.substr(start, semi - start));
  }
  return statements;
}

// windows-1250: "Dzień dobry, wymieniamy łóżko. Příliš žluťoučký kůň"
const std::string kWindows1250Body =
    "Dzie\xF1 dobry, wymieniamy \xB3\xF3\xBFko. P\xF8\xEDli\x9A \x9Elu\x9Dou\xE8k\xFD k\xF9\xF2";

// The fixture: every fate of legacy-data-rules.md once (see the expectations in CheckReport).
void Populate(Poco::Data::Session& session) {
  for (const std::string& statement : SchemaStatements()) session << statement, now;
  const std::vector<std::string> rows = {
      // customers: two valid NIPs as typed, one failing its checksum, one with nothing active
      "INSERT INTO customers VALUES (1, '526-025-02-74', 'Firma Ąę Sp. z o.o.', 'biuro@firma.pl', "
      "NULL, 'ResellerX')",
      "INSERT INTO customers VALUES (2, 'PL 7251801126', 'Druga Firma', NULL, NULL, NULL)",
      "INSERT INTO customers VALUES (3, '1234567890', 'Zły NIP', NULL, NULL, NULL)",
      "INSERT INTO customers VALUES (4, '7010003966', 'Bez Umowy', NULL, NULL, NULL)",
      "INSERT INTO users VALUES (1, 1, 'jan', 'jan@firma.pl', 'x', '2015-01-01 10:00:00')",
      // contracts
      "INSERT INTO contracts VALUES (1, ' k123456 ', 1, 'SOS', '8x5', 'NBD', '2024-01-01', "
      "'2027-12-31', 'active')",
      "INSERT INTO contracts VALUES (2, 'K222222', 2, 'AHB', '24x7', NULL, '2024-01-01', "
      "'2027-12-31', 'active')",
      "INSERT INTO contracts VALUES (3, 'K333333', 3, 'SOS', '8x5', '8h', '2024-01-01', "
      "'2027-12-31', 'active')",
      "INSERT INTO contracts VALUES (4, 'K444444', 4, 'SOS', '8x5', '8h', '2020-01-01', "
      "'2022-12-31', 'expired')",
      "INSERT INTO contracts VALUES (5, 'K555555', 1, 'SOS', '8x5', '8h', '2024-01-01', "
      "'2027-12-31', 'cancelled')",
      "INSERT INTO contract_items VALUES (1, 1, '(H)-FG1234567890', 'FortiGate 60F', 'device')",
      "INSERT INTO contract_items VALUES (2, 1, 'AB12-CD34-EF56-GH78', 'FortiAnalyzer', "
      "'licence')",
      "INSERT INTO contract_items VALUES (3, 2, '(H)FG2222222222', 'FortiGate 100F', 'device')",
      "INSERT INTO contract_items VALUES (4, 3, 'FG3333333333', NULL, 'device')",
      "INSERT INTO contract_items VALUES (5, 4, 'FG4444444444', NULL, 'device')",
      "INSERT INTO contract_items VALUES (6, 5, 'FG5555555555', NULL, 'device')",
      // tickets
      "INSERT INTO tickets VALUES (1, 1, 1, 'Drukarka nie działa', 'open', 'urgent', 1, "
      "'jan@firma.pl', '2018-03-01 09:15:00', NULL)",
      "INSERT INTO tickets VALUES (2, 1, NULL, 'Brak sieci', 'waiting', NULL, 0, NULL, "
      "'2019-05-01 10:00:00', NULL)",
      "INSERT INTO tickets VALUES (3, 1, 1, 'Stare zgłoszenie', 'closed', NULL, NULL, NULL, "
      "'2017-01-01 10:00:00', '2017-02-01 10:00:00')",
      "INSERT INTO tickets VALUES (4, 2, 1, 'Łącze zapasowe', 'new', 'normal', NULL, NULL, "
      "'2020-06-01 08:00:00', NULL)",
      "INSERT INTO tickets VALUES (5, 4, 5, 'Wygasła umowa', 'open', NULL, NULL, NULL, "
      "'2021-01-01 10:00:00', NULL)",
      "INSERT INTO tickets VALUES (6, 3, 4, 'Zły klient', 'open', NULL, NULL, NULL, "
      "'2021-01-01 10:00:00', NULL)",
      // refused by the import itself (a blank title): its dialog does not count as moved
      "INSERT INTO tickets VALUES (7, 1, 1, '   ', 'open', NULL, NULL, NULL, "
      "'2021-02-01 10:00:00', NULL)",
      "INSERT INTO ticket_messages VALUES (1, 1, 'Jan Kowalski', 'jan@firma.pl', 0, "
      "'Zażółć gęślą jaźń: drukarka stoi', '2018-03-01 09:15:00')",
      "INSERT INTO ticket_messages VALUES (3, 2, NULL, 'jan@firma.pl', 0, 'Sieć nie działa', "
      "'2019-05-01 10:00:00')",
      "INSERT INTO ticket_messages VALUES (4, 3, 'Jan', NULL, 0, 'Stara sprawa', "
      "'2017-01-01 10:00:00')",
      "INSERT INTO ticket_messages VALUES (5, 4, 'Ola', NULL, 0, 'Łącze pada', "
      "'2020-06-01 08:00:00')",
      "INSERT INTO ticket_messages VALUES (6, 7, 'Ola', NULL, 0, 'Bez tytułu', "
      "'2021-02-01 10:00:00')",
      "INSERT INTO ticket_cc VALUES (1, 'ops@firma.pl')",
      "INSERT INTO ticket_cc VALUES (1, 'not-an-address')",
      "INSERT INTO ticket_cc VALUES (3, 'x@firma.pl')",
  };
  for (const std::string& row : rows) session << row, now;
  std::string body = kWindows1250Body;
  session << "INSERT INTO ticket_messages VALUES (2, 1, 'Serwis', 'serwis@d.pl', 1, $1, "
             "'2018-03-01 10:00:00')",
      use(body), now;
  // The last one's type would put a header of its own into the download's answer.
  for (auto [id, message, name, type] :
       {std::tuple<int, int, std::string, std::string>{1, 1, "../../etc/passwd", "text/plain"},
        {2, 4, "old.log", "text/plain"},
        {3, 6, "x.txt", "text/plain"},
        {4, 5, "evil.txt", "text/plain\r\nX-Evil: 1"}}) {
    const std::string content = "root:x:0:0:" + std::to_string(id) + std::string("\0\xFF", 2);
    Poco::Data::BLOB blob(reinterpret_cast<const unsigned char*>(content.data()), content.size());
    session << "INSERT INTO ticket_attachments VALUES (" + std::to_string(id) + ", " +
                   std::to_string(message) + ", '" + name + "', $1, $2)",
        use(type), use(blob), now;
  }
}

Poco::JSON::Object::Ptr ParseJson(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

int64_t Count(const Poco::JSON::Object::Ptr& report, const std::string& table,
              const std::string& what, const std::string& reason = "") {
  auto t = report->getObject("tables")->getObject(table);
  if (reason.empty()) return t->getValue<int64_t>(what);
  auto by_reason = t->getObject(what);
  return by_reason->has(reason) ? by_reason->getValue<int64_t>(reason) : 0;
}

void CheckReport(const Poco::JSON::Object::Ptr& report) {
  EXPECT_EQ(report->getValue<std::string>("as_of"), "2026-11-23");
  EXPECT_EQ(Count(report, "customers", "read"), 4);
  EXPECT_EQ(Count(report, "customers", "moved"), 2);
  EXPECT_EQ(Count(report, "customers", "dropped", "no_contract_moved"), 1);
  EXPECT_EQ(Count(report, "customers", "quarantined", "invalid_nip"), 1);
  EXPECT_EQ(Count(report, "contracts", "read"), 5);
  EXPECT_EQ(Count(report, "contracts", "moved"), 2);
  EXPECT_EQ(Count(report, "contracts", "dropped", "expired"), 1);
  EXPECT_EQ(Count(report, "contracts", "dropped", "cancelled"), 1);
  EXPECT_EQ(Count(report, "contracts", "quarantined", "customer_quarantined"), 1);
  EXPECT_EQ(Count(report, "users", "dropped", "not_migrated"), 1);
  EXPECT_EQ(Count(report, "tickets", "read"), 7);
  EXPECT_EQ(Count(report, "tickets", "quarantined", "rejected"), 1);
  EXPECT_EQ(Count(report, "ticket_messages", "dropped", "parent_not_moved"), 2);
  EXPECT_EQ(Count(report, "tickets", "moved"), 3);
  EXPECT_EQ(Count(report, "tickets", "dropped", "closed"), 1);
  EXPECT_EQ(Count(report, "tickets", "dropped", "contract_not_moved"), 1);
  EXPECT_EQ(Count(report, "tickets", "quarantined", "contract_quarantined"), 1);
  EXPECT_EQ(Count(report, "ticket_messages", "moved"), 4);
  EXPECT_EQ(Count(report, "ticket_attachments", "read"), 4);
  EXPECT_EQ(Count(report, "ticket_attachments", "moved"), 2);
  EXPECT_EQ(Count(report, "ticket_attachments", "dropped", "parent_not_moved"), 2);
  EXPECT_EQ(Count(report, "ticket_cc", "moved"), 1);
  EXPECT_EQ(Count(report, "ticket_cc", "dropped", "invalid_cc"), 1);
  const std::string json = [&] {
    std::ostringstream out;
    report->stringify(out);
    return out.str();
  }();
  for (const char* entry :
       {R"("id":3,"reason":"invalid_nip")", R"("reason":"no_item")",
        R"("reason":"item_of_other_contract")", R"("reason":"unsafe_file_name")",
        R"("reason":"invalid_cc")", R"("reason":"invalid_content_type")"}) {
    std::string compact = entry;
    EXPECT_NE(json.find(compact.substr(compact.find("\"reason\""))), std::string::npos) << entry;
  }
}

// Every PDF in the data dir's blob store, as pdftotext reads it.
std::vector<std::string> TranscriptTexts(const std::filesystem::path& data) {
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data / "blobs")) {
    if (!entry.is_regular_file() || ReadFile(entry.path()).rfind("%PDF", 0) != 0) continue;
    auto text = RunProcess({"pdftotext", "-enc", "UTF-8", entry.path().string(), "-"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    texts.push_back(text.out);
  }
  return texts;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The event ids in the log, in order (duplicates kept).
std::vector<std::string> EventIds(const std::string& data) {
  auto tail = Ledgerdesk({"events", "tail", "--json", "--data-dir", data});
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  std::vector<std::string> ids;
  for (const std::string& line : Lines(tail.out)) {
    ids.push_back(ParseJson(line)->getValue<std::string>("event_id"));
  }
  return ids;
}

// After a migration of the fixture: Jan (opener of ticket 1 and author there and in ticket 2) is a
// data subject of his own. His history lists the imported tickets; erasing him leaves his address
// and words nowhere in the data dir (the transcripts rendered again), while the engineer's message
// in the same transcript stays readable; rebuild, verify and a re-run of the migration still pass.
void CheckLegacyContactsAreSubjects(const std::filesystem::path& dir, const std::string& data,
                                    const std::vector<std::string>& migrate) {
  auto history = Ledgerdesk({"audit", "history", "--data-dir", data, "--subject", "Jan@Firma.pl"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  for (const char* expected :
       {"SubjectKeyCreated", "\"email\":\"jan@firma.pl\"", "TicketImported",
        "\"opened_by\":\"contact-", "\"title\":\"Drukarka nie działa\"", "ticket-1-dialog.pdf",
        "ticket-2-dialog.pdf", "participant_account_ids"}) {
    EXPECT_NE(history.out.find(expected), std::string::npos) << expected << "\n" << history.out;
  }
  EXPECT_EQ(history.out.find("ticket-4-dialog.pdf"), std::string::npos);  // Ola's, not Jan's
  auto ops = Ledgerdesk({"audit", "history", "--data-dir", data, "--subject", "ops@firma.pl"});
  EXPECT_NE(ops.out.find("\"cc_account_ids\":[\"contact-"), std::string::npos) << ops.out;

  auto erased = Ledgerdesk({"audit", "erase", "--data-dir", data, "--subject", "jan@firma.pl",
                            "--reason", "GDPR request 21"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err << erased.out;
  EXPECT_NE(erased.out.find("erased 1 account(s)"), std::string::npos) << erased.out;
  EXPECT_NE(erased.out.find("1 attachment(s)"), std::string::npos) << erased.out;  // his log file
  EXPECT_NE(erased.out.find("rendered 2 migrated transcript(s) again"), std::string::npos)
      << erased.out;
  for (const char* gone : {"jan@firma.pl", "Jan Kowalski", "drukarka stoi", "Sieć nie działa",
                           "Drukarka nie działa", "root:x:0:0:1"}) {
    EXPECT_EQ(FilesContaining(data, gone), std::vector<std::string>{}) << gone;
  }
  const auto texts = TranscriptTexts(data);
  ASSERT_EQ(texts.size(), 3u);
  std::string all;
  for (const auto& t : texts) all += t;
  for (const char* gone : {"jan@firma.pl", "Jan Kowalski", "drukarka stoi", "Sieć nie działa",
                           "Drukarka nie działa"}) {
    EXPECT_EQ(all.find(gone), std::string::npos) << gone << "\n" << all;
  }
  for (const char* stays : {"Dzień dobry, wymieniamy łóżko", "Příliš žluťoučký kůň", "Serwis",
                            "Łącze pada", "Brak sieci", "[erased]", "K123456", "passwd"}) {
    EXPECT_NE(all.find(stays), std::string::npos) << stays << "\n" << all;
  }

  EXPECT_EQ(Ledgerdesk({"projections", "rebuild", "--data-dir", data}).exit_code, 0);
  auto verified = Ledgerdesk({"audit", "verify", "--data-dir", data});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  auto after = Ledgerdesk({"audit", "history", "--data-dir", data, "--subject", "jan@firma.pl"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("SubjectErased"), std::string::npos);
  EXPECT_NE(after.out.find("\"email\":\"[erased]\""), std::string::npos) << after.out;
  EXPECT_EQ(after.out.find("Drukarka nie działa"), std::string::npos);

  // The migration run again: nothing appended, no key made again for the erased contact.
  const auto ids = EventIds(data);
  const std::string rerun_json = (dir / "rerun.json").string();
  std::vector<std::string> args = migrate;
  args.insert(args.end(), {"--report", rerun_json});
  auto rerun = Ledgerdesk(args);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("0 events appended"), std::string::npos) << rerun.out;
  EXPECT_EQ(EventIds(data), ids);
  EXPECT_EQ(FilesContaining(data, "jan@firma.pl"), std::vector<std::string>{});
}

// The whole story against one source: dry run, run, PDFs, re-run, bad input.
void MigrateFixture(const std::string& source) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string dry_json = (dir.path() / "dry.json").string();
  const std::string real_json = (dir.path() / "real.json").string();
  const std::vector<std::string> common = {"migrate", "--source", source,      "--data-dir",
                                           data,      "--as-of",  "2026-11-23"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };

  // A dry run writes nothing, not even the data dir.
  auto dry = Ledgerdesk(with({"--dry-run", "--report", dry_json}));
  ASSERT_EQ(dry.exit_code, 0) << dry.err << dry.out;
  EXPECT_FALSE(std::filesystem::exists(data));
  EXPECT_NE(dry.out.find("dry run (nothing written)"), std::string::npos) << dry.out;
  auto dry_report = ParseJson(ReadFile(dry_json));
  EXPECT_TRUE(dry_report->getValue<bool>("dry_run"));
  CheckReport(dry_report);

  auto run = Ledgerdesk(with({"--report", real_json}));
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.out.find("reconciled"), std::string::npos) << run.out;
  auto real_report = ParseJson(ReadFile(real_json));
  EXPECT_FALSE(real_report->getValue<bool>("dry_run"));
  CheckReport(real_report);
  // The same report but for the flag.
  std::string real_text = ReadFile(real_json), dry_text = ReadFile(dry_json);
  real_text.replace(real_text.find("\"dry_run\": false"), 16, "\"dry_run\": true");
  EXPECT_EQ(real_text, dry_text);

  // The log: (H)- serials stripped, closed tickets not there.
  auto tail = Ledgerdesk({"events", "tail", "--json", "--data-dir", data});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_NE(tail.out.find("\"FG1234567890\""), std::string::npos);
  EXPECT_NE(tail.out.find("\"FG2222222222\""), std::string::npos);
  EXPECT_NE(tail.out.find("\"AB12-CD34-EF56-GH78\""), std::string::npos);
  EXPECT_EQ(tail.out.find("(H)"), std::string::npos);
  EXPECT_EQ(tail.out.find("X-Evil"), std::string::npos);
  EXPECT_NE(tail.out.find("\"evil.txt\""), std::string::npos);
  EXPECT_EQ(tail.out.find("\"legacy_ticket_id\":\"3\""), std::string::npos);
  EXPECT_NE(tail.out.find("\"legacy_ticket_id\":\"1\""), std::string::npos) << tail.out;
  const auto ids = EventIds(data);

  // One transcript per moved ticket, readable, with the Polish and Czech letters.
  auto texts = TranscriptTexts(data);
  ASSERT_EQ(texts.size(), 3u);
  std::string all;
  for (const auto& t : texts) all += t;
  for (const char* expected :
       {"Drukarka nie działa", "Zażółć gęślą jaźń: drukarka stoi", "Dzień dobry, wymieniamy łóżko",
        "Příliš žluťoučký kůň", "passwd", "K123456", "FG1234567890", "Łącze pada"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n" << all;
  }
  EXPECT_EQ(all.find("Stara sprawa"), std::string::npos);  // the closed ticket's dialog

  // A second run appends nothing and reports the same.
  const std::string again_json = (dir.path() / "again.json").string();
  auto again = Ledgerdesk(with({"--report", again_json}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 events appended"), std::string::npos) << again.out;
  EXPECT_EQ(ReadFile(again_json), ReadFile(real_json));
  EXPECT_EQ(EventIds(data), ids);

  CheckLegacyContactsAreSubjects(dir.path(), data, with({}));
}

// A legacy SQLite database in `dir` holding the fixture; its path.
std::string FixtureDatabase(const std::filesystem::path& dir) {
  const std::string db = (dir / "legacy.db").string();
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session("SQLite", db);
  Populate(session);
  return db;
}

TEST(MigrateE2eTest, SqliteFixtureMovesByTheRules) {
  testing::TempDir dir;
  MigrateFixture("sqlite:" + FixtureDatabase(dir.path()));
}

std::string PostgresUri() { return testing::TestPostgresUri(LEDGERDESK_POSTGRES_ENV_FILE); }

// Two organizations' contracts under one number: the lower id takes it, in every run alike. An
// item added in the old database after its contract moved is reported, not counted as moved.
TEST(MigrateE2eTest, ASharedNumberGoesToTheLowerIdAndAMovedContractIsNotChanged) {
  testing::TempDir dir;
  const std::string db = FixtureDatabase(dir.path());
  Poco::Data::Session session("SQLite", db);
  for (int id = 6; id <= 13; ++id) {  // customers 1 and 2 in turn, all under K777777
    session << "INSERT INTO contracts VALUES (" + std::to_string(id) + ", 'K777777', " +
                   std::to_string(id % 2 + 1) +
                   ", 'SOS', '8x5', '8h', '2024-01-01', '2027-12-31', 'active')",
        now;
    session << "INSERT INTO contract_items VALUES (" + std::to_string(id + 10) + ", " +
                   std::to_string(id) + ", 'SN7" + std::to_string(id) + "', NULL, 'device')",
        now;
  }
  const std::string data = (dir.path() / "data").string();
  const std::vector<std::string> common = {"migrate", "--source", "sqlite:" + db, "--data-dir",
                                           data,      "--as-of",  "2026-11-23"};
  auto rejected_ids = [&](const std::string& report_path, bool dry) {
    std::vector<std::string> args = common;
    args.insert(args.end(), {"--report", report_path});
    if (dry) args.push_back("--dry-run");
    auto run = Ledgerdesk(args);
    EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
    std::set<int64_t> ids;
    auto quarantine = ParseJson(ReadFile(report_path))->getArray("quarantine");
    for (size_t i = 0; i < quarantine->size(); ++i) {
      auto entry = quarantine->getObject(static_cast<unsigned>(i));
      if (entry->getValue<std::string>("table") == "contracts" &&
          entry->getValue<std::string>("reason") == "rejected") {
        ids.insert(entry->getValue<int64_t>("id"));
      }
    }
    return ids;
  };
  const std::set<int64_t> later = {7, 8, 9, 10, 11, 12, 13};
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(rejected_ids((dir.path() / ("dry" + std::to_string(round))).string(), true), later);
  }
  EXPECT_EQ(rejected_ids((dir.path() / "real.json").string(), false), later);

  session << "INSERT INTO contract_items VALUES (40, 1, 'FG4040404040', NULL, 'device')", now;
  const std::string again = (dir.path() / "again.json").string();
  rejected_ids(again, false);
  auto report = ParseJson(ReadFile(again));
  EXPECT_EQ(Count(report, "contract_items", "quarantined", "contract_moved_without_it"), 1);
  const std::string text = ReadFile(again);
  EXPECT_NE(text.find("moved in an earlier run without it"), std::string::npos) << text;
}

TEST(MigrateE2ePostgresTest, PostgresFixtureMovesByTheRules) {
  const std::string uri = PostgresUri();
  if (uri.empty()) {
    GTEST_SKIP() << "LEDGERDESK_TEST_POSTGRES_URI is not set: PostgreSQL e2e test skipped "
                    "(start a server with: eval \"$(tools/start-test-postgres.sh)\")";
  }
  // A schema of its own, so the extract tests' tables in the same database are left alone.
  const std::string schema_uri = uri + (uri.find('?') == std::string::npos ? "?" : "&") +
                                 "options=-csearch_path%3De2e_migrate";
  {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    auto admin_info = migrator::PostgresConnectionString(uri);
    auto schema_info = migrator::PostgresConnectionString(schema_uri);
    ASSERT_TRUE(admin_info.ok() && schema_info.ok());
    Poco::Data::Session admin("PostgreSQL", *admin_info);
    admin << "DROP SCHEMA IF EXISTS e2e_migrate CASCADE", now;
    admin << "CREATE SCHEMA e2e_migrate", now;
    Poco::Data::Session session("PostgreSQL", *schema_info);
    session << "CREATE DOMAIN blob AS bytea", now;
    Populate(session);
  }
  MigrateFixture(schema_uri);
}

TEST(MigrateE2eTest, BadSourcesAreRefusedInOneSentence) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto wrong_scheme = Ledgerdesk({"migrate", "--source", "mysql://x/y", "--data-dir", data});
  EXPECT_EQ(wrong_scheme.exit_code, 2);
  EXPECT_NE(wrong_scheme.err.find("--source must be sqlite:PATH or postgresql://"),
            std::string::npos)
      << wrong_scheme.err;
  auto missing = Ledgerdesk(
      {"migrate", "--source", "sqlite:" + (dir.path() / "nope.db").string(), "--data-dir", data});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("legacy SQLite database not found"), std::string::npos) << missing.err;
  auto unreachable = Ledgerdesk({"migrate", "--source",
                                 "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2",
                                 "--data-dir", data});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("cannot open the legacy database"), std::string::npos)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find("secret"), std::string::npos);
  EXPECT_NE(unreachable.err.find("port 1 failed"), std::string::npos) << unreachable.err;  // why
  EXPECT_EQ(unreachable.err.find('\n'), unreachable.err.size() - 1) << unreachable.err;
  auto no_source = Ledgerdesk({"migrate", "--data-dir", data});
  EXPECT_EQ(no_source.exit_code, 2);
  auto bad_date = Ledgerdesk(
      {"migrate", "--source", "sqlite:x.db", "--as-of", "2026-13-01", "--data-dir", data});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(data));
}

TEST(MigrateE2ePostgresTest, ADatabaseWithoutTheTablesIsNamedInOneSentence) {
  const std::string uri = PostgresUri();
  if (uri.empty()) GTEST_SKIP() << "LEDGERDESK_TEST_POSTGRES_URI is not set";
  const std::string empty_uri = uri + (uri.find('?') == std::string::npos ? "?" : "&") +
                                "options=-csearch_path%3De2e_no_tables";
  {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::Session admin("PostgreSQL", *migrator::PostgresConnectionString(uri));
    admin << "DROP SCHEMA IF EXISTS e2e_no_tables CASCADE", now;
    admin << "CREATE SCHEMA e2e_no_tables", now;
  }
  testing::TempDir dir;
  auto run = Ledgerdesk({"migrate", "--source", empty_uri, "--data-dir",
                         (dir.path() / "data").string(), "--dry-run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("reading legacy table"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("does not exist"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("SELECT"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("postgresql_"), std::string::npos) << run.err;
}

TEST(MigrateE2eTest, RefusesWhileServeHoldsTheDataDir) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::string db = FixtureDatabase(dir.path());
  ChildProcess serve({kProgram, "serve", "--data-dir", data, "--listen", "127.0.0.1:0"});
  ASSERT_NE(serve.WaitForLine("listening on", std::chrono::seconds(30)), "");
  auto refused = Ledgerdesk({"migrate", "--source", "sqlite:" + db, "--data-dir", data});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("is serve running on this data dir?"), std::string::npos)
      << refused.err;
  // A dry run reads beside it.
  auto dry = Ledgerdesk({"migrate", "--source", "sqlite:" + db, "--data-dir", data, "--dry-run",
                         "--as-of", "2026-11-23"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

// Kill -9 at random moments, run again until one run completes: the log then holds exactly the
// events of one clean run (the same ids, none twice) and the report is the clean run's.
TEST(MigrateE2eTest, KilledAtRandomMomentsThenRerunEndsLikeOneCleanRun) {
  testing::TempDir dir;
  const std::string bench = (dir.path() / "bench").string();
  // The benchmark's generator makes the database; its own migration is the clean run.
  auto generated = Ledgerdesk({"bench", "migrate", "--tickets", "600", "--dir", bench});
  ASSERT_EQ(generated.exit_code, 0) << generated.err << generated.out;
  const std::string source = "sqlite:" + bench + "/legacy.db";
  const std::string clean_data = bench + "/data";
  const std::string clean_json = (dir.path() / "clean.json").string();
  // A second run over the clean data dir writes the report (and must change nothing).
  ASSERT_EQ(Ledgerdesk({"migrate", "--source", source, "--data-dir", clean_data, "--as-of",
                        "2026-11-23", "--report", clean_json})
                .exit_code,
            0);
  const auto clean_ids = EventIds(clean_data);
  ASSERT_GT(clean_ids.size(), 200u);
  // How long a whole run takes here: kills land anywhere in it.
  const std::string timing = (dir.path() / "timing").string();
  const auto timed_start = std::chrono::steady_clock::now();
  ASSERT_EQ(
      Ledgerdesk({"migrate", "--source", source, "--data-dir", timing, "--as-of", "2026-11-23"})
          .exit_code,
      0);
  const auto whole = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - timed_start)
                         .count();

  const std::string data = (dir.path() / "killed").string();
  const std::vector<std::string> args = {kProgram,     "migrate", "--source", source,
                                         "--data-dir", data,      "--as-of",  "2026-11-23"};
  std::mt19937 rng(std::random_device{}());
  int killed = 0;
  int64_t window = whole;
  for (int attempt = 0; attempt < 12 && killed < 4; ++attempt) {
    ChildProcess child(args);
    ASSERT_TRUE(child.started());
    std::this_thread::sleep_for(
        std::chrono::milliseconds(20 + rng() % std::max<int64_t>(1, window)));
    child.Signal(SIGKILL);
    if (child.Wait() == -1) {
      ++killed;
      continue;
    }
    // It finished before the kill (a loaded machine runs faster or slower from one run to the
    // next). After at least one kill that ends the test's killing; before any, start afresh
    // and kill sooner.
    if (killed > 0) break;
    std::filesystem::remove_all(data);
    window = std::max<int64_t>(1, window / 2);
  }
  EXPECT_GT(killed, 0) << "every run finished before its kill: nothing was tested";
  const std::string resumed_json = (dir.path() / "resumed.json").string();
  auto resumed = Ledgerdesk({"migrate", "--source", source, "--data-dir", data, "--as-of",
                             "2026-11-23", "--report", resumed_json});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err << resumed.out;
  EXPECT_EQ(ReadFile(resumed_json), ReadFile(clean_json));

  const auto ids = EventIds(data);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size())
      << "an event was appended twice";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            std::set<std::string>(clean_ids.begin(), clean_ids.end()));
}

}  // namespace
}  // namespace ledgerdesk
