#pragma once

// Running programs from tests: the real `ledgerdesk`, kcat, pdftotext, crash children.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace ledgerdesk::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not exit normally (killed, or could not start)
  std::string out;
  std::string err;
};

// Runs `argv` to completion (killed after `timeout`) and collects its output.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A program running beside the test; killed (SIGKILL) when the object goes.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Reads stdout until a line containing `needle` arrives (returned) or `timeout` passes ("").
  std::string WaitForLine(const std::string& needle, std::chrono::milliseconds timeout);
  // Everything read from stdout so far, plus whatever is there now without waiting.
  std::string Output();
  void Signal(int signal);
  // Waits for the exit; returns the exit code, or -1 when killed by a signal or on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  bool ReadSome(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string out_;
  bool reaped_ = false;
};

}  // namespace ledgerdesk::testing
