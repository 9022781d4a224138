#pragma once

// The HTTP server of `ledgerdesk serve`: Poco's HTTP request and response handling, with the
// connections kept out of the worker threads while they are idle.
//
// Poco's TCPServer hands every accepted socket to a worker thread, which then waits there for the
// request, and keeps it there between keep-alive requests; 10 000 idle connections would hold
// every worker (and fill the queue) so that a real request waits or is refused. Here one thread
// (the gate) accepts and watches every waiting connection with epoll, and a connection goes to a
// worker only once its request headers have fully arrived (or outgrow what is peeked, leaving the
// limits to Poco). A worker answers requests while they come back to back; when the client pauses
// (10 ms), the connection goes back to the gate. The gate closes a new connection whose headers
// have not arrived within `header_timeout` (Slowloris: with a 408 when part of a request came),
// a kept-alive one after `keep_alive_timeout` of silence, and the one waiting longest when more
// than `max_waiting` wait. Every read or write of a worker times out after `io_timeout`.

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::tools::http {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  int threads = 128;           // workers: each answers one connection's requests at a time
  int max_queued = 16384;      // connections with a request ready, waiting for a worker (FIFO)
  size_t max_waiting = 16384;  // connections in the gate: new, or kept alive between requests
  std::chrono::milliseconds header_timeout{10'000};      // from accept to complete headers
  std::chrono::milliseconds io_timeout{10'000};          // each read or write of a worker
  std::chrono::milliseconds keep_alive_timeout{30'000};  // silence after an answer
  // Told of each answer the server gives itself, before any handler (408 for headers that never
  // finish, 400 for what is not HTTP, 501), with its status: for the request metrics. Called from
  // the server's threads; may be empty.
  std::function<void(int status)> answered_unrouted;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Where it listens (the port chosen when options.listen asked for 0).
  virtual std::string address() const = 0;
  // Stops accepting, closes the waiting connections, lets the workers finish the requests in hand
  // (each read and write bounded by io_timeout) and waits for them. Called by the destructor too;
  // idempotent.
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
