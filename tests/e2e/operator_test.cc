// End to end: the operator's staff add and contracts add|renew against a data dir that a running
// `ledgerdesk serve` holds (handed over DATA_DIR/operator.sock) and against a stopped one; the
// projection commands refused beside serve.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk {
namespace {

testing::ProcessResult Ledgerdesk(std::vector<std::string> args) {
  args.insert(args.begin(), LD_PROGRAM);
  return testing::RunProcess(args);
}

class OperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = (dir_.path() / "data").string();
    socket_ = std::filesystem::path(data_) / "operator.sock";
  }
  void TearDown() override {
    if (serve_ != nullptr) StopServe();
  }

  void StartServe() {
    serve_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        LD_PROGRAM, "serve", "--data-dir", data_, "--listen", "127.0.0.1:0"});
    const std::string line = serve_->WaitForLine("listening on", std::chrono::seconds(20));
    std::smatch match;
    ASSERT_TRUE(std::regex_search(line, match, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
    port_ = std::stoi(match[1]);
  }
  void StopServe() {
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Wait(), 0);
    serve_.reset();
  }

  std::string Health() {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/healthz");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::stringstream text;
    text << session.receiveResponse(response).rdbuf();
    return text.str();
  }

  std::vector<std::string> ContractAdd(const std::string& number) {
    return {"contracts", "add",        "--data-dir", data_,        "--nip",    "PL5260250274",
            "--number",  number,       "--package",  "SOS",        "--window", "24x7",
            "--starts",  "2026-01-01", "--ends",     "2027-12-31", "--item",   "FG" + number};
  }
  std::vector<std::string> StaffAdd(const std::string& email) {
    return {"staff", "add",    "--data-dir", data_,    "--email",
            email,   "--name", "Ewa Nowak",  "--role", "engineer"};
  }

  // The log position a command printed: "(log position N)".
  static int PrintedPosition(const std::string& out) {
    std::smatch match;
    if (!std::regex_search(out, match, std::regex(R"(\(log position (\d+)\))"))) return -1;
    return std::stoi(match[1]);
  }

  testing::TempDir dir_;
  std::string data_;
  std::filesystem::path socket_;
  std::unique_ptr<testing::ChildProcess> serve_;
  int port_ = 0;
};

TEST_F(OperatorTest, CommandsGoToTheRunningServeAndTheApiSeesThem) {
  ASSERT_EQ(Ledgerdesk(ContractAdd("K100021")).exit_code, 0);
  StartServe();
  struct stat info {};
  ASSERT_EQ(::stat(socket_.c_str(), &info), 0) << "no " << socket_;
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_NE(Health().find(R"("log_position":1)"), std::string::npos);

  auto with_partner = ContractAdd("K100022");
  with_partner.insert(with_partner.end(), {"--partner-name", "ResellerX"});
  auto added = Ledgerdesk(with_partner);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("registered contract K100022"), std::string::npos) << added.out;
  EXPECT_NE(added.out.find("sold by partner ResellerX"), std::string::npos) << added.out;
  const int position = PrintedPosition(added.out);
  EXPECT_GE(position, 2) << added.out;
  // The serve wrote it: its writer stands past it.
  EXPECT_NE(Health().find("\"log_position\":" + std::to_string(position)), std::string::npos)
      << Health();

  auto renewed = Ledgerdesk(
      {"contracts", "renew", "--data-dir", data_, "--number", "K100022", "--ends", "2028-12-31"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  EXPECT_NE(renewed.out.find("renewed contract K100022 until 2028-12-31"), std::string::npos);
  EXPECT_GT(PrintedPosition(renewed.out), position);

  auto staff = Ledgerdesk(StaffAdd("ewa@ledgerdesk.example"));
  ASSERT_EQ(staff.exit_code, 0) << staff.err;
  EXPECT_TRUE(std::regex_search(staff.out, std::regex(R"(\n[A-Za-z0-9_-]{43}\n)"))) << staff.out;
  // A refusal comes back with its sentence and exit code.
  auto again = Ledgerdesk(StaffAdd("ewa@ledgerdesk.example"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err.rfind("ledgerdesk staff add: ", 0), 0u) << again.err;
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
  auto unknown = Ledgerdesk(
      {"contracts", "renew", "--data-dir", data_, "--number", "K999999", "--ends", "2028-12-31"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("K999999"), std::string::npos) << unknown.err;

  // Usage errors and --help are answered where the command was typed.
  auto usage = Ledgerdesk({"contracts", "add", "--data-dir", data_, "--number", "123"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("usage: ledgerdesk contracts add"), std::string::npos) << usage.err;
  auto help = Ledgerdesk({"staff", "add", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--partner-name"), std::string::npos);
  auto contracts_help = Ledgerdesk({"contracts", "add", "--help"});
  EXPECT_EQ(contracts_help.exit_code, 0);
  EXPECT_NE(contracts_help.out.find("the reseller that sold the contract"), std::string::npos);

  // Stopped, serve takes its socket away, and the commands open the data dir themselves.
  StopServe();
  EXPECT_FALSE(std::filesystem::exists(socket_));
  auto stopped = Ledgerdesk(ContractAdd("K100023"));
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_GT(PrintedPosition(stopped.out), PrintedPosition(renewed.out));
  auto staff_stopped = Ledgerdesk(StaffAdd("jan@ledgerdesk.example"));
  EXPECT_EQ(staff_stopped.exit_code, 0) << staff_stopped.err;
  auto tail = Ledgerdesk({"events", "tail", "--data-dir", data_});
  for (const char* expected :
       {"contract-K100022", "contract-K100023", "ContractRenewed", "OrganizationPartnerAssigned"}) {
    EXPECT_NE(tail.out.find(expected), std::string::npos) << expected;
  }
}

// Speaks the socket's wire format (tools/operator_socket.h) directly: strings out, strings back.
std::vector<std::string> Exchange(const std::filesystem::path& path,
                                  const std::vector<std::string>& request) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  auto put = [](std::string& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  };
  std::string frame;
  put(frame, static_cast<uint32_t>(request.size()));
  for (const auto& text : request) {
    put(frame, static_cast<uint32_t>(text.size()));
    frame += text;
  }
  EXPECT_EQ(::write(fd, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
  std::string in;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) in.append(buffer, got);
  ::close(fd);
  size_t at = 0;
  auto get = [&]() -> uint32_t {
    if (at + 4 > in.size()) return 0;
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(in[at++]);
    return value;
  };
  std::vector<std::string> answer(get());
  for (auto& text : answer) {
    const uint32_t size = get();
    text = in.substr(at, size);
    at += size;
  }
  return answer;
}

TEST_F(OperatorTest, TheSocketTakesOnlyOperatorCommands) {
  StartServe();
  for (const std::vector<std::string>& request : {std::vector<std::string>{"projections rebuild"},
                                                  {"serve", "--listen", "127.0.0.1:0"},
                                                  {"events tail"}}) {
    auto answer = Exchange(socket_, request);
    ASSERT_EQ(answer.size(), 3u) << request[0];
    EXPECT_EQ(answer[0], "2") << request[0];
    EXPECT_NE(
        answer[2].find("takes only staff add, contracts add, contracts renew and audit erase"),
        std::string::npos)
        << answer[2];
  }
  // A usage error that got past a client is still one, answered by serve.
  auto bad = Exchange(socket_, {"contracts renew", "--number", "K1"});
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(bad[0], "2");
  EXPECT_NE(bad[2].find("usage: ledgerdesk contracts renew"), std::string::npos) << bad[2];
  // And serve is still there for real commands.
  auto added = Ledgerdesk(ContractAdd("K100027"));
  EXPECT_EQ(added.exit_code, 0) << added.err;
}

// The projections are serve's while it runs: a rebuild would swap a new store in under it (and
// serve go on writing the old one's files), a digest would write beside it. Both are refused, in
// one sentence naming serve, and serve's store stays whole.
TEST_F(OperatorTest, ARebuildOrADigestBesideServeIsRefusedAndServesStoreStaysWhole) {
  StartServe();
  ASSERT_EQ(Ledgerdesk(ContractAdd("K100031")).exit_code, 0);
  const std::string in_use = "the projection store in " + data_ +
                             "/projections is in use by another ledgerdesk process (pid " +
                             std::to_string(serve_->pid()) + "); stop it first";
  for (std::vector<std::string> command : {std::vector<std::string>{"projections", "rebuild"},
                                           {"projections", "rebuild", "--only", "tickets"},
                                           {"projections", "digest"}}) {
    command.insert(command.end(), {"--data-dir", data_});
    auto refused = Ledgerdesk(command);
    EXPECT_EQ(refused.exit_code, 1) << command[1] << ": " << refused.out;
    EXPECT_NE(refused.err.find(in_use), std::string::npos) << refused.err;
  }
  ASSERT_EQ(Ledgerdesk(ContractAdd("K100032")).exit_code, 0);
  EXPECT_NE(Health().find("ok"), std::string::npos);
  StopServe();
  auto digest = Ledgerdesk({"projections", "digest", "--data-dir", data_});
  EXPECT_EQ(digest.exit_code, 0) << digest.err;
  auto rebuilt = Ledgerdesk({"projections", "rebuild", "--data-dir", data_});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  auto again = Ledgerdesk({"projections", "digest", "--data-dir", data_});
  EXPECT_EQ(again.out, digest.out);
  StartServe();
  EXPECT_NE(Health().find("ok"), std::string::npos);
}

TEST_F(OperatorTest, ASocketGoneWhileServeHoldsTheDirIsOneClearSentence) {
  StartServe();
  ASSERT_TRUE(std::filesystem::remove(socket_));
  auto refused = Ledgerdesk(ContractAdd("K100024"));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err.rfind("ledgerdesk contracts add: the data dir ", 0), 0u) << refused.err;
  EXPECT_NE(refused.err.find("in use by another ledgerdesk process (pid " +
                             std::to_string(serve_->pid()) + ")"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("nothing answers on " + socket_.string()), std::string::npos)
      << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
}

TEST_F(OperatorTest, ASocketLeftByADeadProcessIsNoObstacle) {
  // A socket file nobody listens on, as a serve killed with SIGKILL leaves behind.
  std::filesystem::create_directories(data_);
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(fd);
  }
  ASSERT_TRUE(std::filesystem::exists(socket_));
  auto direct = Ledgerdesk(ContractAdd("K100025"));
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  StartServe();  // replaces it
  auto forwarded = Ledgerdesk(ContractAdd("K100026"));
  ASSERT_EQ(forwarded.exit_code, 0) << forwarded.err;
  EXPECT_NE(Health().find("\"log_position\":" + std::to_string(PrintedPosition(forwarded.out))),
            std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk
