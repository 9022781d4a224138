// End to end: `ledgerdesk audit history|replay|verify|erase` on data a real serve wrote.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/mail/eml.h"
#include "core/values/ascii.h"
#include "tests/e2e/api_fixture.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/kafka_dev.h"
#include "tests/support/files_containing.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk {
namespace {

namespace fs = std::filesystem;
using testing::FilesContaining;
using testing::Reply;
using testing::RunProcess;

testing::ProcessResult Ledgerdesk(std::vector<std::string> args) {
  args.insert(args.begin(), LD_PROGRAM);
  return RunProcess(args, std::chrono::seconds(120));
}

size_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// Byte offsets of the embedded log's records in a segment: magic (8 bytes), then records of a
// 28-byte header (crc, key length, value length, position, index, count), key, value.
std::vector<std::pair<uint64_t, uint64_t>> RecordSpans(const std::string& segment) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  uint64_t offset = 8;
  while (offset + 28 <= segment.size()) {
    uint32_t key = 0, value = 0;
    std::memcpy(&key, segment.data() + offset + 4, 4);
    std::memcpy(&value, segment.data() + offset + 8, 4);
    spans.emplace_back(offset, 28 + key + value);
    offset += 28 + key + value;
  }
  return spans;
}

// The API fixture's contracts, serve and customers, without its staff, and serve started only
// when a test wants it (audits run beside it and without it).
// Alice and Bob, customers of one organization, and Alice's ticket: the people erasure tests erase
// and keep.
class AuditFixture : public testing::ApiFixture {
 protected:
  // Registers, confirms, logs in and verifies on K123456; returns the session token.
  std::string Customer(const std::string& email, const std::string& name,
                       const std::string& phone) {
    return VerifiedSession(R"({"email":")" + email +
                               R"(","password":"correct horse battery","name":")" + name +
                               R"(","phone":")" + phone + R"(","nip":"5260250274"})",
                           "K123456", "FG100");
  }
  std::string Alice() { return Customer("alice@example.pl", "Alicja Zielińska", "600100200"); }
  std::string Bob() { return Customer("bob@example.pl", "Bogdan Nowak", "600100300"); }

  // Alice's ticket (title "Zapora-tytul-5521", description "Opis-alicji-7781") with her first
  // message "Sekretna-fraza-alicji-4711"; the answer to the opening.
  Reply OpenAlicesTicket(const std::string& alice) {
    const Reply opened =
        Call("POST", "/api/v1/tickets",
             R"({"contract_number":"K123456","serial":"FG100","title":"Zapora-tytul-5521",)"
             R"("description":"Opis-alicji-7781"})",
             alice);
    if (opened.status != 201) return opened;
    const std::string ticket = opened.json()->getValue<std::string>("ticket_id");
    const Reply posted = Call("POST", "/api/v1/tickets/" + ticket + "/messages",
                              R"({"body":"Sekretna-fraza-alicji-4711"})", alice);
    return posted.status == 201 ? opened : posted;
  }
};

class AuditTest : public AuditFixture {
 protected:
  void SetUp() override {
    data_ = (dir_.path() / "data").string();
    AddContracts(data_, {});
  }
};

TEST_F(AuditTest, VerifyPassesOnAnIntactLogAndNamesTheTamperedPosition) {
  for (const char* number : {"K100001", "K100002", "K100003"}) {
    ASSERT_EQ(
        Ledgerdesk({"contracts", "add", "--data-dir", data_, "--nip", "7251801126", "--number",
                    number, "--package", "SOS", "--window", "8x5", "--starts", "2026-01-01",
                    "--ends", "2030-12-31", "--item", std::string("FG") + number})
            .exit_code,
        0);
  }
  auto verified = Ledgerdesk({"audit", "verify", "--data-dir", data_, "--actor", "inspector"});
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("hash chain intact"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("equals a rebuild"), std::string::npos) << verified.out;
  // The verification itself is in the log, with who asked.
  auto tail = Ledgerdesk({"events", "tail", "--data-dir", data_, "--json"});
  EXPECT_NE(tail.out.find("AuditCommandRecorded"), std::string::npos);
  EXPECT_NE(tail.out.find("actor=inspector result=intact"), std::string::npos) << tail.out;

  // One byte of record 3's value changes on disk.
  fs::path segment;
  for (const auto& entry : fs::directory_iterator(fs::path(data_) / "log")) {
    if (entry.path().extension() == ".log") segment = entry.path();
  }
  std::string bytes;
  {
    std::ifstream in(segment, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), {});
  }
  const auto spans = RecordSpans(bytes);
  ASSERT_GT(spans.size(), 5u);
  bytes[spans[3].first + spans[3].second - 5] ^= 0x01;
  {
    std::ofstream out(segment, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto tampered = Ledgerdesk({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find("NOT intact"), std::string::npos) << tampered.out;
  EXPECT_NE(tampered.out.find("position 3"), std::string::npos) << tampered.out;
  // The failed verification is recorded too (spooled: the damaged log is not opened for writing,
  // which would repair it).
  EXPECT_FALSE(fs::is_empty(fs::path(data_) / "audit-spool"));
}

TEST_F(AuditTest, VerifyNamesTheFirstRowWhereLiveProjectionsDifferFromARebuild) {
  // Another data dir whose log is as long but says something else; its projections are put in
  // place of ours.
  const std::string other = (dir_.path() / "other").string();
  for (auto [nip, number] : {std::pair{"7010003966", "K111111"}, {"1234563218", "K222222"}}) {
    ASSERT_EQ(Ledgerdesk({"contracts", "add", "--data-dir", other, "--nip", nip, "--number", number,
                          "--package", "SOS", "--window", "8x5", "--starts", "2026-01-01", "--ends",
                          "2030-12-31", "--item", std::string("FG") + number})
                  .exit_code,
              0);
  }
  for (const std::string& dir : {data_, other}) {
    ASSERT_EQ(Ledgerdesk({"projections", "digest", "--data-dir", dir}).exit_code, 0);
  }
  fs::remove_all(fs::path(data_) / "projections");
  fs::copy(fs::path(other) / "projections", fs::path(data_) / "projections",
           fs::copy_options::recursive);
  auto verified = Ledgerdesk({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(verified.exit_code, 1);
  EXPECT_NE(verified.out.find("hash chain intact"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("projections: NOT equal to a rebuild to log position 4"),
            std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("is missing in the rebuild"), std::string::npos) << verified.out;
}

TEST_F(AuditTest, HistoryThenErasureLeavesNoPlaintextAndEverythingElseStands) {
  RestartServe();
  const std::string alice = Alice();
  const std::string bob = Bob();
  const Reply opened = OpenAlicesTicket(alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string ticket = opened.json()->getValue<std::string>("ticket_id");
  const std::string number = opened.json()->getValue<std::string>("number");
  const Reply uploaded = Upload("/api/v1/tickets/" + ticket + "/attachments?filename=log.txt",
                                "zalacznik-alicji-9931\n", alice);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const Reply bobs = Call("POST", "/api/v1/tickets/" + ticket + "/messages",
                          R"({"body":"Odpowiedz-boba-3141"})", bob);
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  const std::string before_erasure = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto moment = std::chrono::system_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  // Beside the running serve: history (read from the index, recorded through the spool) and
  // verify work. (Erase beside a running serve: AuditOnKafkaTest below.)
  auto history = Ledgerdesk(
      {"audit", "history", "--data-dir", data_, "--subject", "Alice@Example.pl", "--actor", "dpo"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  for (const char* expected : {"alice@example.pl", "Alicja Zielińska", "Sekretna-fraza-alicji-4711",
                               "Opis-alicji-7781", "Odpowiedz-boba-3141", "AttachmentAdded"}) {
    EXPECT_NE(history.out.find(expected), std::string::npos) << expected;
  }
  EXPECT_EQ(history.out.find("bob@example.pl"), std::string::npos);  // not Bob's registration
  EXPECT_GE(Lines(history.out), 8u);
  EXPECT_NE(history.err.find("audit-spool"), std::string::npos) << history.err;
  auto by_nip = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "5260250274"});
  ASSERT_EQ(by_nip.exit_code, 0) << by_nip.err;
  EXPECT_NE(by_nip.out.find("ContractRegistered"), std::string::npos);
  EXPECT_NE(by_nip.out.find("Zapora-tytul-5521"), std::string::npos);
  const std::string pdf = (dir_.path() / "alice.pdf").string();
  auto report = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject",
                            "alice@example.pl", "--format", "pdf", "--out", pdf});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  if (std::system("pdftotext -v >/dev/null 2>&1") == 0) {
    auto text = RunProcess({"pdftotext", pdf, "-"});
    EXPECT_NE(text.out.find("GDPR access report"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Sekretna-fraza-alicji-4711"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("Personal data held"), std::string::npos) << text.out;
  }
  auto beside = Ledgerdesk({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(beside.exit_code, 0) << beside.out << beside.err;
  StopServe();

  // The erasure, with no serve running: the command opens the data dir itself.
  auto erased = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject", "alice@example.pl",
                            "--reason", "GDPR request 17"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_NE(erased.out.find("erased 1 account(s)"), std::string::npos) << erased.out;
  EXPECT_NE(erased.out.find("1 attachment(s)"), std::string::npos) << erased.out;
  for (const char* gone : {"alice@example.pl", "Alicja Zielińska", "Sekretna-fraza-alicji-4711",
                           "Opis-alicji-7781", "zalacznik-alicji-9931", "600100200"}) {
    EXPECT_EQ(FilesContaining(data_, gone), std::vector<std::string>{}) << gone;
  }

  // Rebuild and verify still pass; history shows [erased] where Alice's data stood.
  auto rebuilt = Ledgerdesk({"projections", "rebuild", "--data-dir", data_});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  auto after = Ledgerdesk({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  auto erased_history =
      Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "alice@example.pl"});
  ASSERT_EQ(erased_history.exit_code, 0) << erased_history.err;
  EXPECT_NE(erased_history.out.find(R"("email":"[erased]")"), std::string::npos);
  EXPECT_NE(erased_history.out.find("SubjectErased"), std::string::npos);
  EXPECT_NE(erased_history.out.find("GDPR request 17"), std::string::npos);
  EXPECT_EQ(erased_history.out.find("Sekretna-fraza-alicji-4711"), std::string::npos);
  EXPECT_NE(erased_history.out.find("Odpowiedz-boba-3141"), std::string::npos);  // Bob's stays
  auto erased_report = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject",
                                   "alice@example.pl", "--format", "pdf", "--out", pdf});
  ASSERT_EQ(erased_report.exit_code, 0) << erased_report.err;
  if (std::system("pdftotext -v >/dev/null 2>&1") == 0) {
    auto text = RunProcess({"pdftotext", pdf, "-"});
    EXPECT_NE(text.out.find("[erased]"), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("Sekretna-fraza-alicji-4711"), std::string::npos) << text.out;
  }
  // Nothing before the erasure changed: the same events at the same positions.
  const std::string after_erasure = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  EXPECT_EQ(after_erasure.substr(0, before_erasure.size()), before_erasure);

  // A replay to before the erasure reads the same keys: erased there too.
  const std::time_t seconds = std::chrono::system_clock::to_time_t(moment);
  char until[32];
  std::strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%S", std::gmtime(&seconds));
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(moment.time_since_epoch()).count() %
      1000000;
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ", static_cast<long long>(micros));
  const std::string replay = (dir_.path() / "replay").string();
  auto replayed = Ledgerdesk({"audit", "replay", "--data-dir", data_, "--until",
                              // "t" and "z" in lower case are RFC 3339 too (§5.6)
                              values::AsciiLower(std::string(until) + fraction), "--out", replay});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("tickets"), std::string::npos) << replayed.out;
  const std::string replay_tail = Ledgerdesk({"events", "tail", "--data-dir", replay}).out;
  EXPECT_EQ(replay_tail, before_erasure);
  std::ifstream marker(fs::path(replay) / "REPLAY-OF");
  std::stringstream marker_text;
  marker_text << marker.rdbuf();
  EXPECT_NE(marker_text.str().find(", log positions 0.." +
                                   std::to_string(Lines(before_erasure) - 1) + "\n"),
            std::string::npos)
      << marker_text.str();
  auto replay_history =
      Ledgerdesk({"audit", "history", "--data-dir", replay, "--subject", "alice@example.pl"});
  ASSERT_EQ(replay_history.exit_code, 0) << replay_history.err;
  EXPECT_NE(replay_history.out.find(R"("title":"[erased]")"), std::string::npos);
  EXPECT_EQ(replay_history.out.find("Sekretna-fraza-alicji-4711"), std::string::npos);
  EXPECT_EQ(replay_history.out.find("SubjectErased"), std::string::npos);  // not yet, then
  auto replay_bob =
      Ledgerdesk({"audit", "history", "--data-dir", replay, "--subject", "bob@example.pl"});
  EXPECT_NE(replay_bob.out.find("Odpowiedz-boba-3141"), std::string::npos);
  EXPECT_EQ(Ledgerdesk({"audit", "verify", "--data-dir", replay}).exit_code, 0);
  // The replay's own audits are recorded for the data dir it came from, not in the replay.
  EXPECT_EQ(Ledgerdesk({"events", "tail", "--data-dir", replay}).out, before_erasure);

  // The replay served read-only by the same code: Bob's session of then reads the ticket as it
  // stood, with Alice's parts erased there too; writes are refused.
  serve_ = StartServe({"--data-dir", replay, "--read-only"}, port_);
  const Reply then = Call("GET", "/api/v1/tickets/" + ticket, "", bob);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(then.json()->getValue<std::string>("title"), "[erased]");
  EXPECT_NE(then.body.find("Odpowiedz-boba-3141"), std::string::npos) << then.body;
  const Reply refused_write =
      Call("POST", "/api/v1/tickets/" + ticket + "/messages", R"({"body":"later"})", bob);
  EXPECT_EQ(refused_write.status, 503) << refused_write.body;
  StopServe();
  EXPECT_EQ(Ledgerdesk({"events", "tail", "--data-dir", replay}).out, before_erasure);

  // The API after a restart: Bob reads the ticket; Alice's parts are [erased], the rest stands.
  RestartServe();
  const Reply session = Call("POST", "/api/v1/sessions",
                             R"({"email":"bob@example.pl","password":"correct horse battery"})");
  ASSERT_EQ(session.status, 201) << session.body;
  const Reply detail = Call("GET", "/api/v1/tickets/" + ticket + "?min_position=0", "",
                            session.json()->getValue<std::string>("token"));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.json()->getValue<std::string>("title"), "[erased]");
  EXPECT_EQ(detail.json()->getValue<std::string>("number"), number);
  EXPECT_NE(detail.body.find("Odpowiedz-boba-3141"), std::string::npos) << detail.body;
  EXPECT_EQ(detail.body.find("Sekretna-fraza-alicji-4711"), std::string::npos) << detail.body;
}

// The .eml files in `dir` whose To header names `email` (as typed, any case).
std::vector<std::string> MailsTo(const fs::path& dir, const std::string& email) {
  std::vector<std::string> found;
  if (!fs::exists(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    for (const std::string& to : mail::EmlRecipients(text.str())) {
      if (values::AsciiLower(to) == values::AsciiLower(email)) found.push_back(entry.path());
    }
  }
  return found;
}

// The opened values of a ticket's "cc" as a reader of the ticket gets them through the API.
std::vector<std::string> CcOf(const Reply& detail) {
  std::vector<std::string> cc;
  auto list = detail.json()->getArray("cc");
  for (size_t i = 0; list && i < list->size(); ++i) cc.push_back(list->getElement<std::string>(i));
  return cc;
}

// The lines of `text` that contain `word`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& word) {
  std::vector<std::string> found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(word) != std::string::npos) found.push_back(line);
  }
  return found;
}

// A password reset is asked for without a session, and its mail is queued on the account's stream
// naming the account in no field: both are still the person's history.
TEST_F(AuditTest, HistoryOfAPersonListsTheirPasswordResetAndItsMail) {
  RestartServe();
  Alice();
  ASSERT_EQ(Call("POST", "/api/v1/password-resets", R"({"email":"alice@example.pl"})").status, 202);
  const std::string code = TokenFromMail("reset the password");
  ASSERT_FALSE(code.empty());
  StopServe();
  auto history =
      Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "alice@example.pl"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(LinesWith(history.out, "PasswordResetRequested").size(), 1u) << history.out;
  const auto mails = LinesWith(history.out, R"("template":"password_reset")");
  ASSERT_EQ(mails.size(), 1u) << history.out;
  EXPECT_NE(mails[0].find("EmailQueued"), std::string::npos) << mails[0];
  EXPECT_NE(mails[0].find("alice@example.pl"), std::string::npos) << mails[0];  // `to`, opened
  EXPECT_NE(mails[0].find("[withheld: security secret]"), std::string::npos) << mails[0];
  EXPECT_EQ(history.out.find(code), std::string::npos);  // the one-time code is a secret
  EXPECT_EQ(history.out.find("bob@example.pl"), std::string::npos);
}

// ContractRenewed names only the contract's number: history by NIP still lists the renewals of
// the organization's contracts, and not another organization's.
TEST_F(AuditTest, HistoryOfAnOrganizationListsItsContractsRenewals) {
  for (auto [number, ends] : {std::pair{"K123456", "2031-12-31"}, {"K654321", "2032-06-30"}}) {
    auto renewed =
        Ledgerdesk({"contracts", "renew", "--data-dir", data_, "--number", number, "--ends", ends});
    ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  }
  auto history = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "5260250274"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(LinesWith(history.out, "ContractRegistered").size(), 1u) << history.out;
  const auto renewals = LinesWith(history.out, "ContractRenewed");
  ASSERT_EQ(renewals.size(), 1u) << history.out;
  EXPECT_NE(renewals[0].find("K123456"), std::string::npos) << renewals[0];
  EXPECT_NE(renewals[0].find("2031"), std::string::npos) << renewals[0];
  EXPECT_EQ(history.out.find("K654321"), std::string::npos) << history.out;
}

TEST_F(AuditTest, AnErasedAccountIsClosedItsAddressFreeAndASecondErasureErasesNothingNew) {
  RestartServe();
  const std::string alice = Alice();
  const std::string bob = Bob();
  // Bob's ticket names Alice as a CC: its mails name her only in their To header.
  const Reply opened =
      Call("POST", "/api/v1/tickets",
           R"({"contract_number":"K123456","serial":"FG100","title":"Boba-tytul-6260",)"
           R"("description":"opis","cc":["Alice@Example.pl"]})",
           bob);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string ticket = opened.json()->getValue<std::string>("ticket_id");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (FilesContaining(MailDir().string(), "Boba-tytul-6260").empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(MailsTo(MailDir(), "alice@example.pl").empty());
  StopServe();

  auto erased = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject", "alice@example.pl",
                            "--reason", "GDPR request 18"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_NE(erased.out.find("erased 1 account(s): "), std::string::npos) << erased.out;
  EXPECT_EQ(MailsTo(MailDir(), "alice@example.pl"), std::vector<std::string>{});
  EXPECT_FALSE(MailsTo(MailDir(), "bob@example.pl").empty());  // his own confirmation stays

  // Again: nothing new is erased, and no key is made for the erased account to destroy.
  const fs::path keys = fs::path(data_) / "keys";
  const auto keys_before = std::distance(fs::directory_iterator(keys), fs::directory_iterator());
  const std::string tail_before = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  auto again = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject", "alice@example.pl",
                           "--reason", "GDPR request 18, again"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(
      again.out.find("erased 0 account(s) (1 erased before): keys destroyed, 0 attachment(s)"),
      std::string::npos)
      << again.out;
  EXPECT_EQ(std::distance(fs::directory_iterator(keys), fs::directory_iterator()), keys_before);
  const std::string tail_after = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  EXPECT_EQ(tail_after.find("SubjectErased", tail_before.size()), std::string::npos);

  // Her session ended, her password opens nothing, her address registers anew.
  RestartServe();
  EXPECT_EQ(Call("GET", "/api/v1/account", "", alice).status, 401);
  const Reply login = Call("POST", "/api/v1/sessions",
                           R"({"email":"alice@example.pl","password":"correct horse battery"})");
  EXPECT_EQ(login.status, 401) << login.body;
  const Reply again_registered =
      Call("POST", "/api/v1/registrations",
           R"({"email":"ALICE@example.pl","password":"another horse battery","name":"Alicja",)"
           R"("phone":"600100200","nip":"5260250274"})");
  EXPECT_EQ(again_registered.status, 201) << again_registered.body;
  EXPECT_EQ(Call("GET", "/api/v1/account", "", bob).status, 200);  // Bob is untouched
  // Her address in the CC of Bob's ticket was sealed with her key: erased with her; his stays.
  const Reply detail = Call("GET", "/api/v1/tickets/" + ticket, "", bob);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(CcOf(detail), std::vector<std::string>{"[erased]"}) << detail.body;
  EXPECT_EQ(detail.json()->getValue<std::string>("title"), "Boba-tytul-6260");
}

// A CC address is a data subject of its own. Kasia never registered: her address becomes a
// contact, which a second ticket naming her (otherwise spelled) shares; Bob is a registered
// account. `audit history` finds, for each, the tickets that name them and the mails sent to
// them; `audit erase` of Kasia destroys her contact's key alone: her CC entries read [erased],
// Alice's ticket and Bob's entry stand, a second erasure erases nothing, and naming her again
// makes a new contact.
TEST_F(AuditTest, ACcAddressIsADataSubjectThatHistoryFindsAndErasureReachesAlone) {
  RestartServe();
  const std::string alice = Alice();
  Bob();
  const Reply opened = Call(
      "POST", "/api/v1/tickets",
      R"({"contract_number":"K123456","serial":"FG100","title":"Zapora-tytul-5521",)"
      R"("description":"Opis-alicji-7781","cc":["kasia.cc-4242@example.pl","Bob@Example.pl"]})",
      alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string ticket = opened.json()->getValue<std::string>("ticket_id");
  const Reply second =
      Call("POST", "/api/v1/tickets",
           R"({"contract_number":"K123456","serial":"FG100","title":"Drugi-tytul-3030",)"
           R"("description":"opis"})",
           alice);
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_ticket = second.json()->getValue<std::string>("ticket_id");
  const Reply added = Call("POST", "/api/v1/tickets/" + second_ticket + "/cc",
                           R"({"email":"KASIA.CC-4242@Example.PL"})", alice);
  ASSERT_EQ(added.status, 201) << added.body;
  // Closing the first ticket mails Alice and both CC addresses.
  const Reply closed = Call("POST", "/api/v1/tickets/" + ticket + "/close", "", alice);
  ASSERT_EQ(closed.status, 200) << closed.body;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (MailsTo(MailDir(), "kasia.cc-4242@example.pl").empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(MailsTo(MailDir(), "kasia.cc-4242@example.pl").empty());
  StopServe();

  // Kasia's history: her contact's key, both tickets that name her, the mail sent to her; none
  // of the tickets' other events.
  auto kasia = Ledgerdesk(
      {"audit", "history", "--data-dir", data_, "--subject", "Kasia.CC-4242@example.pl"});
  ASSERT_EQ(kasia.exit_code, 0) << kasia.err;
  for (const std::string& expected :
       {std::string(R"("type":"ledgerdesk.v1.SubjectKeyCreated")"),
        std::string(R"("type":"ledgerdesk.v1.TicketOpened")"),
        std::string(R"("type":"ledgerdesk.v1.CcAdded")"),
        std::string(R"("type":"ledgerdesk.v1.EmailQueued")"), ticket, second_ticket,
        std::string("kasia.cc-4242@example.pl"), std::string("KASIA.CC-4242@example.pl")}) {
    EXPECT_NE(kasia.out.find(expected), std::string::npos) << expected << "\n" << kasia.out;
  }
  EXPECT_EQ(Lines(kasia.out), 4u) << kasia.out;
  EXPECT_EQ(kasia.out.find("TicketClosed"), std::string::npos) << kasia.out;
  // Bob's history holds the ticket he is CC on and its mail, beside his own account's events.
  auto bob = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "bob@example.pl"});
  ASSERT_EQ(bob.exit_code, 0) << bob.err;
  EXPECT_NE(bob.out.find(R"("type":"ledgerdesk.v1.TicketOpened")"), std::string::npos) << bob.out;
  EXPECT_NE(bob.out.find(ticket), std::string::npos) << bob.out;
  EXPECT_NE(bob.out.find(R"("type":"ledgerdesk.v1.EmailQueued","stream":"ticket-)"),
            std::string::npos)
      << bob.out;
  EXPECT_EQ(bob.out.find(second_ticket), std::string::npos) << bob.out;

  // Erasing Kasia: one contact, its key, the mail addressed to her.
  const fs::path keys = fs::path(data_) / "keys";
  const auto keys_before = std::distance(fs::directory_iterator(keys), fs::directory_iterator());
  auto erased = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject",
                            "kasia.cc-4242@example.pl", "--reason", "GDPR request 19"});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_NE(erased.out.find("erased 1 account(s): "), std::string::npos) << erased.out;
  EXPECT_EQ(std::distance(fs::directory_iterator(keys), fs::directory_iterator()), keys_before - 1);
  EXPECT_EQ(MailsTo(MailDir(), "kasia.cc-4242@example.pl"), std::vector<std::string>{});
  for (const char* gone : {"kasia.cc-4242", "KASIA.CC-4242"}) {
    EXPECT_EQ(FilesContaining(data_, gone), std::vector<std::string>{}) << gone;
  }
  auto verified = Ledgerdesk({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // Again: nothing new is erased, no key is made to destroy, no SubjectErased appended.
  const std::string tail_before = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  auto again = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject",
                           "kasia.cc-4242@example.pl", "--reason", "GDPR request 19, again"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("erased 0 account(s) (1 erased before): "), std::string::npos)
      << again.out;
  EXPECT_EQ(std::distance(fs::directory_iterator(keys), fs::directory_iterator()), keys_before - 1);
  const std::string tail_after = Ledgerdesk({"events", "tail", "--data-dir", data_}).out;
  EXPECT_EQ(tail_after.find("SubjectErased", tail_before.size()), std::string::npos);

  // Through the API: Kasia's entries read [erased]; Alice's ticket and Bob's entry stand.
  RestartServe();
  const Reply detail = Call("GET", "/api/v1/tickets/" + ticket + "?min_position=0", "", alice);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(CcOf(detail), (std::vector<std::string>{"[erased]", "Bob@example.pl"})) << detail.body;
  EXPECT_EQ(detail.json()->getValue<std::string>("title"), "Zapora-tytul-5521");
  EXPECT_EQ(detail.json()->getValue<std::string>("description"), "Opis-alicji-7781");
  const Reply other = Call("GET", "/api/v1/tickets/" + second_ticket, "", alice);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(CcOf(other), std::vector<std::string>{"[erased]"}) << other.body;
  EXPECT_EQ(other.json()->getValue<std::string>("title"), "Drugi-tytul-3030");
  const Reply account = Call("GET", "/api/v1/account", "", alice);
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(account.json()->getValue<std::string>("email"), "alice@example.pl");

  // Named again, she is a new contact with a key of her own: readable, and erasable anew.
  const Reply readded = Call("POST", "/api/v1/tickets/" + second_ticket + "/cc",
                             R"({"email":"kasia.cc-4242@example.pl"})", alice);
  ASSERT_EQ(readded.status, 201) << readded.body;
  const Reply now = Call("GET",
                         "/api/v1/tickets/" + second_ticket + "?min_position=" +
                             std::to_string(readded.json()->getValue<int>("position")),
                         "", alice);
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(CcOf(now), (std::vector<std::string>{"[erased]", "kasia.cc-4242@example.pl"}))
      << now.body;
  StopServe();
  auto renewed = Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject",
                             "kasia.cc-4242@example.pl", "--reason", "GDPR request 20"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  EXPECT_NE(renewed.out.find("erased 1 account(s) (1 erased before): "), std::string::npos)
      << renewed.out;
}

TEST_F(AuditTest, ARunningServeAppendsTheRecordOfAnAuditBesideItOnce) {
  RestartServe();
  auto history = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "5260250274",
                             "--actor", "spool-check-5150"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.err.find("audit-spool"), std::string::npos) << history.err;
  auto recorded = [&] {
    const std::string tail = Ledgerdesk({"events", "tail", "--data-dir", data_, "--json"}).out;
    size_t count = 0;
    for (size_t at = 0; (at = tail.find("actor=spool-check-5150", at)) != std::string::npos; ++at) {
      ++count;
    }
    return count;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (recorded() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(recorded(), 1u);
  EXPECT_TRUE(fs::is_empty(fs::path(data_) / "audit-spool"));
  // Still once after a while and after a restart of serve.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  StopServe();
  RestartServe();
  EXPECT_EQ(recorded(), 1u);
}

TEST_F(AuditTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(Ledgerdesk({"audit", "history", "--data-dir", data_}).exit_code, 2);
  auto bad = Ledgerdesk({"audit", "history", "--data-dir", data_, "--subject", "12345"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("e-mail address or a NIP"), std::string::npos) << bad.err;
  EXPECT_EQ(Ledgerdesk(
                {"audit", "history", "--data-dir", data_, "--subject", "a@b.pl", "--format", "pdf"})
                .exit_code,
            2);
  EXPECT_EQ(Ledgerdesk({"audit", "replay", "--data-dir", data_, "--until", "yesterday", "--out",
                        (dir_.path() / "r").string()})
                .exit_code,
            2);
  EXPECT_EQ(Ledgerdesk({"audit", "erase", "--data-dir", data_, "--subject", "a@b.pl"}).exit_code,
            2);
  auto unknown = Ledgerdesk(
      {"audit", "erase", "--data-dir", data_, "--subject", "nobody@example.pl", "--reason", "r"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no account has this e-mail address"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk

namespace ledgerdesk {
namespace {

TEST(AuditKafkaTest, HistoryVerifyAndReplayReadKafka) {
  testing::ChildProcess kafka({LD_PROGRAM, "kafka-dev"});
  std::string line;
  const std::string brokers = testing::KafkaDevBrokers(kafka, &line);
  ASSERT_FALSE(brokers.empty()) << line;
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::vector<std::string> on_kafka = {"--data-dir", data,        "--log",
                                             "kafka",      "--brokers", brokers};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), on_kafka.begin(), on_kafka.end());
    return Ledgerdesk(args);
  };
  ASSERT_EQ(
      with({"contracts", "add", "--nip", "5260250274", "--number", "K100004", "--package", "SOS",
            "--window", "24x7", "--starts", "2026-01-01", "--ends", "2030-12-31", "--item", "FG4"})
          .exit_code,
      0);
  auto history = with({"audit", "history", "--subject", "5260250274"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("ContractRegistered"), std::string::npos) << history.out;
  EXPECT_NE(history.err.find("audit-spool"), std::string::npos) << history.err;  // never produces
  auto verified = with({"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const std::string replay = (dir.path() / "replay").string();
  auto replayed = with({"audit", "replay", "--until", "2100-01-01T00:00:00Z", "--out", replay});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  auto tail = Ledgerdesk({"events", "tail", "--data-dir", replay});
  EXPECT_NE(tail.out.find("ContractRegistered"), std::string::npos) << tail.out;
  // Past the topic's end there is nothing to print, as on the embedded log (not Kafka's refusal).
  auto past_end = with({"events", "tail", "--from", "100000"});
  EXPECT_EQ(past_end.exit_code, 0) << past_end.err;
  EXPECT_EQ(past_end.out, "");
  // Erase on Kafka with no serve running: done here (nobody has this address: nothing recorded).
  auto erase = with({"audit", "erase", "--subject", "a@example.pl", "--reason", "r"});
  EXPECT_EQ(erase.exit_code, 1);
  EXPECT_NE(erase.err.find("no account has this e-mail address"), std::string::npos) << erase.err;

  // serve, the one producer, appends the spooled records (history, verify, replay) to the topic.
  testing::ChildProcess serve({LD_PROGRAM, "serve", "--listen", "127.0.0.1:0", "--data-dir", data,
                               "--log", "kafka", "--brokers", brokers});
  ASSERT_NE(serve.WaitForLine("listening on", std::chrono::seconds(30)), "");
  auto recorded = [&] {
    const std::string events = with({"events", "tail", "--json"}).out;
    size_t count = 0;
    for (size_t at = 0; (at = events.find("AuditCommandRecorded", at)) != std::string::npos; ++at) {
      ++count;
    }
    return count;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (recorded() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(recorded(), 3u);
  EXPECT_TRUE(fs::is_empty(fs::path(data) / "audit-spool"));
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

// Erasure while serve runs, on Kafka: a writer and a read-only replica (data dirs of their own,
// the replica naming the writer's keys dir, for the KEK and the e-mail index key) on the log and
// the key topic of `ledgerdesk kafka-dev`.
class AuditOnKafkaTest : public AuditFixture {
 protected:
  void SetUp() override {
    kafka_ =
        std::make_unique<testing::ChildProcess>(std::vector<std::string>{LD_PROGRAM, "kafka-dev"});
    std::string line;
    brokers_ = testing::KafkaDevBrokers(*kafka_, &line);
    ASSERT_FALSE(brokers_.empty()) << line;
    data_ = (dir_.path() / "writer").string();
    AddContracts(data_, OnKafka({}));
  }
  void TearDown() override {
    if (replica_ != nullptr) {
      replica_->Signal(SIGTERM);
      EXPECT_EQ(replica_->Wait(), 0);
    }
    StopServe();
  }

  std::vector<std::string> OnKafka(std::vector<std::string> args) const {
    args.insert(args.end(), {"--log", "kafka", "--brokers", brokers_});
    return args;
  }

  std::unique_ptr<testing::ChildProcess> kafka_;  // first: outlives the serves
  std::string brokers_;
  std::unique_ptr<testing::ChildProcess> replica_;
};

TEST_F(AuditOnKafkaTest, ErasureWithServeRunningReachesTheWriterAndAReplica) {
  serve_ = StartServe(OnKafka({"--data-dir", data_}), port_);
  const std::string alice = Alice();
  const std::string bob = Bob();
  const Reply opened = OpenAlicesTicket(alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string ticket = opened.json()->getValue<std::string>("ticket_id");
  const Reply bobs = Call("POST", "/api/v1/tickets/" + ticket + "/messages",
                          R"({"body":"Odpowiedz-boba-3141"})", bob);
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  const std::string sync =
      "?min_position=" + std::to_string(bobs.json()->getValue<int>("position"));

  // The replica reads Alice's title before the erasure (its key cache holds her key then).
  const std::string replica_dir = (dir_.path() / "replica").string();
  int replica_port = 0;
  replica_ = StartServe(OnKafka({"--data-dir", replica_dir, "--read-only", "--keys-dir",
                                 data_ + "/keys", "--blobs-dir", data_ + "/blobs"}),
                        replica_port);
  ASSERT_GT(replica_port, 0);
  const Reply before = CallAt(replica_port, "GET", "/api/v1/tickets/" + ticket + sync, "", bob);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json()->getValue<std::string>("title"), "Zapora-tytul-5521");

  // A replay of the Kafka log reads its keys on the key topic: Alice's words open there now.
  const std::string replay = (dir_.path() / "replay").string();
  auto replayed = Ledgerdesk(OnKafka({"audit", "replay", "--data-dir", data_, "--until",
                                      "2100-01-01T00:00:00Z", "--out", replay}));
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  auto replay_history = [&] {
    return Ledgerdesk({"audit", "history", "--data-dir", replay, "--subject", "alice@example.pl"});
  };
  auto before_erasure = replay_history();
  ASSERT_EQ(before_erasure.exit_code, 0) << before_erasure.err;
  EXPECT_NE(before_erasure.out.find("Sekretna-fraza-alicji-4711"), std::string::npos)
      << before_erasure.out;

  // The erasure, both serves running: the writer's serve takes it on its operator socket.
  auto erased = Ledgerdesk(OnKafka({"audit", "erase", "--data-dir", data_, "--subject",
                                    "alice@example.pl", "--reason", "GDPR request 18"}));
  ASSERT_EQ(erased.exit_code, 0) << erased.err << erased.out;
  EXPECT_NE(erased.out.find("erased 1 account(s)"), std::string::npos) << erased.out;

  // The writer's API at once; the replica once it has followed.
  const Reply at_writer = Call("GET", "/api/v1/tickets/" + ticket, "", bob);
  ASSERT_EQ(at_writer.status, 200) << at_writer.body;
  EXPECT_EQ(at_writer.json()->getValue<std::string>("title"), "[erased]");
  EXPECT_EQ(at_writer.body.find("Sekretna-fraza-alicji-4711"), std::string::npos);
  EXPECT_NE(at_writer.body.find("Odpowiedz-boba-3141"), std::string::npos);  // Bob's stays
  Reply at_replica;
  for (int attempt = 0; attempt < 100; ++attempt) {
    at_replica = CallAt(replica_port, "GET", "/api/v1/tickets/" + ticket, "", bob);
    ASSERT_EQ(at_replica.status, 200) << at_replica.body;
    if (at_replica.json()->getValue<std::string>("title") == "[erased]") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(at_replica.json()->getValue<std::string>("title"), "[erased]");
  EXPECT_EQ(at_replica.body.find("Sekretna-fraza-alicji-4711"), std::string::npos);
  EXPECT_NE(at_replica.body.find("Odpowiedz-boba-3141"), std::string::npos);

  // A process started now reads the key topic afresh: the key is gone there (its tombstone).
  auto history = Ledgerdesk(
      OnKafka({"audit", "history", "--data-dir", data_, "--subject", "alice@example.pl"}));
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("SubjectErased"), std::string::npos) << history.out;
  EXPECT_EQ(history.out.find("Sekretna-fraza-alicji-4711"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("[erased]"), std::string::npos) << history.out;

  // The erasure reaches the replay made before it: its keys are the topic's.
  auto after_erasure = replay_history();
  ASSERT_EQ(after_erasure.exit_code, 0) << after_erasure.err;
  EXPECT_EQ(after_erasure.out.find("Sekretna-fraza-alicji-4711"), std::string::npos)
      << after_erasure.out;
  EXPECT_NE(after_erasure.out.find("[erased]"), std::string::npos) << after_erasure.out;

  // The replica applied the erasure itself: dropped the key from its cache, compacted its store.
  EXPECT_NE(replica_->WaitForLine("projections compacted", std::chrono::seconds(10)), "");
  // No file of either data dir holds Alice's plaintext.
  for (const char* gone : {"alice@example.pl", "Alicja Zielińska", "Sekretna-fraza-alicji-4711",
                           "Opis-alicji-7781", "600100200"}) {
    EXPECT_EQ(FilesContaining(data_, gone), std::vector<std::string>{}) << gone;
    EXPECT_EQ(FilesContaining(replica_dir, gone), std::vector<std::string>{}) << gone;
    EXPECT_EQ(FilesContaining(replay, gone), std::vector<std::string>{}) << gone;
  }
}

}  // namespace
}  // namespace ledgerdesk
