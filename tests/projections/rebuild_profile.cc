// Times the rebuild of the benchmark's generated log alone (not a test), for profilers:
//   rebuild_profile [EVENTS] [PROJECTION]
// generates EVENTS records (default 1 000 000) before timing, then rebuilds every default
// projection (or the one named) into a scratch dir and prints events/s, CPU seconds and the digest.
// `perf record` or `valgrind --tool=callgrind` of it sees the rebuild, not the benchmark's other
// runs.
//   rebuild_profile --write-log DATA_DIR [EVENTS]
// writes the same generated log as an embedded log in DATA_DIR/log instead, for
// `ledgerdesk projections rebuild --data-dir DATA_DIR` (the rebuild reading it from disk).

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/log/embedded_log.h"
#include "projections/default_projections.h"
#include "projections/rebuild_bench.h"
#include "tests/support/temp_dir.h"

namespace {

constexpr char kUsage[] =
    "usage: rebuild_profile [EVENTS (a positive number)] [PROJECTION]\n"
    "       rebuild_profile --write-log DATA_DIR [EVENTS]\n";

// EVENTS as given, or the default; 0 for a bad argument.
size_t EventsArg(const char* arg) {
  if (arg == nullptr) return 1'000'000;
  char* end = nullptr;
  const size_t events = std::strtoull(arg, &end, 10);
  return *arg == '\0' || *end != '\0' ? 0 : events;
}

// Writes `records` (envelopes as the write side appends them) to an embedded log in `dir`/log.
int WriteLog(const std::vector<ledgerdesk::log::LogRecord>& records, const std::string& dir) {
  auto log = ledgerdesk::log::EmbeddedLog::Open({.dir = dir + "/log"});
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().message().c_str());
    return 1;
  }
  // Appended to a log that has events, the generated ones would repeat their streams' versions.
  if (const uint64_t held = (*log)->recovery().records; held > 0) {
    std::fprintf(stderr, "%s/log holds %llu records already: give a new DATA_DIR\n", dir.c_str(),
                 static_cast<unsigned long long>(held));
    return 1;
  }
  std::vector<ledgerdesk::v1::Envelope> batch;
  auto append = [&]() {
    auto appended = (*log)->Append(batch);
    batch.clear();
    if (!appended.ok()) std::fprintf(stderr, "%s\n", appended.status().message().c_str());
    return appended.ok();
  };
  for (const auto& record : records) {
    if (!batch.emplace_back().ParseFromString(record.value)) {
      std::fprintf(stderr, "a generated record is not an envelope\n");
      return 1;
    }
    if (batch.size() == 5000 && !append()) return 1;
  }
  if (!batch.empty() && !append()) return 1;
  std::printf("wrote %zu events to %s/log\n", records.size(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ledgerdesk::projections;
  if (argc > 1 && std::string(argv[1]) == "--write-log") {
    const size_t events = argc > 2 ? EventsArg(argc > 3 ? argv[3] : nullptr) : 0;
    if (argc < 3 || argc > 4 || events == 0) {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
    return WriteLog(GenerateServiceDeskRecords(events), argv[2]);
  }
  const size_t events = EventsArg(argc > 1 ? argv[1] : nullptr);
  if (events == 0) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  ProjectionSet projections;
  for (const auto& projection : DefaultProjections()) {
    if (argc <= 2 || projection->name() == argv[2]) projections.push_back(projection);
  }
  if (projections.empty()) {
    std::fprintf(stderr, "no projection %s\n", argv[2]);
    return 2;
  }
  const auto records = GenerateServiceDeskRecords(events);
  ledgerdesk::testing::TempDir dir;
  auto result = RunRebuildBench(records, projections, dir.path());
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().message().c_str());
    return 1;
  }
  std::printf(
      "%zu events in %.2f s: %.0f events/s, %.2f s CPU (%.2f s system), digest %s "
      "(folding %.2f s, writing %.2f s; store %.0f MB; rows written out %zu times before the "
      "end)\n",
      result->events, result->seconds, result->events_per_second, result->cpu_seconds,
      result->system_seconds, result->digest.c_str(), result->fold_seconds, result->write_seconds,
      static_cast<double>(result->store_bytes) / 1e6, result->write_outs);
  return 0;
}
