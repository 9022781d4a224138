#include "tools/http/http_server.h"

#include <Poco/Net/HTTPServerConnectionFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ledgerdesk::tools::http {
namespace {

using Clock = std::chrono::steady_clock;

// How much of a new connection's first bytes the gate looks at for the end of the headers.
constexpr size_t kPeekBytes = 16 * 1024;

// Passes requests to the real handlers; lets the server abort the connections in workers (Poco's
// connections listen to their factory's serverStopped event).
class AbortableHandlers : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit AbortableHandlers(Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
      : handlers_(std::move(handlers)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override {
    return handlers_->createRequestHandler(request);
  }
  void AbortConnections() {
    const bool abort_current = true;
    serverStopped(this, abort_current);
  }

 private:
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
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
    auto* abortable = new AbortableHandlers(std::move(handlers));
    handlers_ = abortable;
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options.threads);
    params->setMaxQueued(options.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_timeout.count() * 1000));
    params->setTimeout(Poco::Timespan(options.io_timeout.count() * 1000));
    params->setMaxKeepAliveRequests(0);  // unlimited; the keep-alive timeout bounds idleness
    dispatcher_ = new Poco::Net::TCPServerDispatcher(
        new Poco::Net::HTTPServerConnectionFactory(
            params, Poco::Net::HTTPRequestHandlerFactory::Ptr(abortable)),
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

  HttpServerStats stats() const override {
    return {.waiting = waiting_count_.load(),
            .closed_idle = closed_idle_.load(),
            .refused = dispatcher_->refusedConnections(),
            .current_threads = dispatcher_->currentThreads()};
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    const uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0) {
      // The gate also stops on its next timeout tick: it checks stopped_.
    }
    if (gate_.joinable()) gate_.join();
    listener_.close();
    dispatcher_->stop();
    // Connections in workers are waiting for a request or writing an answer: shut their sockets
    // so that they end now (a connection dequeued meanwhile hears it on the next round).
    const auto give_up = Clock::now() + options_.io_timeout;
    do {
      handlers_->AbortConnections();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (dispatcher_->currentConnections() > 0 && Clock::now() < give_up);
    pool_.joinAll();
    dispatcher_->release();
  }

 private:
  struct Waiting {
    Poco::Net::StreamSocket socket;
    uint64_t serial = 0;
  };
  struct Deadline {
    Clock::time_point at;
    int fd;
    uint64_t serial;
  };

  void Run() {
    std::vector<epoll_event> events(1024);
    while (!stopped_) {
      int timeout_ms = 1000;
      if (!deadlines_.empty()) {
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                               deadlines_.front().at - Clock::now())
                               .count();
        timeout_ms = static_cast<int>(std::clamp<int64_t>(until + 1, 0, 1000));
      }
      const int ready =
          ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
      for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_.get()) continue;  // stopped_ is set
        if (fd == listener_.impl()->sockfd()) {
          AcceptAll();
        } else {
          Look(fd, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
        }
      }
      const auto now = Clock::now();
      while (!deadlines_.empty() && deadlines_.front().at <= now) {
        const Deadline due = deadlines_.front();
        deadlines_.pop_front();
        auto it = waiting_.find(due.fd);
        if (it != waiting_.end() && it->second.serial == due.serial) Close(it, true);
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
      while (waiting_.size() >= options_.max_waiting && CloseOldest()) {
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const uint64_t serial = ++serial_;
      waiting_.emplace(
          fd, Waiting{Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)), serial});
      deadlines_.push_back({Clock::now() + options_.header_timeout, fd, serial});
      epoll_event event{.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data = {.fd = fd}};
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
      waiting_count_ = waiting_.size();
      Look(fd, false);  // the request often arrived with the connection
    }
  }

  // Peeks at what a waiting connection sent: hands it to a worker once the headers are complete,
  // closes it when the client has gone.
  void Look(int fd, bool hung_up) {
    auto it = waiting_.find(fd);
    if (it == waiting_.end()) return;
    char bytes[kPeekBytes];
    const ssize_t n = ::recv(fd, bytes, sizeof bytes, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !hung_up) return;
    if (n <= 0) {
      Close(it, false);
      return;
    }
    const std::string_view seen(bytes, static_cast<size_t>(n));
    if (seen.find("\r\n\r\n") != std::string_view::npos ||
        seen.find("\n\n") != std::string_view::npos || seen.size() == sizeof bytes) {
      Dispatch(it);
    } else if (hung_up) {
      Close(it, false);  // half a request and gone
    }
  }

  void Dispatch(std::unordered_map<int, Waiting>::iterator it) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->first, nullptr);
    Poco::Net::StreamSocket socket = std::move(it->second.socket);
    waiting_.erase(it);
    waiting_count_ = waiting_.size();
    const Poco::Timespan io_timeout(options_.io_timeout.count() * 1000);
    socket.setReceiveTimeout(io_timeout);
    socket.setSendTimeout(io_timeout);
    dispatcher_->enqueue(socket);  // refused (closed) when the queue is full: counted there
  }

  std::unordered_map<int, Waiting>::iterator Close(std::unordered_map<int, Waiting>::iterator it,
                                                   bool timed_out) {
    const int fd = it->first;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    if (timed_out) {
      char byte;
      if (::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {  // a partial request: say why
        static constexpr std::string_view kTimeout =
            "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        [[maybe_unused]] ssize_t sent =
            ::send(fd, kTimeout.data(), kTimeout.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      ++closed_idle_;
    }
    auto next = waiting_.erase(it);  // the StreamSocket closes the descriptor
    waiting_count_ = waiting_.size();
    return next;
  }

  // Closes the connection that has waited longest; false when none waits.
  bool CloseOldest() {
    while (!deadlines_.empty()) {
      const Deadline oldest = deadlines_.front();
      deadlines_.pop_front();
      auto it = waiting_.find(oldest.fd);
      if (it != waiting_.end() && it->second.serial == oldest.serial) {
        Close(it, true);
        return true;
      }
    }
    return false;
  }

  const HttpServerOptions options_;
  Poco::Net::ServerSocket listener_;
  Poco::ThreadPool pool_;
  AbortableHandlers* handlers_ = nullptr;  // owned by the dispatcher's connection factory
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;  // reference-counted; released in Stop
  Fd epoll_;
  Fd wake_;
  // The gate thread's own state.
  std::unordered_map<int, Waiting> waiting_;
  std::deque<Deadline> deadlines_;  // in accept order, so in deadline order
  uint64_t serial_ = 0;
  // Shared with other threads.
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> waiting_count_{0};
  std::atomic<size_t> closed_idle_{0};
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
    listener = Poco::Net::ServerSocket(Poco::Net::SocketAddress(options.listen), 4096);
  } catch (const Poco::Exception& e) {
    return Unavailable("cannot listen on " + options.listen + ": " + e.displayText());
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
