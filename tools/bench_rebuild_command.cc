// `ledgerdesk bench rebuild`: projection rebuild events/s beside RocksDB's own db_bench fillseq for
// the same number of keys, in the same run (design.md: at least 300 000 events/s and at least
// db_bench's ops/s).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

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

// The middle value (of an even count, the mean of the two middle ones); `values` is not empty.
double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int BenchRebuildCommand(const Args& args) {
  CommandLine cli(
      "bench rebuild", "[--events N] [--rounds R] [--dir DIR]",
      "Generates a service desk's log of N events (organizations, accounts, tickets of ten events "
      "interleaved), then R times in turn rebuilds every projection serve keeps from it and runs "
      "RocksDB's db_bench --benchmarks=fillseq for N keys on the same disk, and prints each "
      "round, the medians and the median of the rounds' ratios (a shared machine's speed drifts "
      "within minutes: rounds in turn weigh it on both sides alike). Once, first, it rebuilds "
      "the event_counts projection alone (the rebuild machinery: decode, validate, batch, "
      "write).");
  cli.Option("events", "N", "events in the generated log (default 1000000)")
      .Option("rounds", "R", "rebuild and fillseq runs in turn (default 3)")
      .Option("dir", "DIR",
              "scratch directory on the disk to measure (default ./ledgerdesk-bench)");
  if (auto exit = cli.Parse(args)) return *exit;
  auto events = cli.GetUint("events", 1'000'000);
  if (!events.ok()) return cli.UsageError(events.status().message());
  if (*events < 1000) return cli.UsageError("--events takes at least 1000");
  auto rounds = cli.GetUint("rounds", 3);
  if (!rounds.ok()) return cli.UsageError(rounds.status().message());
  if (*rounds < 1 || *rounds > 100) return cli.UsageError("--rounds takes 1 to 100");
  const std::filesystem::path dir = cli.Get("dir", "ledgerdesk-bench");

  const auto records = projections::GenerateServiceDeskRecords(*events);
  auto rebuild = [&](const char* label, const projections::ProjectionSet& set) -> Result<double> {
    auto rebuilt = projections::RunRebuildBench(records, set, dir / "rebuild");
    std::error_code ignored;
    std::filesystem::remove_all(dir / "rebuild", ignored);
    if (!rebuilt.ok()) return rebuilt.status();
    const std::string written_out =
        rebuilt->write_outs == 0
            ? ""
            : "; rows written out " + std::to_string(rebuilt->write_outs) + " times before the end";
    std::printf(
        "%-34s %9.0f events/s  (%zu events in %.2f s: folding %.2f s, writing %.2f s; %.2f s "
        "CPU, %.2f s of it system; store %.1f MB%s)\n",
        label, rebuilt->events_per_second, rebuilt->events, rebuilt->seconds, rebuilt->fold_seconds,
        rebuilt->write_seconds, rebuilt->cpu_seconds, rebuilt->system_seconds,
        static_cast<double>(rebuilt->store_bytes) / 1e6, written_out.c_str());
    return rebuilt->events_per_second;
  };
  if (auto alone = rebuild("rebuild, event_counts only",
                           {std::make_shared<projections::EventCountsProjection>()});
      !alone.ok()) {
    return Fail("bench rebuild", alone.status());
  }
  std::vector<double> rates, fillseqs, ratios;
  Status fillseq_failed;
  for (uint64_t round = 1; round <= *rounds; ++round) {
    const std::string label = "round " + std::to_string(round);
    auto rate = rebuild((label + ", all projections").c_str(), projections::DefaultProjections());
    if (!rate.ok()) return Fail("bench rebuild", rate.status());
    rates.push_back(*rate);
    if (!fillseq_failed.ok()) continue;
    auto fillseq = DbBenchFillseq(*events, dir / "db_bench");
    if (!fillseq.ok()) {
      fillseq_failed = fillseq.status();
      continue;
    }
    std::printf("%-34s %9.0f ops/s   (the rebuild: %.2f of it)\n",
                (label + ", db_bench fillseq").c_str(), *fillseq, *rate / *fillseq);
    fillseqs.push_back(*fillseq);
    ratios.push_back(*rate / *fillseq);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  const double rate = Median(rates);
  std::printf("%-34s %9.0f events/s\n", "median, all projections", rate);
  if (!fillseq_failed.ok()) {
    std::printf("%-34s %s\n", "db_bench fillseq", fillseq_failed.message().c_str());
    return kExitOk;
  }
  const double ratio = Median(ratios);
  std::printf("%-34s %9.0f ops/s\n", "median, db_bench fillseq", Median(fillseqs));
  std::printf(
      "%-34s %9.2f of fillseq (median of the rounds); goal >= 300000 events/s and >= "
      "1.00 of fillseq: %s\n",
      "all projections", ratio, rate >= 300000 && ratio >= 1.0 ? "met" : "NOT met");
  return kExitOk;
}

}  // namespace ledgerdesk::tools
