// Times the rebuild of the benchmark's generated log alone (not a test), for profilers:
//   rebuild_profile [EVENTS] [PROJECTION]
// generates EVENTS records (default 1 000 000) before timing, then rebuilds every default
// projection (or the one named) into a scratch dir and prints events/s, CPU seconds and the digest.
// `perf record` or `valgrind --tool=callgrind` of it sees the rebuild, not the benchmark's other
// runs.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "projections/default_projections.h"
#include "projections/rebuild_bench.h"
#include "tests/support/temp_dir.h"

int main(int argc, char** argv) {
  using namespace ledgerdesk::projections;
  size_t events = 1'000'000;
  if (argc > 1) {
    char* end = nullptr;
    events = std::strtoull(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || events == 0) {
      std::fprintf(stderr, "usage: rebuild_profile [EVENTS (a positive number)] [PROJECTION]\n");
      return 2;
    }
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
      "(folding %.2f s, writing %.2f s; store %.0f MB)\n",
      result->events, result->seconds, result->events_per_second, result->cpu_seconds,
      result->system_seconds, result->digest.c_str(), result->fold_seconds, result->write_seconds,
      static_cast<double>(result->store_bytes) / 1e6);
  return 0;
}
