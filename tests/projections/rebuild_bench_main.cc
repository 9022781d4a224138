// Runs the projection rebuild benchmark by hand until `ledgerdesk bench` calls it:
//   projections_rebuild_bench [EVENTS] [SCRATCH_DIR]

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "projections/rebuild_bench.h"

int main(int argc, char** argv) {
  const size_t events = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const std::filesystem::path scratch =
      argc > 2 ? std::filesystem::path(argv[2])
               : std::filesystem::temp_directory_path() / "ledgerdesk-rebuild-bench";
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  auto result = ledgerdesk::projections::RunRebuildBench(events, scratch);
  std::filesystem::remove_all(scratch, ignored);
  if (!result.ok()) {
    std::fprintf(stderr, "rebuild bench: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::printf("rebuild: %zu events in %.3f s = %.0f events/s (%.3f s CPU; digest %s)\n",
              result->events, result->seconds, result->events_per_second, result->cpu_seconds,
              result->digest.c_str());
  return 0;
}
