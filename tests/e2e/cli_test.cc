// End to end: the real `ledgerdesk` program on the embedded log and on Kafka (kafka-dev).

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/e2e/kafka_dev.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk {
namespace {

using testing::ChildProcess;
using testing::RunProcess;

const std::string kProgram = LD_PROGRAM;

testing::ProcessResult Ledgerdesk(std::vector<std::string> args) {
  args.insert(args.begin(), kProgram);
  return RunProcess(args);
}

std::vector<std::string> ContractArgs(const std::string& data_dir, const std::string& number) {
  return {"contracts",  "add",        "--data-dir",
          data_dir,     "--nip",      "PL5260250274",
          "--number",   number,       "--package",
          "SOS",        "--window",   "24x7",
          "--starts",   "2026-01-01", "--ends",
          "2027-12-31", "--item",     "(H)-FG" + number + ":FortiGate"};
}

std::pair<int, std::string> HttpGet(const std::string& host, int port, const std::string& path) {
  Poco::Net::HTTPClientSession session(host, static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  std::stringstream text;
  text << body.rdbuf();
  return {response.getStatus(), text.str()};
}

TEST(CliTest, HelpAndUsageErrors) {
  auto help = Ledgerdesk({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"serve", "events tail", "kafka-dev", "contracts add", "bench log"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  auto unknown = Ledgerdesk({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos);
  auto bad_option = Ledgerdesk({"events", "tail", "--from", "minus-one"});
  EXPECT_EQ(bad_option.exit_code, 2);
  EXPECT_NE(bad_option.err.find("--from takes a whole number"), std::string::npos);
  auto tail_help = Ledgerdesk({"events", "tail", "--help"});
  EXPECT_EQ(tail_help.exit_code, 0);
  EXPECT_NE(tail_help.out.find("--follow"), std::string::npos);
  auto bad_log = Ledgerdesk({"events", "tail", "--log", "zookeeper"});
  EXPECT_EQ(bad_log.exit_code, 2);
  // A two-word command's first word alone names the second words.
  auto contracts = Ledgerdesk({"contracts"});
  EXPECT_EQ(contracts.exit_code, 2);
  EXPECT_EQ(contracts.err,
            "ledgerdesk contracts: needs one of: add, renew (ledgerdesk contracts "
            "COMMAND --help)\n");
  auto staff = Ledgerdesk({"staff", "remove"});
  EXPECT_EQ(staff.exit_code, 2);
  EXPECT_NE(staff.err.find("unknown subcommand 'remove'; one of: add"), std::string::npos);
  // Its --help is help: the group's commands with what each does.
  auto audit_help = Ledgerdesk({"audit", "--help"});
  EXPECT_EQ(audit_help.exit_code, 0);
  EXPECT_EQ(audit_help.out.find("usage: ledgerdesk audit COMMAND [OPTIONS]"), 0u) << audit_help.out;
  for (const char* command : {"audit history ", "audit replay ", "audit verify ", "audit erase "}) {
    EXPECT_NE(audit_help.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(audit_help.out.find("serve"), std::string::npos);
  EXPECT_EQ(Ledgerdesk({"projections", "--help"}).exit_code, 0);
}

// Where serve listens is checked before anything starts, and a taken port is one plain sentence.
TEST(CliTest, ServeSaysWhatIsWrongWithWhereItListens) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  for (const char* writer : {"notaurl", "http://", "ftp://x:1", "http://a b"}) {
    auto replica = Ledgerdesk({"serve", "--data-dir", data, "--read-only", "--writer", writer});
    EXPECT_EQ(replica.exit_code, 2) << writer;
    EXPECT_NE(replica.err.find("--writer takes the writer's URL"), std::string::npos)
        << replica.err;
  }
  for (const char* listen : {"nope", "127.0.0.1:99999", "127.0.0.1:"}) {
    auto refused = Ledgerdesk({"serve", "--data-dir", data, "--listen", listen});
    EXPECT_EQ(refused.exit_code, 2) << listen;
    EXPECT_NE(refused.err.find("--listen takes HOST:PORT with a port of 0 to 65535"),
              std::string::npos)
        << refused.err;
  }
  EXPECT_EQ(Ledgerdesk({"serve", "--data-dir", data, "--smtp", "nocolon"}).exit_code, 2);
  Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1:0"));
  auto in_use = Ledgerdesk({"serve", "--data-dir", data, "--listen",
                            "127.0.0.1:" + std::to_string(taken.address().port())});
  EXPECT_EQ(in_use.exit_code, 1);
  EXPECT_NE(in_use.err.find("cannot listen on 127.0.0.1:"), std::string::npos) << in_use.err;
  EXPECT_NE(in_use.err.find("Address already in use"), std::string::npos) << in_use.err;
  EXPECT_EQ(in_use.err.find("Exception"), std::string::npos) << in_use.err;
}

// Arguments that cannot make a contract or an account are usage errors, as a missing one is.
TEST(CliTest, ImpossibleOperatorArgumentsAreUsageErrors) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  std::vector<std::string> backwards = ContractArgs(data, "K100002");
  *std::find(backwards.begin(), backwards.end(), "2027-12-31") = "2025-12-31";
  auto refused = Ledgerdesk(backwards);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("--ends 2025-12-31 is before --starts 2026-01-01"), std::string::npos)
      << refused.err;
  auto nameless = Ledgerdesk({"staff", "add", "--data-dir", data, "--email", "e@x.pl", "--name",
                              "  ", "--role", "engineer"});
  EXPECT_EQ(nameless.exit_code, 2) << nameless.err;
  EXPECT_NE(nameless.err.find("--name is required"), std::string::npos) << nameless.err;
}

TEST(CliTest, ContractsLandInTheEmbeddedLogAndTailShowsThem) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto added = Ledgerdesk(ContractArgs(data, "K100001"));
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto again = Ledgerdesk(ContractArgs(data, "K100001"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already registered"), std::string::npos) << again.err;

  auto tail = Ledgerdesk({"events", "tail", "--data-dir", data, "--json"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_NE(tail.out.find(R"("type":"ledgerdesk.v1.OrganizationRegistered")"), std::string::npos);
  EXPECT_NE(tail.out.find(R"("type":"ledgerdesk.v1.ContractRegistered")"), std::string::npos);
  EXPECT_NE(tail.out.find(R"("serial":"FGK100001")"), std::string::npos) << "(H)- stripped";
  auto from_one = Ledgerdesk({"events", "tail", "--data-dir", data, "--from", "1"});
  EXPECT_EQ(std::count(from_one.out.begin(), from_one.out.end(), '\n'), 1);
}

TEST(CliTest, ALiveDigestEqualsTheDigestOfARebuild) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100007")).exit_code, 0);
  auto first = Ledgerdesk({"projections", "digest", "--data-dir", data});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("at log position 2"), std::string::npos) << first.out;
  // The live store follows the log incrementally...
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100008")).exit_code, 0);
  auto live = Ledgerdesk({"projections", "digest", "--data-dir", data});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_NE(live.out, first.out);
  // ...and a rebuild from scratch lands on the same content.
  auto rebuilt = Ledgerdesk({"projections", "rebuild", "--data-dir", data});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_NE(rebuilt.out.find("events/s"), std::string::npos);
  auto after = Ledgerdesk({"projections", "digest", "--data-dir", data});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, live.out);
}

TEST(CliTest, RebuildOnlyOneProjectionKeepsTheDigest) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100017")).exit_code, 0);
  auto live = Ledgerdesk({"projections", "digest", "--data-dir", data});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  auto only = Ledgerdesk({"projections", "rebuild", "--only", "contracts", "--data-dir", data});
  ASSERT_EQ(only.exit_code, 0) << only.err;
  EXPECT_NE(only.out.find("rebuilt projection contracts to log position 2"), std::string::npos)
      << only.out;
  auto after = Ledgerdesk({"projections", "digest", "--data-dir", data});
  EXPECT_EQ(after.out, live.out);
  auto unknown = Ledgerdesk({"projections", "rebuild", "--only", "contract", "--data-dir", data});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--only takes one of contracts, tickets"), std::string::npos)
      << unknown.err;
}

TEST(CliTest, RebuildRefusesAMemoryBudgetItCannotUse) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100027")).exit_code, 0);
  for (const char* budget : {"8", "16777217"}) {
    auto refused =
        Ledgerdesk({"projections", "rebuild", "--memory-mb", budget, "--data-dir", data});
    EXPECT_EQ(refused.exit_code, 2) << budget;
    EXPECT_NE(refused.err.find("--memory-mb takes 16 to 16777216 (megabytes)"), std::string::npos)
        << refused.err;
  }
  auto words = Ledgerdesk({"projections", "rebuild", "--memory-mb", "lots", "--data-dir", data});
  EXPECT_EQ(words.exit_code, 2);
  EXPECT_NE(words.err.find("--memory-mb takes a whole number, not 'lots'"), std::string::npos)
      << words.err;
  auto smallest = Ledgerdesk({"projections", "rebuild", "--memory-mb", "16", "--data-dir", data});
  ASSERT_EQ(smallest.exit_code, 0) << smallest.err;
  EXPECT_NE(smallest.out.find("peak memory"), std::string::npos) << smallest.out;
}

TEST(CliTest, StaffAddPrintsAOneTimeTokenAndSealsThePersonalData) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto added = Ledgerdesk({"staff", "add", "--data-dir", data, "--email", "eve@ledgerdesk.example",
                           "--name", "Ewa Inżynier", "--role", "engineer"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_TRUE(std::regex_search(added.out, std::regex(R"(\n[A-Za-z0-9_-]{43}\n)"))) << added.out;
  auto again = Ledgerdesk({"staff", "add", "--data-dir", data, "--email", "eve@ledgerdesk.example",
                           "--name", "Ewa", "--role", "engineer"});
  EXPECT_EQ(again.exit_code, 1);
  auto partner = Ledgerdesk({"staff", "add", "--data-dir", data, "--email", "p@reseller.example",
                             "--name", "Piotr", "--role", "partner"});
  EXPECT_EQ(partner.exit_code, 2);
  EXPECT_NE(partner.err.find("--partner-name"), std::string::npos);
  auto tail = Ledgerdesk({"events", "tail", "--data-dir", data, "--json"});
  EXPECT_NE(tail.out.find("ledgerdesk.v1.StaffAccountCreated"), std::string::npos);
  EXPECT_EQ(tail.out.find("eve@ledgerdesk.example"), std::string::npos) << "sealed in the log";
  EXPECT_EQ(tail.out.find("Ewa"), std::string::npos);
}

TEST(CliTest, BenchRebuildPrintsRoundsInTurnAndTheMedianRatio) {
  testing::TempDir dir;
  auto bench = Ledgerdesk({"bench", "rebuild", "--events", "2000", "--rounds", "2", "--dir",
                           (dir.path() / "bench").string()});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  const std::string& out = bench.out;
  const size_t alone = out.find("rebuild, event_counts only");
  const size_t first = out.find("round 1, all projections");
  const size_t first_fillseq = out.find("round 1, db_bench fillseq");
  const size_t first_rows = out.find("round 1, fillseq of those rows");
  const size_t second = out.find("round 2, all projections");
  const size_t second_fillseq = out.find("round 2, db_bench fillseq");
  const size_t second_rows = out.find("round 2, fillseq of those rows");
  ASSERT_NE(second_rows, std::string::npos) << out;
  EXPECT_LT(alone, first) << out;
  EXPECT_LT(first, first_fillseq) << out;  // in turn
  EXPECT_LT(first_fillseq, first_rows) << out;
  EXPECT_LT(first_rows, second) << out;
  EXPECT_LT(second, second_fillseq) << out;
  EXPECT_LT(second_fillseq, second_rows) << out;
  // The rows db_bench is given are the rebuild's own: counted from its files, so there are more
  // than none and their sizes are real (the generated keys hold 32-digit ids).
  std::smatch rows;
  ASSERT_TRUE(std::regex_search(
      out, rows,
      std::regex(
          R"(round 1, fillseq of those rows +\d+ ops/s +\((\d+) rows of (\d+) \+ (\d+) bytes compressing to ([0-9.]+), as the rebuild wrote them at \d+ rows/s: [0-9.]+ of it\))")))
      << out;
  EXPECT_GT(std::stoull(rows[1]), 2000u) << "more rows than events";
  EXPECT_GT(std::stoull(rows[2]), 32u);
  EXPECT_GT(std::stoull(rows[3]), 32u);
  EXPECT_LE(std::stod(rows[4]), 1.0);
  EXPECT_NE(out.find("median, fillseq of those rows"), std::string::npos) << out;
  EXPECT_EQ(out.find("round 3"), std::string::npos) << out;
  EXPECT_NE(out.find("s: folding "), std::string::npos) << out;              // where the time went
  EXPECT_NE(out.find(" s of it system; store "), std::string::npos) << out;  // and what it made
  EXPECT_NE(out.find("median, all projections"), std::string::npos) << out;
  EXPECT_NE(out.find("median, db_bench fillseq"), std::string::npos) << out;
  EXPECT_NE(out.find("of fillseq (median of the rounds); goal"), std::string::npos) << out;
  // The CPU budget: the rebuild's CPU per event beside db_bench's per key, and what the cores
  // allow at that cost (cores / CPU per event), computed from the numbers it prints.
  std::smatch cpu;
  ASSERT_TRUE(std::regex_search(
      out, cpu,
      std::regex(
          R"(CPU per event, median +([0-9.]+) us +\(db_bench fillseq: ([0-9.]+) us a key\); with all (\d+) cores busy the rebuild reaches at most (\d+) events/s, and 1.00 of fillseq takes at most ([0-9.]+) us an event)")))
      << out;
  const double cpu_per_event_us = std::stod(cpu[1]);
  const double cores = std::stod(cpu[3]);
  EXPECT_GT(cpu_per_event_us, 0) << out;
  EXPECT_GT(std::stod(cpu[2]), 0) << "db_bench's own CPU time is counted";
  EXPECT_GE(cores, 1);
  EXPECT_NEAR(std::stod(cpu[4]), cores / cpu_per_event_us * 1e6,
              cores / cpu_per_event_us * 1e6 * 0.01 + 1)
      << out;
  EXPECT_TRUE(std::regex_search(
      out,
      std::regex(
          R"(round 1, db_bench fillseq .*CPU [0-9.]+ us a key, the rebuild's [0-9.]+ us an event\))")))
      << out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "bench"));  // leaves nothing behind
}

TEST(CliTest, BenchRebuildRunsDbBenchInADirNamedWithAQuote) {
  testing::TempDir dir;
  const auto bench_dir = dir.path() / "it's here";
  auto bench = Ledgerdesk(
      {"bench", "rebuild", "--events", "1000", "--rounds", "1", "--dir", bench_dir.string()});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("round 1, db_bench fillseq"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("round 1, fillseq of those rows"), std::string::npos) << bench.out;
  EXPECT_FALSE(std::filesystem::exists(bench_dir));
}

TEST(CliTest, BenchRebuildWithoutDbBenchSaysWhereToGetItAndStillMeasuresTheRebuild) {
  testing::TempDir dir;
  // A PATH with no db_bench in it (popen's /bin/sh is found by its full path).
  auto bench =
      RunProcess({"/usr/bin/env", "PATH=" + dir.path().string(), kProgram, "bench", "rebuild",
                  "--events", "1000", "--rounds", "1", "--dir", (dir.path() / "bench").string()});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("median, all projections"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("db_bench is not installed (Debian package rocksdb-tools installs it)"),
            std::string::npos)
      << bench.out;
  EXPECT_EQ(bench.out.find("fillseq of those rows"), std::string::npos) << bench.out;
  EXPECT_EQ(bench.out.find("goal >="), std::string::npos) << "no verdict without a baseline";
}

// Runs `bench rebuild` with PATH holding only a db_bench that is the shell script `script`.
testing::ProcessResult BenchRebuildWithFakeDbBench(const testing::TempDir& dir,
                                                   const std::string& script) {
  const auto bin = dir.path() / "bin";
  std::filesystem::create_directories(bin);
  {
    std::ofstream out(bin / "db_bench");
    out << "#!/bin/sh\n" << script;
  }
  std::filesystem::permissions(bin / "db_bench", std::filesystem::perms::owner_all);
  return RunProcess({"/usr/bin/env", "PATH=" + bin.string(), kProgram, "bench", "rebuild",
                     "--events", "1000", "--rounds", "2", "--dir",
                     (dir.path() / "bench").string()});
}

TEST(CliTest, BenchRebuildSaysWhatAFailingDbBenchSaidAndStillMeasuresTheRebuild) {
  testing::TempDir dir;
  auto bench = BenchRebuildWithFakeDbBench(dir, R"(echo 'opening the db'
echo 'IO error: no space' >&2
exit 3
)");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("median, all projections"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("db_bench failed (exit status 3): IO error: no space"),
            std::string::npos)
      << bench.out;
  EXPECT_EQ(bench.out.find("goal >="), std::string::npos) << "no verdict without a baseline";
}

TEST(CliTest, BenchRebuildSaysWhenDbBenchPrintsNoResult) {
  testing::TempDir dir;
  auto bench = BenchRebuildWithFakeDbBench(dir, "echo 'fillseq: unknown benchmark'\n");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("db_bench printed no fillseq result: fillseq: unknown benchmark"),
            std::string::npos)
      << bench.out;
}

// The rows' fillseq is for reading beside the goal: its failing must not cost the goal's verdict.
TEST(CliTest, BenchRebuildJudgesTheGoalWhenOnlyTheRowsFillseqFails) {
  testing::TempDir dir;
  // The goal's shape (16-byte keys, 100-byte values) gets a result; the rebuild's rows do not.
  auto bench = BenchRebuildWithFakeDbBench(dir, R"(case "$*" in
  *--key_size=16\ --value_size=100\ *) echo 'fillseq : 2.000 micros/op 500000 ops/sec;';;
  *) echo 'Invalid argument: value_size too large'; exit 1;;
esac
)");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_NE(bench.out.find("round 1, db_bench fillseq"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("round 2, db_bench fillseq"), std::string::npos) << bench.out;
  EXPECT_TRUE(std::regex_search(bench.out, std::regex(R"(median, db_bench fillseq +500000 ops/s)")))
      << bench.out;
  EXPECT_TRUE(std::regex_search(
      bench.out, std::regex(R"(\nfillseq of those rows +db_bench failed \(exit status 1\): )"
                            R"(Invalid argument: value_size too large\n)")))
      << bench.out;
  EXPECT_EQ(bench.out.find("median, fillseq of those rows"), std::string::npos) << bench.out;
  EXPECT_NE(bench.out.find("goal >= 300000 events/s and >= 1.00 of fillseq: NOT met"),
            std::string::npos)
      << bench.out;
}

TEST(CliTest, BenchRebuildRefusesNoRounds) {
  testing::TempDir dir;
  auto bench = Ledgerdesk({"bench", "rebuild", "--events", "2000", "--rounds", "0", "--dir",
                           (dir.path() / "bench").string()});
  EXPECT_EQ(bench.exit_code, 2) << bench.out;
  EXPECT_NE(bench.err.find("--rounds takes 1 to 100"), std::string::npos) << bench.err;
}

TEST(CliTest, TailFollowsAppendsOfAnotherProcess) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100005")).exit_code, 0);
  ChildProcess tail({kProgram, "events", "tail", "--data-dir", data, "--follow"});
  EXPECT_NE(tail.WaitForLine("contract-K100005", std::chrono::seconds(20)), "");
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100006")).exit_code, 0);
  EXPECT_NE(tail.WaitForLine("contract-K100006", std::chrono::seconds(20)), "") << tail.Output();
}

TEST(CliTest, ServeAnswersHealthAndOwnsTheDataDir) {
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  ASSERT_EQ(Ledgerdesk(ContractArgs(data, "K100002")).exit_code, 0);
  ChildProcess serve({kProgram, "serve", "--data-dir", data, "--listen", "127.0.0.1:0"});
  const std::string line = serve.WaitForLine("listening on", std::chrono::seconds(20));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(line, match, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
  const int port = std::stoi(match[1]);

  auto [status, body] = HttpGet("127.0.0.1", port, "/healthz");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find(R"("log_position":1)"), std::string::npos) << body;
  // The projections catch up with the log in the background.
  for (int i = 0; i < 100 && body.find(R"("projections_position":1)") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    body = HttpGet("127.0.0.1", port, "/healthz").second;
  }
  EXPECT_NE(body.find(R"("projections_position":1)"), std::string::npos) << body;
  auto [missing, error] = HttpGet("127.0.0.1", port, "/api/v1/nothing");
  EXPECT_EQ(missing, 404);
  EXPECT_NE(error.find(R"("code":"not_found")"), std::string::npos);

  // A second writer is refused with a sentence (operator commands go to serve: operator_test.cc);
  // a reader reads beside it.
  auto second = Ledgerdesk({"serve", "--data-dir", data, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("in use by another ledgerdesk process"), std::string::npos)
      << second.err;
  auto tail = Ledgerdesk({"events", "tail", "--data-dir", data});
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 2);

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
  EXPECT_EQ(Ledgerdesk(ContractArgs(data, "K100003")).exit_code, 0);
}

TEST(CliTest, TheSameProgramRunsOnKafka) {
  ChildProcess kafka({kProgram, "kafka-dev"});
  std::string line;
  const std::string brokers = testing::KafkaDevBrokers(kafka, &line);
  ASSERT_FALSE(brokers.empty()) << line;
  testing::TempDir dir;
  const std::string data = (dir.path() / "data").string();
  auto args = ContractArgs(data, "K100004");
  for (std::string extra : {"--log", "kafka", "--brokers", brokers.c_str()}) args.push_back(extra);
  auto added = Ledgerdesk(args);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto tail = Ledgerdesk({"events", "tail", "--log", "kafka", "--brokers", brokers, "--json"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_NE(tail.out.find(R"("type":"ledgerdesk.v1.ContractRegistered")"), std::string::npos)
      << tail.out;

  ChildProcess serve({kProgram, "serve", "--log", "kafka", "--brokers", brokers, "--data-dir", data,
                      "--listen", "127.0.0.1:0"});
  EXPECT_NE(serve.WaitForLine("listening on", std::chrono::seconds(30)), "");
  EXPECT_NE(serve.Output().find("Kafka topic ledgerdesk.events"), std::string::npos)
      << serve.Output();
  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(), 0);
}

}  // namespace
}  // namespace ledgerdesk
