#pragma once

// The operator socket: a Unix domain socket in the data dir (DATA_DIR/operator.sock) on which the
// running `serve` takes the operator's commands (staff add, contracts add|renew) while it holds the
// data dir, so that they need not stop it (spec/cli.md). Only the user who runs serve can connect
// (mode 0600, and the peer's uid is checked).
//
// The wire format, both ways: a 32-bit big-endian count of strings, then each string as a 32-bit
// big-endian length and its bytes. A request is the command's name and its arguments; an answer is
// three strings: the exit code in decimal, what the command printed on stdout and on stderr.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/common/status.h"

namespace ledgerdesk::tools {

// DATA_DIR/operator.sock.
std::filesystem::path OperatorSocketPath(const std::filesystem::path& data_dir);

struct OperatorAnswer {
  int exit_code = 1;
  std::string out;
  std::string err;
};

using OperatorHandler = std::function<OperatorAnswer(const std::vector<std::string>& request)>;

class OperatorSocketServer {
 public:
  // Listens on `path` (created with mode 0600; a socket file left there by a process that died is
  // replaced: the caller holds the data dir) and answers each request with `handle`, one at a
  // time, in a thread of its own. `handle` must be thread-safe towards the caller's other threads.
  // Errors: kUnavailable when the socket cannot be made.
  static Result<std::unique_ptr<OperatorSocketServer>> Start(const std::filesystem::path& path,
                                                             OperatorHandler handle);
  // Stops listening (a request under way is finished first) and removes the socket file.
  ~OperatorSocketServer();
  OperatorSocketServer(const OperatorSocketServer&) = delete;
  OperatorSocketServer& operator=(const OperatorSocketServer&) = delete;

 private:
  OperatorSocketServer(std::filesystem::path path, int listen_fd, int wake_fd,
                       OperatorHandler handle);
  void Run();
  void Serve(int fd);

  const std::filesystem::path path_;
  const int listen_fd_;
  const int wake_fd_;  // an eventfd that ends Run
  const OperatorHandler handle_;
  std::thread thread_;
};

// Sends `request` to the server on `path` and returns its answer; nullopt when nothing listens
// there (no socket file, or one that a process that died left behind). Errors: kUnavailable when
// the server was reached but the exchange failed (it stopped meanwhile, or did not answer in
// `timeout`).
Result<std::optional<OperatorAnswer>> SendOperatorRequest(
    const std::filesystem::path& path, const std::vector<std::string>& request,
    std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace ledgerdesk::tools
