#include "tools/http/http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tools/http/api_errors.h"

namespace ledgerdesk::tools::http {
namespace {

// The error body of an answer the server gives before any handler runs.
std::string UnroutedErrorJson(Poco::Net::HTTPResponse::HTTPStatus status) {
  switch (status) {
    case Poco::Net::HTTPResponse::HTTP_REQUEST_TIMEOUT:
      return ErrorJson({408, "request_timeout", "the request did not arrive in time"});
    case Poco::Net::HTTPResponse::HTTP_BAD_REQUEST:
      return ErrorJson(
          {400, "bad_request", "the request line or headers are not well-formed HTTP/1.1"});
    default:
      return ErrorJson(
          {static_cast<int>(status), "not_implemented", "this server cannot answer it"});
  }
}

using Clock = std::chrono::steady_clock;

// How much of a new connection's first bytes the gate looks at for the end of the headers.
constexpr size_t kPeekBytes = 16 * 1024;

// How long a worker waits for the next request on a keep-alive connection before it hands the
// connection back to the gate, when no other connection waits for a worker: back-to-back
// requests stay in the worker, pauses do not hold it.
constexpr std::chrono::milliseconds kLinger{10};

// What a connection needs of the server: the way back to the gate for a connection whose client
// paused, with part of its next request or none (closed once the server stops), whether other
// connections wait for a worker, and whether the server is stopping.
struct Gate {
  std::function<void(Poco::Net::StreamSocket, bool partial)> take_back;
  std::function<bool()> others_wait;
  std::function<bool()> stopping;
  std::function<void(int status)> answered_unrouted;  // HttpServerOptions::answered_unrouted
};

// What a connection has sent of its next request, seen without reading it.
enum class Arrival { kNothing, kPart, kHeaders, kEnd };

Arrival PeekRequest(int fd) {
  char bytes[kPeekBytes];
  const ssize_t n = ::recv(fd, bytes, sizeof bytes, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? Arrival::kNothing : Arrival::kEnd;
  if (n == 0) return Arrival::kEnd;
  const std::string_view seen(bytes, static_cast<size_t>(n));
  const bool headers = seen.find("\r\n\r\n") != std::string_view::npos ||
                       seen.find("\n\n") != std::string_view::npos || seen.size() == sizeof bytes;
  return headers ? Arrival::kHeaders : Arrival::kPart;
}

// How much of an answer a session holds before sending (larger answers go out as they come).
constexpr size_t kHeldBytes = 64 * 1024;

// HTTPServerSession that holds what an answer writes until Flush(), so that its header and body
// (which Poco writes separately) leave in one send, and with a look at its read buffer (a
// pipelined request already read from the socket must not be left behind when the connection
// goes back to the gate).
class Session : public Poco::Net::HTTPServerSession {
 public:
  using HTTPServerSession::HTTPServerSession;
  bool HasBuffered() const { return buffered() > 0; }
  // Sends what is held. Throws Poco::Exception when the client is gone.
  void Flush() {
    if (held_.empty()) return;
    std::string bytes;
    bytes.swap(held_);
    HTTPServerSession::write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

 protected:
  int write(const char* buffer, std::streamsize length) override {
    if (held_.size() + static_cast<size_t>(length) > kHeldBytes) {
      Flush();
      if (static_cast<size_t>(length) > kHeldBytes) return HTTPServerSession::write(buffer, length);
    }
    held_.append(buffer, static_cast<size_t>(length));
    return static_cast<int>(length);
  }

 private:
  std::string held_;
};

// One connection in a worker: Poco's HTTPServerConnection loop, except that the connection
// leaves the worker when its client pauses between requests.
class GatedConnection final : public Poco::Net::TCPServerConnection {
 public:
  GatedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                  Poco::Net::HTTPRequestHandlerFactory& handlers, const Gate& gate)
      : TCPServerConnection(socket), params_(std::move(params)), handlers_(handlers), gate_(gate) {}

  void run() override {
    Session session(socket(), params_);
    const int fd = socket().impl()->sockfd();
    while (!gate_.stopping() && AnswerOne(session)) {
      if (session.HasBuffered()) continue;  // pipelined
      // (::poll, not Socket::poll: Poco's makes and closes an epoll instance on every call.)
      pollfd next_request{.fd = fd, .events = POLLIN, .revents = 0};
      const int linger_ms = gate_.others_wait() ? 0 : static_cast<int>(kLinger.count());
      bool partial = false;
      if (::poll(&next_request, 1, linger_ms) > 0) {
        const Arrival next = PeekRequest(fd);
        if (next == Arrival::kHeaders || next == Arrival::kEnd) continue;  // answer, or close
        partial = next == Arrival::kPart;  // the rest is awaited in the gate, under its deadline
      }
      gate_.take_back(session.detachSocket(), partial);
      return;
    }
  }

 private:
  // Reads one request and answers it; false when the connection is to be closed.
  bool AnswerOne(Session& session) {
    const bool keep_alive = AnswerHeld(session);
    try {
      session.Flush();  // the answer's streams flushed into the session when they went
      return keep_alive;
    } catch (const Poco::Exception&) {
      return false;  // the client is gone
    }
  }

  // AnswerOne, with what it writes still held in the session.
  bool AnswerHeld(Session& session) {
    try {
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params_);
      response.setDate(Poco::Timestamp());
      response.setVersion(request.getVersion());
      response.setKeepAlive(request.getKeepAlive());
      try {
        std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
            handlers_.createRequestHandler(request));
        if (handler == nullptr) {
          SendError(session, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED);
          return false;
        }
        if (request.getExpectContinue() &&
            response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
          response.sendContinue();
          session.Flush();  // the client waits for it before it sends the body
        }
        handler->handleRequest(request, response);
        return response.sent() && response.getKeepAlive();
      } catch (const Poco::Exception&) {
        // A read or write timed out, or the client went: say so if nothing was sent yet.
        if (!response.sent()) SendError(session, Poco::Net::HTTPResponse::HTTP_REQUEST_TIMEOUT);
        return false;
      }
    } catch (const Poco::Net::NoMessageException&) {
      return false;  // the client closed the connection
    } catch (const Poco::Net::MessageException&) {
      SendError(session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);  // not HTTP
      return false;
    } catch (const Poco::Exception&) {
      return false;  // the request did not arrive in time, or the connection broke
    }
  }

  // Answers what never reached a handler, with the spec's error body, and closes.
  void SendError(Session& session, Poco::Net::HTTPResponse::HTTPStatus status) {
    if (gate_.answered_unrouted) gate_.answered_unrouted(static_cast<int>(status));
    try {
      {
        Poco::Net::HTTPServerResponseImpl response(session);
        response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        response.setStatusAndReason(status);
        response.setKeepAlive(false);
        response.setContentType("application/json");
        const std::string body = UnroutedErrorJson(status);
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;  // (sendBuffer leaves the body out without a request)
      }                           // its header stream flushes into the session here
      session.Flush();
    } catch (const Poco::Exception&) {
      // The client is gone: nothing to tell it.
    }
  }

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory& handlers_;
  const Gate& gate_;
};

class GatedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  GatedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                         Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, Gate gate)
      : params_(std::move(params)), handlers_(std::move(handlers)), gate_(std::move(gate)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new GatedConnection(socket, params_, *handlers_, gate_);  // the dispatcher owns it
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
  Gate gate_;
};

// A file descriptor closed when it goes.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class GatedServer final : public HttpServer {
 public:
  GatedServer(const HttpServerOptions& options, Poco::Net::ServerSocket listener,
              Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
      : options_(options),
        listener_(std::move(listener)),
        pool_(2, options.threads),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options.threads);
    params->setMaxQueued(options.max_queued);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(options.io_timeout.count() * 1000));
    dispatcher_ = new Poco::Net::TCPServerDispatcher(
        new GatedConnectionFactory(
            params, std::move(handlers),
            {.take_back = [this](Poco::Net::StreamSocket socket,
                                 bool partial) { TakeBack(std::move(socket), partial); },
             .others_wait = [this] { return dispatcher_->queuedConnections() > 0; },
             .stopping = [this] { return stopped_.load(); },
             .answered_unrouted = options.answered_unrouted}),
        pool_, params);
  }
  ~GatedServer() override { Stop(); }

  Status Start() {
    if (epoll_.get() < 0 || wake_.get() < 0) {
      return Unavailable(std::string("cannot set up epoll: ") + strerror(errno));
    }
    listener_.setBlocking(false);
    for (int fd : {listener_.impl()->sockfd(), wake_.get()}) {
      epoll_event event{.events = EPOLLIN, .data = {.fd = fd}};
      if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        return Unavailable(std::string("cannot watch the listening socket: ") + strerror(errno));
      }
    }
    gate_ = std::thread([this] { Run(); });
    return OkStatus();
  }

  std::string address() const override { return listener_.address().toString(); }

  void Stop() override {
    {
      std::lock_guard lock(taken_back_mutex_);
      if (stopped_) return;
      stopped_ = true;
      taken_back_.clear();
    }
    Wake();
    if (gate_.joinable()) gate_.join();
    listener_.close();
    dispatcher_->stop();
    // Connections in workers finish the request in hand (each read and write bounded by
    // io_timeout); when their client pauses they come back to the stopped gate, which closes them.
    pool_.joinAll();
    dispatcher_->release();
  }

 private:
  struct Waiting {
    Poco::Net::StreamSocket socket;
    uint64_t serial = 0;      // which deadline is its own
    bool kept_alive = false;  // under the keep-alive deadline, not the header deadline
  };
  struct Deadline {
    Clock::time_point at;
    int fd;
    uint64_t serial;
  };

  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(wake_.get(), &one, sizeof one);
  }

  // From a worker: a keep-alive connection whose client paused; the gate waits for its next
  // request, at most keep_alive_timeout (header_timeout when part of it came). Thread-safe.
  void TakeBack(Poco::Net::StreamSocket socket, bool partial) {
    {
      std::lock_guard lock(taken_back_mutex_);
      if (stopped_) return;  // the socket closes
      taken_back_.emplace_back(std::move(socket), partial);
    }
    Wake();
  }

  void Run() {
    std::vector<epoll_event> events(1024);
    while (!stopped_) {
      int timeout_ms = 1000;
      for (const auto* deadlines : {&deadlines_, &keep_alive_deadlines_}) {
        if (deadlines->empty()) continue;
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                               deadlines->front().at - Clock::now())
                               .count();
        timeout_ms =
            std::min(timeout_ms, static_cast<int>(std::clamp<int64_t>(until + 1, 0, 1000)));
      }
      const int ready =
          ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
      for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_.get()) {
          WelcomeBack();
        } else if (fd == listener_.impl()->sockfd()) {
          AcceptAll();
        } else {
          Look(fd, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
        }
      }
      const auto now = Clock::now();
      for (auto* deadlines : {&deadlines_, &keep_alive_deadlines_}) {
        while (!deadlines->empty() && deadlines->front().at <= now) {
          const Deadline due = deadlines->front();
          deadlines->pop_front();
          auto it = waiting_.find(due.fd);
          if (it != waiting_.end() && it->second.serial == due.serial) Close(it, true);
        }
      }
    }
    for (auto it = waiting_.begin(); it != waiting_.end();) it = Close(it, false);
  }

  void AcceptAll() {
    while (true) {
      const int fd = ::accept4(listener_.impl()->sockfd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: make room by closing the connection that waited longest.
          if (!CloseOldest()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return;
          }
          continue;
        }
        return;  // EAGAIN: all taken; anything else: the client went away meanwhile
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Watch(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)), deadlines_,
            options_.header_timeout);
    }
  }

  // Takes in the connections that workers handed back.
  void WelcomeBack() {
    uint64_t count;
    [[maybe_unused]] ssize_t read = ::read(wake_.get(), &count, sizeof count);
    std::vector<std::pair<Poco::Net::StreamSocket, bool>> sockets;
    {
      std::lock_guard lock(taken_back_mutex_);
      sockets.swap(taken_back_);
    }
    for (auto& [socket, partial] : sockets) {
      if (partial) {
        Watch(std::move(socket), deadlines_, options_.header_timeout);
      } else {
        Watch(std::move(socket), keep_alive_deadlines_, options_.keep_alive_timeout);
      }
    }
  }

  // Waits for the connection's (next) request until `timeout` from now.
  void Watch(Poco::Net::StreamSocket socket, std::deque<Deadline>& deadlines,
             std::chrono::milliseconds timeout) {
    while (waiting_.size() >= options_.max_waiting && CloseOldest()) {
    }
    const int fd = socket.impl()->sockfd();
    const uint64_t serial = ++serial_;
    waiting_.insert_or_assign(fd, Waiting{std::move(socket), serial, &deadlines != &deadlines_});
    deadlines.push_back({Clock::now() + timeout, fd, serial});
    epoll_event event{.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data = {.fd = fd}};
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
    Look(fd, false);  // the request often arrived with the connection, or meanwhile
  }

  // Peeks at what a waiting connection sent: hands it to a worker once the headers are complete,
  // closes it when the client has gone.
  void Look(int fd, bool hung_up) {
    auto it = waiting_.find(fd);
    if (it == waiting_.end()) return;
    const Arrival arrival = PeekRequest(fd);
    if (arrival == Arrival::kHeaders) {
      Dispatch(it);
    } else if (arrival == Arrival::kEnd || hung_up) {
      Close(it, false);  // gone, with half a request or none
    } else if (arrival == Arrival::kPart && it->second.kept_alive) {
      // A kept-alive connection began a request: the rest must come within the header deadline.
      it->second.kept_alive = false;
      it->second.serial = ++serial_;
      deadlines_.push_back({Clock::now() + options_.header_timeout, fd, it->second.serial});
    }
  }

  void Dispatch(std::unordered_map<int, Waiting>::iterator it) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->first, nullptr);
    Poco::Net::StreamSocket socket = std::move(it->second.socket);
    waiting_.erase(it);
    const Poco::Timespan io_timeout(options_.io_timeout.count() * 1000);
    socket.setReceiveTimeout(io_timeout);
    socket.setSendTimeout(io_timeout);
    dispatcher_->enqueue(socket);  // refused (closed) when the queue is full
  }

  std::unordered_map<int, Waiting>::iterator Close(std::unordered_map<int, Waiting>::iterator it,
                                                   bool timed_out) {
    const int fd = it->first;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    char byte;
    if (timed_out && ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
      // A partial request: say why it ends.
      static const std::string kTimeout = [] {
        const std::string body = UnroutedErrorJson(Poco::Net::HTTPResponse::HTTP_REQUEST_TIMEOUT);
        return "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: "
               "application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
      }();
      [[maybe_unused]] ssize_t sent =
          ::send(fd, kTimeout.data(), kTimeout.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (options_.answered_unrouted) options_.answered_unrouted(408);
    }
    return waiting_.erase(it);  // the StreamSocket closes the descriptor
  }

  // Closes the idle keep-alive connection, else the new connection, that has waited longest;
  // false when none waits.
  bool CloseOldest() {
    for (auto* deadlines : {&keep_alive_deadlines_, &deadlines_}) {
      while (!deadlines->empty()) {
        const Deadline oldest = deadlines->front();
        deadlines->pop_front();
        auto it = waiting_.find(oldest.fd);
        if (it != waiting_.end() && it->second.serial == oldest.serial) {
          Close(it, true);
          return true;
        }
      }
    }
    return false;
  }

  const HttpServerOptions options_;
  Poco::Net::ServerSocket listener_;
  Poco::ThreadPool pool_;
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;  // reference-counted; released in Stop
  Fd epoll_;
  Fd wake_;
  // The gate thread's own.
  std::unordered_map<int, Waiting> waiting_;
  std::deque<Deadline> deadlines_;             // new connections, in deadline order
  std::deque<Deadline> keep_alive_deadlines_;  // connections back from workers, the same
  uint64_t serial_ = 0;
  // Shared with the workers.
  std::mutex taken_back_mutex_;
  std::vector<std::pair<Poco::Net::StreamSocket, bool>> taken_back_;  // with `partial`
  std::atomic<bool> stopped_{false};
  std::thread gate_;  // last: starts after everything it uses
};

}  // namespace

Result<std::unique_ptr<HttpServer>> StartHttpServer(
    const HttpServerOptions& options, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers) {
  if (options.threads < 1 || options.max_queued < 1 || options.max_waiting < 1) {
    return InvalidArgument("the server needs at least one thread, queue place and waiting place");
  }
  Poco::Net::ServerSocket listener;
  try {
    // SO_REUSEADDR for a quick restart, but not SO_REUSEPORT (Poco's constructor sets both): with
    // it, a second server on the same port would share its connections instead of failing.
    listener.bind(Poco::Net::SocketAddress(options.listen), /*reuseAddress=*/true,
                  /*reusePort=*/false);
    listener.listen(4096);
  } catch (const Poco::Exception& e) {
    // The reason alone ("Address already in use"), not Poco's exception name.
    return Unavailable("cannot listen on " + options.listen + ": " +
                       (e.message().empty() ? e.displayText() : e.message()));
  }
  auto server = std::make_unique<GatedServer>(options, std::move(listener), std::move(handlers));
  LD_RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<HttpServer>(std::move(server));
}

uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

}  // namespace ledgerdesk::tools::http
