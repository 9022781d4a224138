// The crash test's victim: runs the projection runner over the deterministic crash log into the
// store directory given as argv[1], with small batches (argv[2] records each) so that a SIGKILL
// lands between, before and during many commits. Prints "running" once the runner is open, and
// exits 0 after catching up.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "projections/event_counts_projection.h"
#include "projections/runner.h"
#include "tests/projections/crash_workload.h"

int main(int argc, char** argv) {
  using namespace ledgerdesk;
  using namespace ledgerdesk::projections;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s STORE_DIR BATCH_EVENTS\n", argv[0]);
    return 2;
  }
  testing::MemoryLog log(MakeCrashLog());
  const ProjectionSet projections = {std::make_shared<EventCountsProjection>()};
  auto store = Store::Open({.dir = argv[1], .column_families = {"event_counts"}});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const size_t batch = std::strtoul(argv[2], nullptr, 10);
  auto runner = ProjectionRunner::Create(log, **store, projections,
                                         {.max_batch_events = batch == 0 ? 1 : batch});
  if (!runner.ok()) {
    std::fprintf(stderr, "%s\n", runner.status().ToString().c_str());
    return 1;
  }
  std::printf("running\n");
  std::fflush(stdout);
  Status status = (*runner)->CatchUp();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
