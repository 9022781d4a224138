// End to end: the real `ledgerdesk serve` under idle, slow and abandoned connections
// (tools/http/http_server.h): they neither starve real requests nor hold workers for long.

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A socket descriptor closed when it goes.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
  bool Send(const std::string& bytes) const {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Waits up to `timeout` for something to read; returns what came ("" on EOF or reset), or
  // std::nullopt when nothing came.
  std::optional<std::string> Receive(milliseconds timeout) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char bytes[4096];
    const ssize_t n = ::recv(fd_, bytes, sizeof bytes, 0);
    return n <= 0 ? std::string() : std::string(bytes, static_cast<size_t>(n));
  }

 private:
  int fd_;
};

Socket Connect(int port) {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (socket.fd() < 0 ||
      ::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return Socket();
  }
  return socket;
}

class ServeHardeningTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& options) {
    std::vector<std::string> argv = {LD_PROGRAM,   "serve",
                                     "--data-dir", (dir_.path() / "data").string(),
                                     "--listen",   "127.0.0.1:0"};
    argv.insert(argv.end(), options.begin(), options.end());
    serve_ = std::make_unique<testing::ChildProcess>(argv);
    const std::string line = serve_->WaitForLine("listening on", std::chrono::seconds(20));
    std::smatch match;
    ASSERT_TRUE(std::regex_search(line, match, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
    port_ = std::stoi(match[1]);
  }
  void TearDown() override {
    if (serve_ == nullptr) return;
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Wait(std::chrono::seconds(20)), 0) << "serve did not stop cleanly";
  }

  // GET `path` on a new connection; the status (0 when no answer came within 5 s) and the time.
  std::pair<int, milliseconds> Get(const std::string& path) {
    const auto start = Clock::now();
    int status = 0;
    try {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
      session.setTimeout(Poco::Timespan(5, 0));
      Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(request);
      Poco::Net::HTTPResponse response;
      std::stringstream body;
      body << session.receiveResponse(response).rdbuf();
      status = static_cast<int>(response.getStatus());
    } catch (const Poco::Exception&) {
      status = 0;
    }
    return {status, std::chrono::duration_cast<milliseconds>(Clock::now() - start)};
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ChildProcess> serve_;
  int port_ = 0;
};

// The bound a real request must answer within while the idle connections are open.
constexpr milliseconds kAnswerBound{1000};

TEST_F(ServeHardeningTest, TenThousandIdleConnectionsDoNotStarveRealRequests) {
  constexpr size_t kIdle = 10'000;
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_cur, kIdle + 200)
      << "this test needs " << kIdle + 200 << " open files (ulimit -Hn); serve raises its own";
  // Idle connections are closed after --request-timeout: long enough to outlast the test.
  ASSERT_NO_FATAL_FAILURE(Start({"--request-timeout", "120"}));

  std::vector<Socket> idle;
  idle.reserve(kIdle);
  for (size_t i = 0; i < kIdle; ++i) {
    idle.push_back(Connect(port_));
    ASSERT_GE(idle.back().fd(), 0) << "connection " << i << " was refused";
  }
  // A real request, while every one of them is open and silent, answers within the bound.
  milliseconds slowest{0};
  for (int i = 0; i < 20; ++i) {
    const auto [status, took] = Get(i % 2 == 0 ? "/healthz" : "/api/v1/account");
    EXPECT_EQ(status, i % 2 == 0 ? 200 : 401);
    slowest = std::max(slowest, took);
  }
  EXPECT_LT(slowest, kAnswerBound) << "the slowest of 20 requests among " << kIdle << " idle";

  // The server still holds every idle connection (it did not make room by dropping them)...
  std::vector<pollfd> polls;
  for (const Socket& socket : idle) polls.push_back({socket.fd(), POLLIN | POLLRDHUP, 0});
  EXPECT_EQ(::poll(polls.data(), polls.size(), 0), 0) << "some idle connections were closed";
  // ...and answers those that finally speak.
  for (size_t i = 0; i < kIdle; i += 50) {
    ASSERT_TRUE(idle[i].Send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  }
  for (size_t i = 0; i < kIdle; i += 50) {
    const auto answer = idle[i].Receive(std::chrono::seconds(5));
    ASSERT_TRUE(answer.has_value()) << "idle connection " << i << " got no answer";
    EXPECT_EQ(answer->rfind("HTTP/1.1 200", 0), 0u) << *answer;
  }

  idle.clear();  // all go away at once
  std::this_thread::sleep_for(milliseconds(200));
  const auto [status, took] = Get("/healthz");
  EXPECT_EQ(status, 200);
  EXPECT_LT(took, kAnswerBound);
}

// Whether `received` holds a whole answer (headers and Content-Length bytes of body).
bool WholeAnswer(const std::string& received) {
  const auto end = received.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  std::smatch length;
  const std::string headers = received.substr(0, end);
  if (!std::regex_search(headers, length,
                         std::regex(R"(Content-Length: (\d+))", std::regex::icase))) {
    return true;
  }
  return received.size() >= end + 4 + std::stoul(length[1]);
}

// Waits until every socket of `sockets` has received a whole answer (or `timeout` passes);
// returns how many answers began with `status_line`.
size_t CountAnswers(const std::vector<Socket>& sockets, const std::string& status_line,
                    milliseconds timeout) {
  std::vector<std::string> received(sockets.size());
  std::vector<bool> done(sockets.size(), false);
  size_t remaining = sockets.size();
  const auto deadline = Clock::now() + timeout;
  while (remaining > 0 && Clock::now() < deadline) {
    std::vector<pollfd> polls;
    std::vector<size_t> which;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (done[i]) continue;
      polls.push_back({sockets[i].fd(), POLLIN, 0});
      which.push_back(i);
    }
    if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
    for (size_t k = 0; k < polls.size(); ++k) {
      if ((polls[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const size_t i = which[k];
      char bytes[4096];
      const ssize_t n = ::recv(sockets[i].fd(), bytes, sizeof bytes, MSG_DONTWAIT);
      if (n > 0) received[i].append(bytes, static_cast<size_t>(n));
      if (n == 0 || WholeAnswer(received[i])) {
        done[i] = true;
        --remaining;
      }
    }
  }
  size_t matching = 0;
  for (const std::string& answer : received) matching += answer.rfind(status_line, 0) == 0;
  return matching;
}

TEST_F(ServeHardeningTest, TenThousandKeptAliveConnectionsDoNotHoldTheWorkers) {
  constexpr size_t kClients = 10'000;
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_cur, kClients + 200) << "this test needs " << kClients + 200 << " files";
  // Far fewer workers than clients: a kept-alive connection must not keep its worker.
  ASSERT_NO_FATAL_FAILURE(Start({"--threads", "16"}));

  // Every client asks once (HTTP/1.1: the connection stays open), then falls silent.
  std::vector<Socket> clients;
  clients.reserve(kClients);
  for (size_t i = 0; i < kClients; ++i) {
    clients.push_back(Connect(port_));
    ASSERT_GE(clients.back().fd(), 0) << "connection " << i << " was refused";
    ASSERT_TRUE(clients.back().Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  EXPECT_EQ(CountAnswers(clients, "HTTP/1.1 200", std::chrono::seconds(60)), kClients);
  std::this_thread::sleep_for(milliseconds(100));

  // New clients are answered within the bound while the 10 000 stay connected.
  milliseconds slowest{0};
  for (int i = 0; i < 20; ++i) {
    const auto [status, took] = Get("/healthz");
    EXPECT_EQ(status, 200);
    slowest = std::max(slowest, took);
  }
  EXPECT_LT(slowest, kAnswerBound) << "the slowest of 20 requests among " << kClients << " kept";
  // The kept ones are still open and are answered when they ask again.
  std::vector<Socket> again;
  for (size_t i = 0; i < kClients; i += 50) {
    ASSERT_TRUE(clients[i].Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    again.push_back(std::move(clients[i]));
  }
  EXPECT_EQ(CountAnswers(again, "HTTP/1.1 200", std::chrono::seconds(10)), again.size());
}

TEST_F(ServeHardeningTest, SlowClientsAreCutOffAndDoNotHoldTheWorkers) {
  // Fewer workers than slow clients: if they held workers, nothing else would be answered.
  ASSERT_NO_FATAL_FAILURE(Start({"--request-timeout", "2", "--threads", "4"}));
  constexpr int kSlow = 40;
  // Slowloris: headers a byte at a time, never finished; a quarter of them do it on a kept-alive
  // connection after a first request was answered.
  std::vector<Socket> slow;
  for (int i = 0; i < kSlow; ++i) slow.push_back(Connect(port_));
  std::vector<Socket> kept;
  for (int i = 0; i < kSlow / 4; ++i) {
    ASSERT_TRUE(slow[i].Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    kept.push_back(std::move(slow[i]));
  }
  ASSERT_EQ(CountAnswers(kept, "HTTP/1.1 200", std::chrono::seconds(5)), kept.size());
  for (size_t i = 0; i < kept.size(); ++i) slow[i] = std::move(kept[i]);
  for (const Socket& socket : slow)
    ASSERT_TRUE(socket.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  // Whole headers, then part of the promised body, then nothing: a worker reads the body, so
  // these hold one each, for at most twice --request-timeout (the read, then the drain).
  std::vector<Socket> stalled;
  for (int i = 0; i < 2; ++i) {
    stalled.push_back(Connect(port_));
    ASSERT_TRUE(stalled.back().Send(
        "POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"email\":"));
  }
  const auto start = Clock::now();
  std::vector<std::optional<milliseconds>> cut(kSlow);
  std::vector<std::string> last_words(kSlow);
  int answered_meanwhile = 0;
  while (Clock::now() - start < std::chrono::seconds(6)) {
    for (int i = 0; i < kSlow; ++i) {
      if (cut[i]) continue;
      slow[i].Send("X");  // one more byte of a header that never ends
      if (auto got = slow[i].Receive(milliseconds(0))) {
        cut[i] = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        last_words[i] = *got;
      }
    }
    const auto [status, took] = Get("/healthz");
    if (status == 200 && took < kAnswerBound) ++answered_meanwhile;
    std::this_thread::sleep_for(milliseconds(200));
  }
  for (int i = 0; i < kSlow; ++i) {
    ASSERT_TRUE(cut[i].has_value()) << "slow connection " << i << " is still open after 6 s";
    EXPECT_LT(*cut[i], milliseconds(3500)) << "connection " << i;  // --request-timeout 2
    EXPECT_TRUE(last_words[i].empty() ||
                (last_words[i].rfind("HTTP/1.1 408", 0) == 0 &&
                 last_words[i].find(R"("code":"request_timeout")") != std::string::npos))
        << last_words[i];
  }
  EXPECT_GE(answered_meanwhile, 10) << "real requests were not answered beside the slow ones";
  for (const Socket& socket : stalled) {
    // The worker gave up reading the body: an answer or the end of the connection is there.
    EXPECT_TRUE(socket.Receive(std::chrono::seconds(1)).has_value());
  }
  EXPECT_EQ(Get("/healthz").first, 200);
}

// What `socket` receives until it closes or `quiet` passes with nothing new; `closed` says which.
std::string ReceiveUntilQuiet(const Socket& socket, milliseconds quiet, bool* closed) {
  std::string seen;
  *closed = false;
  while (auto got = socket.Receive(quiet)) {
    if (got->empty()) {
      *closed = true;
      break;
    }
    seen += *got;
  }
  return seen;
}

// Where a body ends (RFC 9112 §6.3): a request with neither Content-Length nor chunked has none,
// so it is answered at once and the next request on the connection is read as one; a
// Content-Length that is not one number, or that is past the limit, is refused at once and the
// connection closed; a body that stops arriving is a 408 and the connection closes, its rest never
// read as a request.
TEST_F(ServeHardeningTest, BodiesEndWhereTheirFramingSaysAndNowhereElse) {
  ASSERT_NO_FATAL_FAILURE(Start({"--request-timeout", "2"}));
  bool closed = false;
  {
    Socket socket = Connect(port_);
    const auto start = Clock::now();
    ASSERT_TRUE(
        socket.Send("POST /api/v1/password-resets HTTP/1.1\r\nHost: x\r\n\r\n"
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string seen;
    while (seen.find("HTTP/1.1 200") == std::string::npos && Clock::now() - start < kAnswerBound) {
      auto got = socket.Receive(kAnswerBound);
      if (!got || got->empty()) break;
      seen += *got;
    }
    EXPECT_EQ(seen.rfind("HTTP/1.1 400", 0), 0u) << seen;  // no body: no e-mail address
    EXPECT_NE(seen.find("needs a JSON object body"), std::string::npos) << seen;
    EXPECT_NE(seen.find("HTTP/1.1 200"), std::string::npos) << seen;
    EXPECT_LT(Clock::now() - start, kAnswerBound);
  }
  for (const std::string& framing : {std::string("Content-Length: 1073741824\r\n"),
                                     std::string("Content-Length: 2\r\nContent-Length: 40\r\n"),
                                     std::string("Content-Length: -5\r\n")}) {
    Socket socket = Connect(port_);
    const auto start = Clock::now();
    ASSERT_TRUE(socket.Send("POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\n" + framing +
                            "\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string seen = ReceiveUntilQuiet(socket, kAnswerBound, &closed);
    EXPECT_EQ(seen.rfind(framing[16] == '1' ? "HTTP/1.1 413" : "HTTP/1.1 400", 0), 0u)
        << framing << seen;
    EXPECT_EQ(seen.find("HTTP/1.1 200"), std::string::npos) << framing << seen;
    EXPECT_TRUE(closed) << framing;
    EXPECT_LT(Clock::now() - start, kAnswerBound) << framing;
  }
  {
    Socket socket = Connect(port_);
    const std::string rest = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE(socket.Send("POST /api/v1/registrations HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(2 + rest.size()) + "\r\n\r\n{}"));
    const std::string seen = ReceiveUntilQuiet(socket, std::chrono::seconds(4), &closed);
    EXPECT_EQ(seen.rfind("HTTP/1.1 408", 0), 0u) << seen;
    EXPECT_NE(seen.find("request_timeout"), std::string::npos) << seen;
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(Get("/healthz").first, 200);
}

// HEAD is GET without the body: the same status and headers, and the connection goes on; a
// version other than HTTP/1.x is a 505.
TEST_F(ServeHardeningTest, HeadIsGetWithoutTheBodyAndOnlyHttp1IsSpoken) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  Socket socket = Connect(port_);
  ASSERT_TRUE(
      socket.Send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  const std::string seen = ReceiveUntilQuiet(socket, kAnswerBound, &closed);
  const size_t second = seen.find("HTTP/1.1 200", 1);
  ASSERT_EQ(seen.rfind("HTTP/1.1 200", 0), 0u) << seen;
  ASSERT_NE(second, std::string::npos) << seen;
  const std::string head = seen.substr(0, second);
  EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
  EXPECT_EQ(head.find("\"status\""), std::string::npos) << head;  // no body
  EXPECT_NE(seen.find("\"status\":\"ok\"", second), std::string::npos) << seen;

  Socket garbage = Connect(port_);  // not HTTP at all: the spec's error body all the same
  ASSERT_TRUE(garbage.Send("HELLO THERE\r\n\r\n"));
  const std::string not_http = ReceiveUntilQuiet(garbage, kAnswerBound, &closed);
  EXPECT_EQ(not_http.rfind("HTTP/1.1 400", 0), 0u) << not_http;
  EXPECT_NE(not_http.find(R"({"error":{"code":"bad_request")"), std::string::npos) << not_http;
  EXPECT_TRUE(closed);

  Socket future = Connect(port_);  // a version this server does not speak
  ASSERT_TRUE(future.Send("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"));
  const std::string refused = ReceiveUntilQuiet(future, kAnswerBound, &closed);
  EXPECT_EQ(refused.rfind("HTTP/1.1 505", 0), 0u) << refused;
  EXPECT_NE(refused.find("http_version_not_supported"), std::string::npos) << refused;
  EXPECT_TRUE(closed);

  // All of them are counted, the one no route saw too.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
  Poco::Net::HTTPRequest request("GET", "/metrics", Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::stringstream metrics;
  metrics << session.receiveResponse(response).rdbuf();
  for (const char* line :
       {R"(ledgerdesk_http_requests_total{route="unmatched",status="400"} 1)",
        R"(ledgerdesk_http_requests_total{route="GET /healthz",status="505"} 1)",
        R"(ledgerdesk_http_requests_total{route="GET /healthz",status="200"} 2)"}) {
    EXPECT_NE(metrics.str().find(line), std::string::npos) << line;
  }
}

// Answers are held until complete and sent in one write (http_server.cc): a client that asks for
// "100 Continue" still gets it before it sends its body, and pipelined requests all get answers.
TEST_F(ServeHardeningTest, ContinueComesBeforeTheBodyAndPipelinedRequestsAreAllAnswered) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  const std::string body = R"({"email":"a@example.pl"})";
  Socket expecting = Connect(port_);
  ASSERT_TRUE(
      expecting.Send("POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  const auto go_on = expecting.Receive(kAnswerBound);
  ASSERT_TRUE(go_on.has_value()) << "no 100 Continue";
  EXPECT_EQ(go_on->rfind("HTTP/1.1 100", 0), 0u) << *go_on;
  ASSERT_TRUE(expecting.Send(body));
  const auto answer = expecting.Receive(kAnswerBound);
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->find("HTTP/1.1 400"), std::string::npos) << *answer;  // no password
  EXPECT_NE(answer->find("password is required"), std::string::npos) << *answer;

  std::vector<Socket> pipelining;
  pipelining.push_back(Connect(port_));
  std::string three;
  for (int i = 0; i < 3; ++i) three += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(pipelining[0].Send(three));
  std::string seen;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  size_t answers = 0;
  while (answers < 3 && Clock::now() < deadline) {
    auto got = pipelining[0].Receive(milliseconds(500));
    if (!got || got->empty()) break;
    seen += *got;
    answers = 0;
    for (auto at = seen.find("HTTP/1.1 200"); at != std::string::npos;
         at = seen.find("HTTP/1.1 200", at + 1)) {
      ++answers;
    }
  }
  EXPECT_EQ(answers, 3u) << seen;
}

// A 405 names the methods the path takes, a 401 the scheme it wants (RFC 9110 §15.5.6, §11.6.1).
TEST_F(ServeHardeningTest, RefusalsSayWhatWouldBeAccepted) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  auto exchange = [&](const std::string& request) {
    Socket socket = Connect(port_);
    EXPECT_TRUE(socket.Send(request));
    bool closed = false;
    return ReceiveUntilQuiet(socket, kAnswerBound, &closed);
  };
  const std::string patch =
      exchange("PATCH /api/v1/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(patch.rfind("HTTP/1.1 405", 0), 0u) << patch;
  EXPECT_NE(patch.find("Allow: POST, GET, HEAD\r\n"), std::string::npos) << patch;
  const std::string anonymous =
      exchange("GET /api/v1/account HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
  EXPECT_NE(anonymous.find("WWW-Authenticate: Bearer\r\n"), std::string::npos) << anonymous;
}

}  // namespace
}  // namespace ledgerdesk
