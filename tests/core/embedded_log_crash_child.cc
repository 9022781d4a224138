// The process the embedded log's crash test kills at random moments. It opens the log in a
// directory and appends events through the Writer from several threads; after each acknowledged
// append it prints one line per event, "position id-number", and flushes, so the parent knows
// exactly what was acknowledged when it killed the process.
//
// Usage: embedded_log_crash_child DIR ROUND THREADS
// Event ids are IdFromNumber(n) with n = ROUND * 10^9 + THREAD * 10^6 + VERSION, on stream
// "r<ROUND>-t<THREAD>" at VERSION, marked "crash-<n>": the parent can tell what every event was.

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log/embedded_log.h"
#include "core/log/writer.h"
#include "tests/support/test_events.h"

namespace {

constexpr uint64_t kRoundFactor = 1'000'000'000;
constexpr uint64_t kThreadFactor = 1'000'000;

}  // namespace

int main(int argc, char** argv) {
  using namespace ledgerdesk;
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR ROUND THREADS\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t round = std::stoull(argv[2]);
  const int threads = std::stoi(argv[3]);

  auto log = log::EmbeddedLog::Open({.dir = dir});
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.status().ToString().c_str());
    return 3;
  }
  if ((*log)->recovery().truncated_bytes > 0) {
    std::fprintf(stderr, "recovered: %s\n", (*log)->recovery().detail.c_str());
  }
  auto writer = log::Writer::Start(**log);
  if (!writer.ok()) {
    std::fprintf(stderr, "writer: %s\n", writer.status().ToString().c_str());
    return 3;
  }

  std::mutex out_mutex;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string stream = "r" + std::to_string(round) + "-t" + std::to_string(t);
      uint64_t version = 0;
      for (uint64_t command = 0; version + 3 < kThreadFactor; ++command) {
        // Commands of one to three events, so that appends of several records get killed too.
        std::vector<v1::Envelope> events;
        std::vector<uint64_t> numbers;
        for (uint64_t k = 0; k <= command % 3; ++k) {
          ++version;
          const uint64_t n = round * kRoundFactor + t * kThreadFactor + version;
          numbers.push_back(n);
          events.push_back(testing::MakeEventWithId(stream, version, testing::IdFromNumber(n),
                                                    "crash-" + std::to_string(n)));
        }
        auto positions = (*writer)->Append(std::move(events));
        if (!positions.ok()) {
          std::fprintf(stderr, "append: %s\n", positions.status().ToString().c_str());
          std::_Exit(4);
        }
        std::string lines;
        for (size_t i = 0; i < numbers.size(); ++i) {
          lines += std::to_string((*positions)[i].value) + " " + std::to_string(numbers[i]) + "\n";
        }
        std::lock_guard lock(out_mutex);
        std::fputs(lines.c_str(), stdout);
        std::fflush(stdout);
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return 0;
}
