#pragma once

// Progress of a long command on stderr: on a terminal a bar redrawn in place with the rate and the
// time left; otherwise (a pipe, a log file, CI) one plain line every few seconds.
//
//   ProgressReporter progress("tickets");
//   for (...) progress.Update(done, total);
//   progress.Finish(done, total);
//
// Not thread-safe: one thread updates it.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace ledgerdesk::tools {

class ProgressReporter {
 public:
  // `interactive`: nullopt asks isatty() of `out`. `interval`: how often a plain line is printed
  // (a bar is redrawn at most ten times a second).
  explicit ProgressReporter(std::string unit, std::FILE* out = stderr,
                            std::optional<bool> interactive = std::nullopt,
                            std::chrono::milliseconds interval = std::chrono::seconds(5));

  // `done` of `total` units (total 0: unknown), with an optional note ("contracts").
  void Update(int64_t done, int64_t total, const std::string& note = "");
  // The last state, always printed, and a newline after a bar.
  void Finish(int64_t done, int64_t total, const std::string& note = "");
  // Update as a callback, for work that reports its own progress (RebuildOptions::progress).
  std::function<void(uint64_t done, uint64_t total, const std::string& note)> Updater();

  // The text of one update, for tests: "[#####.....] 50% 1000/2000 tickets 250/s ETA 4s".
  static std::string Line(bool bar, int64_t done, int64_t total, double seconds,
                          const std::string& unit, const std::string& note);

 private:
  void Print(int64_t done, int64_t total, const std::string& note);

  std::string unit_;
  std::FILE* out_;
  bool interactive_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
};

}  // namespace ledgerdesk::tools
