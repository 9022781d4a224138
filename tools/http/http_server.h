#pragma once

// The HTTP server of `ledgerdesk serve`: Poco's HTTP connection handling behind a readiness gate.
//
// Poco's TCPServer hands every accepted socket to a worker thread, which then waits there for the
// request; 10 000 idle connections would hold every worker (and fill the queue) so that a real
// request waits or is refused. Here one thread accepts and watches every new connection with
// epoll, and a connection goes to a worker only once its request headers have fully arrived
// (or the headers outgrow what is peeked, leaving the limits to Poco). A connection whose headers
// have not arrived within `header_timeout` is closed (Slowloris), and the oldest waiting ones are
// closed when more than `max_waiting` wait. Workers keep a connection for keep-alive only
// `keep_alive_timeout`, and every read or write of theirs times out after `io_timeout`.

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::tools::http {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  int threads = 128;      // workers: each serves one connection at a time (keep-alive included)
  int max_queued = 1024;  // connections with a request ready, waiting for a worker
  size_t max_waiting = 16384;  // connections still sending their request headers
  std::chrono::milliseconds header_timeout{10'000};     // from accept to complete headers
  std::chrono::milliseconds io_timeout{10'000};         // each read or write of a worker
  std::chrono::milliseconds keep_alive_timeout{5'000};  // idle time between requests
};

struct HttpServerStats {
  size_t waiting = 0;       // connections the gate watches now
  size_t closed_idle = 0;   // closed by the gate: headers too late, or too many waiting
  int refused = 0;          // ready but refused: the worker queue was full
  int current_threads = 0;  // workers running
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Where it listens (the port chosen when options.listen asked for 0).
  virtual std::string address() const = 0;
  virtual HttpServerStats stats() const = 0;
  // Stops accepting, closes waiting connections, aborts the ones in workers and waits for the
  // workers. Called by the destructor too; idempotent.
  virtual void Stop() = 0;
};

// Listens and starts serving with `handlers` (which must outlive the server: Stop() waits for
// every handler to finish). Thread-safe to query; unavailable when it cannot listen.
Result<std::unique_ptr<HttpServer>> StartHttpServer(
    const HttpServerOptions& options, Poco::Net::HTTPRequestHandlerFactory::Ptr handlers);

// Raises this process's soft limit of open files to its hard limit (a server with 10 000
// connections needs more than the usual 1024); returns the limit now in force.
uint64_t RaiseOpenFileLimit();

}  // namespace ledgerdesk::tools::http
