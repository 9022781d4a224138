// `ledgerdesk bench rebuild`: projection rebuild events/s beside RocksDB's own db_bench fillseq for
// the same number of keys, in the same run (design.md: at least 300 000 events/s and at least
// db_bench's ops/s).

#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>

#include "projections/default_projections.h"
#include "projections/event_counts_projection.h"
#include "projections/rebuild_bench.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

// Runs db_bench fillseq for `keys` keys in `dir`; returns its ops/s, or an error saying why not.
Result<double> DbBenchFillseq(uint64_t keys, const std::filesystem::path& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  const std::string command = "db_bench --benchmarks=fillseq --num=" + std::to_string(keys) +
                              " --db='" + dir.string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return Unavailable("cannot run db_bench");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
  const int status = pclose(pipe.release());
  std::filesystem::remove_all(dir, ignored);
  std::smatch match;
  if (status != 0 ||
      !std::regex_search(output, match,
                         std::regex(R"(fillseq\s*:\s*[0-9.]+ micros/op (\d+) ops/sec)"))) {
    return Unavailable("db_bench did not run (Debian package rocksdb-tools installs it)");
  }
  return std::stod(match[1]);
}

}  // namespace

int BenchRebuildCommand(const Args& args) {
  CommandLine cli(
      "bench rebuild", "[--events N] [--dir DIR]",
      "Generates a service desk's log of N events (organizations, accounts, tickets of ten events "
      "interleaved), rebuilds every projection serve keeps from it, then the event_counts "
      "projection alone (the rebuild machinery: decode, validate, batch, write), and prints "
      "events/s beside RocksDB's db_bench --benchmarks=fillseq for N keys, run right after on "
      "the same disk.");
  cli.Option("events", "N", "events in the generated log (default 1000000)")
      .Option("dir", "DIR",
              "scratch directory on the disk to measure (default ./ledgerdesk-bench)");
  if (auto exit = cli.Parse(args)) return *exit;
  auto events = cli.GetUint("events", 1'000'000);
  if (!events.ok()) return cli.UsageError(events.status().message());
  if (*events < 1000) return cli.UsageError("--events takes at least 1000");
  const std::filesystem::path dir = cli.Get("dir", "ledgerdesk-bench");

  const auto records = projections::GenerateServiceDeskRecords(*events);
  struct Run {
    const char* label;
    projections::ProjectionSet projections;
  };
  const Run runs[] = {
      {"rebuild, all projections", projections::DefaultProjections()},
      {"rebuild, event_counts only", {std::make_shared<projections::EventCountsProjection>()}}};
  double all_projections = 0;
  for (const Run& run : runs) {
    auto rebuild = projections::RunRebuildBench(records, run.projections, dir / "rebuild");
    if (!rebuild.ok()) return Fail("bench rebuild", rebuild.status());
    std::printf("%-34s %9.0f events/s  (%zu events in %.2f s, %.2f s CPU)\n", run.label,
                rebuild->events_per_second, rebuild->events, rebuild->seconds,
                rebuild->cpu_seconds);
    if (all_projections == 0) all_projections = rebuild->events_per_second;
    std::error_code ignored;
    std::filesystem::remove_all(dir / "rebuild", ignored);
  }
  auto fillseq = DbBenchFillseq(*events, dir / "db_bench");
  if (!fillseq.ok()) {
    std::printf("%-34s %s\n", "db_bench fillseq", fillseq.status().message().c_str());
  } else {
    std::printf("%-34s %9.0f ops/s\n", "db_bench fillseq (same keys)", *fillseq);
    std::printf("%-34s %9.2f of fillseq; goal >= 300000 events/s and >= 1.00 of fillseq: %s\n",
                "all projections", all_projections / *fillseq,
                all_projections >= 300000 && all_projections >= *fillseq ? "met" : "NOT met");
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return kExitOk;
}

}  // namespace ledgerdesk::tools
