// `ledgerdesk bench rebuild`: projection rebuild events/s beside RocksDB's own db_bench fillseq for
// the same number of keys, in the same run (design.md: at least 300 000 events/s and at least
// db_bench's ops/s).

#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "projections/default_projections.h"
#include "projections/event_counts_projection.h"
#include "projections/rebuild_bench.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

// What db_bench fillseq writes: by default (the goal's baseline) `keys` keys of 16 bytes with
// values of 100 that compress to half.
struct FillseqRows {
  uint64_t keys = 0;
  uint64_t key_size = 16;
  uint64_t value_size = 100;
  double compression_ratio = 0.5;
};

// The rows the rebuild wrote, as db_bench would write them: as many, of their mean sizes,
// compressing as much as the rebuild's files did. The floors (8-byte keys, 1-byte values, a
// ratio in 0.05-1) only keep db_bench's arguments sensible; the generated log's rows are far
// above them.
FillseqRows RowsOf(const projections::Store::FileContents& files) {
  const uint64_t entries = std::max<uint64_t>(files.entries, 1);
  const uint64_t bytes = std::max<uint64_t>(files.key_bytes + files.value_bytes, 1);
  return {.keys = files.entries,
          .key_size = std::max<uint64_t>(files.key_bytes / entries, 8),
          .value_size = std::max<uint64_t>(files.value_bytes / entries, 1),
          .compression_ratio = std::clamp(
              static_cast<double>(files.data_bytes) / static_cast<double>(bytes), 0.05, 1.0)};
}

// `text` as one word for /bin/sh, whatever it holds.
std::string ShellQuoted(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";  // close the quote, an escaped quote, open again
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// The last non-empty line of `output`, at most 200 characters: what a failing program said last.
std::string LastLine(std::string_view output) {
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
    output.remove_suffix(1);
  }
  const size_t start = output.find_last_of('\n');
  std::string_view line = start == std::string_view::npos ? output : output.substr(start + 1);
  return std::string(line.substr(0, 200));
}

// Why db_bench gave no result, from popen's wait status and what it printed.
Status DbBenchFailure(int status, std::string_view output) {
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126)) {
    // The shell's "not found" and "not executable".
    return Unavailable("db_bench is not installed (Debian package rocksdb-tools installs it)");
  }
  if (WIFSIGNALED(status)) {
    return Unavailable("db_bench was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  const std::string said = LastLine(output);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return Unavailable("db_bench failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")" +
                       (said.empty() ? "" : ": " + said));
  }
  return Unavailable("db_bench printed no fillseq result" + (said.empty() ? "" : ": " + said));
}

// The CPU seconds (user and system) of the children this process has waited for so far.
double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The cores this process may run on (its affinity mask: taskset and cpusets count), at least 1.
unsigned UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(CPU_COUNT(&set), 1);
}

struct FillseqResult {
  double ops_per_second = 0;
  double cpu_seconds = 0;  // db_bench's (and its shell's), user and system
};

// Runs db_bench fillseq of `rows` in `dir`; returns its ops/s and CPU time, or an error saying
// why not.
Result<FillseqResult> DbBenchFillseq(const FillseqRows& rows, const std::filesystem::path& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  char shape[160];
  std::snprintf(shape, sizeof shape, " --key_size=%llu --value_size=%llu --compression_ratio=%.2f",
                static_cast<unsigned long long>(rows.key_size),
                static_cast<unsigned long long>(rows.value_size), rows.compression_ratio);
  const std::string command = "db_bench --benchmarks=fillseq --num=" + std::to_string(rows.keys) +
                              shape + " --db=" + ShellQuoted(dir.string()) + " 2>&1";
  const double cpu_before = ChildrenCpuSeconds();
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return Unavailable(std::string("cannot start db_bench: ") + std::strerror(errno));
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) output.append(buffer, n);
  const int status = pclose(pipe.release());  // waits for it, so its CPU time is counted now
  const double cpu_seconds = ChildrenCpuSeconds() - cpu_before;
  std::filesystem::remove_all(dir, ignored);
  std::smatch match;
  if (status != 0 ||
      !std::regex_search(output, match,
                         std::regex(R"(fillseq\s*:\s*[0-9.]+ micros/op (\d+) ops/sec)"))) {
    return DbBenchFailure(status, output);
  }
  return FillseqResult{.ops_per_second = std::stod(match[1]), .cpu_seconds = cpu_seconds};
}

// The middle value (of an even count, the mean of the two middle ones); `values` is not empty.
double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One fillseq baseline over the rounds: its ops/s and the rebuild's ratio to it in each round,
// until db_bench first fails (then no more runs of it: the reason stands for all).
struct FillseqSeries {
  std::vector<double> ops, ratios;
  std::vector<double> cpu_per_key;  // CPU seconds per key written
  Status failed;

  // Runs db_bench fillseq of `rows` unless it failed before; records its ops/s and `rate`'s
  // ratio to it. False when there is no number this round.
  bool Run(const FillseqRows& rows, const std::filesystem::path& dir, double rate) {
    if (!failed.ok()) return false;
    auto fillseq = DbBenchFillseq(rows, dir);
    if (!fillseq.ok()) {
      failed = fillseq.status();
      return false;
    }
    ops.push_back(fillseq->ops_per_second);
    ratios.push_back(rate / fillseq->ops_per_second);
    cpu_per_key.push_back(fillseq->cpu_seconds /
                          static_cast<double>(std::max<uint64_t>(rows.keys, 1)));
    return true;
  }
};

}  // namespace

int BenchRebuildCommand(const Args& args) {
  CommandLine cli(
      "bench rebuild", "[--events N] [--rounds R] [--dir DIR]",
      "Generates a service desk's log of N events (organizations, accounts, tickets of ten events "
      "interleaved), then R times in turn rebuilds every projection serve keeps from it and runs "
      "RocksDB's db_bench --benchmarks=fillseq for N keys on the same disk (the goal's baseline), "
      "then fillseq of rows shaped as the rebuild's (as many, their mean key and value sizes, "
      "as compressible; for reading beside the goal, not judged), and prints each round, the "
      "medians, the CPU per event beside db_bench's per key with what the cores allow at that "
      "cost, and the median of the rounds' ratios (a shared machine's speed drifts within "
      "minutes: rounds in turn weigh it on both sides alike). Once, first, it rebuilds "
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
  auto rebuild =
      [&](const char* label,
          const projections::ProjectionSet& set) -> Result<projections::RebuildBenchResult> {
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
    return rebuilt;
  };
  if (auto alone = rebuild("rebuild, event_counts only",
                           {std::make_shared<projections::EventCountsProjection>()});
      !alone.ok()) {
    return Fail("bench rebuild", alone.status());
  }
  std::vector<double> rates, cpu_per_event;
  FillseqSeries judged, rows_series;  // the goal's baseline; the rebuild's own rows
  for (uint64_t round = 1; round <= *rounds; ++round) {
    const std::string label = "round " + std::to_string(round);
    auto rebuilt =
        rebuild((label + ", all projections").c_str(), projections::DefaultProjections());
    if (!rebuilt.ok()) return Fail("bench rebuild", rebuilt.status());
    const double rate = rebuilt->events_per_second;
    rates.push_back(rate);
    cpu_per_event.push_back(rebuilt->cpu_seconds / static_cast<double>(rebuilt->events));
    if (!judged.Run({.keys = *events}, dir / "db_bench", rate)) continue;
    std::printf(
        "%-34s %9.0f ops/s   (the rebuild: %.2f of it; CPU %.2f us a key, the rebuild's %.2f us "
        "an event)\n",
        (label + ", db_bench fillseq").c_str(), judged.ops.back(), judged.ratios.back(),
        judged.cpu_per_key.back() * 1e6, cpu_per_event.back() * 1e6);
    // For reading beside the goal, not judged: RocksDB's own write path given the very rows the
    // rebuild wrote (as many, as long, as compressible), against the rebuild's rows per second.
    // It failing (a shape this db_bench refuses) leaves the goal's measure standing.
    const FillseqRows rows = RowsOf(rebuilt->files);
    const double rows_rate = static_cast<double>(rows.keys) / rebuilt->seconds;
    if (!rows_series.Run(rows, dir / "db_bench", rows_rate)) continue;
    std::printf(
        "%-34s %9.0f ops/s   (%llu rows of %llu + %llu bytes compressing to %.2f, as the "
        "rebuild wrote them at %.0f rows/s: %.2f of it)\n",
        (label + ", fillseq of those rows").c_str(), rows_series.ops.back(),
        static_cast<unsigned long long>(rows.keys), static_cast<unsigned long long>(rows.key_size),
        static_cast<unsigned long long>(rows.value_size), rows.compression_ratio, rows_rate,
        rows_series.ratios.back());
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  const double rate = Median(rates);
  std::printf("%-34s %9.0f events/s\n", "median, all projections", rate);
  if (!judged.failed.ok()) {
    std::printf("%-34s %s\n", "db_bench fillseq", judged.failed.message().c_str());
    return kExitOk;
  }
  const double ratio = Median(judged.ratios);
  std::printf("%-34s %9.0f ops/s\n", "median, db_bench fillseq", Median(judged.ops));
  if (rows_series.failed.ok()) {
    std::printf(
        "%-34s %9.0f ops/s   (the rebuild's rows/s: %.2f of it, median of the rounds; "
        "not the goal's measure)\n",
        "median, fillseq of those rows", Median(rows_series.ops), Median(rows_series.ratios));
  } else {
    std::printf("%-34s %s\n", "fillseq of those rows", rows_series.failed.message().c_str());
  }
  // What the cores allow: the rebuild already keeps them nearly all busy (README, Benchmarks), so
  // its CPU time per event, not its wall time, says how far it can go on this machine.
  const unsigned cores = UsableCores();
  const double cpu_event = Median(cpu_per_event);
  std::printf(
      "%-34s %9.2f us   (db_bench fillseq: %.2f us a key); with all %u cores busy the rebuild "
      "reaches at most %.0f events/s, and 1.00 of fillseq takes at most %.2f us an event\n",
      "CPU per event, median", cpu_event * 1e6, Median(judged.cpu_per_key) * 1e6, cores,
      cores / cpu_event, cores / Median(judged.ops) * 1e6);
  std::printf(
      "%-34s %9.2f of fillseq (median of the rounds); goal >= 300000 events/s and >= "
      "1.00 of fillseq: %s\n",
      "all projections", ratio, rate >= 300000 && ratio >= 1.0 ? "met" : "NOT met");
  return kExitOk;
}

}  // namespace ledgerdesk::tools
