// `ledgerdesk projections rebuild|digest`: the read side's views, replayed and compared.

#include <cstdio>
#include <iostream>

#include "core/common/process_memory.h"
#include "core/log/log_factory.h"
#include "projections/default_projections.h"
#include "projections/rebuild.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace ledgerdesk::tools {
namespace {

std::filesystem::path ProjectionsDir(const log::LogOptions& options) {
  return options.data_dir / "projections";
}

// The kernel's figure, so that an operator can size --memory-mb (and see what it cost).
void PrintMemory(const projections::RebuildResult& rebuilt, uint64_t memory_mb) {
  const double peak_mb = static_cast<double>(PeakResidentBytes()) / (1 << 20);
  if (rebuilt.write_outs == 0) {
    std::printf("peak memory %.0f MB (the rows fitted in --memory-mb %llu and were written once)\n",
                peak_mb, static_cast<unsigned long long>(memory_mb));
  } else {
    std::printf(
        "peak memory %.0f MB (rows written out %zu times before the end to stay within "
        "--memory-mb %llu)\n",
        peak_mb, rebuilt.write_outs, static_cast<unsigned long long>(memory_mb));
  }
}

int Rebuild(const Args& args) {
  const auto& set = projections::DefaultProjections();
  CommandLine cli("projections rebuild", "[--only NAME] [--memory-mb MB] [LOG OPTIONS]",
                  "Drops the projections and replays the whole log into fresh ones (built aside "
                  "and swapped in when complete), showing its progress on stderr and printing "
                  "events per second and its peak memory. With --only, "
                  "rebuilds that one projection up to where the others stand and leaves the "
                  "others as they are.");
  const uint64_t default_mb = projections::DefaultRebuildMemory() >> 20;
  cli.LogOptions()
      .Option("only", "NAME", "rebuild just this projection: " + projections::ProjectionNames(set))
      .Option("memory-mb", "MB",
              "memory the rebuild may fill with rows; whenever they outgrow it, they are written "
              "out and the rebuild goes on (default 1024, or a quarter of the machine's memory or "
              "of the container's limit when that is less: " +
                  std::to_string(default_mb) +
                  " here). A million events of a busy service desk fill about 950 MB; a smaller "
                  "budget holds memory down at some cost in speed");
  if (auto exit = cli.Parse(args)) return *exit;
  auto memory_mb = cli.GetUint("memory-mb", default_mb);
  if (!memory_mb.ok()) return cli.UsageError(memory_mb.status().message());
  if (*memory_mb < 16 || *memory_mb > (uint64_t{1} << 24)) {
    return cli.UsageError("--memory-mb takes 16 to 16777216 (megabytes)");
  }
  ProgressReporter progress("events");
  const projections::RebuildOptions rebuild_options{.memory_bytes = *memory_mb << 20,
                                                    .progress = progress.Updater()};
  const std::string only = cli.Get("only");
  if (cli.Has("only")) {
    bool known = false;
    for (const auto& projection : set) known |= projection->name() == only;
    if (!known) {
      return cli.UsageError("--only takes one of " + projections::ProjectionNames(set) + ", not '" +
                            only + "'");
    }
  }
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());
  options->read_only = true;
  auto log = log::OpenLog(*options);
  if (!log.ok()) return Fail("projections rebuild", log.status());
  if (cli.Has("only")) {
    auto rebuilt =
        projections::RebuildOnly(**log, set, only, ProjectionsDir(*options), rebuild_options);
    if (!rebuilt.ok()) return Fail("projections rebuild", rebuilt.status());
    progress.Finish(rebuilt->checkpoint.next.value, rebuilt->checkpoint.next.value, "done");
    std::printf(
        "rebuilt projection %s to log position %llu (where the others stand; they were left as "
        "they are) in %.2f s (folding %.2f s, writing %.2f s): %.0f events/s\n",
        only.c_str(), static_cast<unsigned long long>(rebuilt->checkpoint.next.value),
        rebuilt->seconds, rebuilt->fold_seconds, rebuilt->write_seconds,
        rebuilt->records_per_second);
    PrintMemory(*rebuilt, *memory_mb);
    return kExitOk;
  }
  auto rebuilt = projections::Rebuild(**log, set, ProjectionsDir(*options), rebuild_options);
  if (!rebuilt.ok()) return Fail("projections rebuild", rebuilt.status());
  progress.Finish(rebuilt->checkpoint.next.value, rebuilt->checkpoint.next.value, "done");
  const auto& counts = rebuilt->checkpoint.counts;
  std::printf(
      "rebuilt %zu projections to log position %llu in %.2f s (folding %.2f s, writing %.2f s): "
      "%.0f events/s (%llu applied, %llu duplicates, %llu conflicts, %llu undecodable skipped)\n",
      set.size(), static_cast<unsigned long long>(rebuilt->checkpoint.next.value), rebuilt->seconds,
      rebuilt->fold_seconds, rebuilt->write_seconds, rebuilt->records_per_second,
      static_cast<unsigned long long>(counts.applied),
      static_cast<unsigned long long>(counts.duplicates),
      static_cast<unsigned long long>(counts.conflicts),
      static_cast<unsigned long long>(counts.undecodable));
  PrintMemory(*rebuilt, *memory_mb);
  return kExitOk;
}

int Digest(const Args& args) {
  CommandLine cli(
      "projections digest", "[LOG OPTIONS]",
      "Brings the projections up to the end of the log, then prints a SHA-256 digest of "
      "their content and the position it stands for: a live store and a rebuild from "
      "the same log print the same digest.");
  cli.LogOptions();
  if (auto exit = cli.Parse(args)) return *exit;
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());
  options->read_only = true;
  auto log = log::OpenLog(*options);
  if (!log.ok()) return Fail("projections digest", log.status());
  const auto& set = projections::DefaultProjections();
  auto families = projections::ColumnFamiliesOf(set);
  if (!families.ok()) return Fail("projections digest", families.status());
  auto store = projections::Store::Open(
      {.dir = ProjectionsDir(*options), .column_families = std::move(*families)});
  if (!store.ok()) return Fail("projections digest", store.status());
  {
    auto runner = projections::ProjectionRunner::Create(**log, **store, set);
    if (!runner.ok()) return Fail("projections digest", runner.status());
    if (Status caught_up = (*runner)->CatchUp(); !caught_up.ok()) {
      return Fail("projections digest", caught_up);
    }
  }
  auto digest = projections::DigestAt(**store);
  if (!digest.ok()) return Fail("projections digest", digest.status());
  std::cout << digest->hex << "  at log position " << digest->checkpoint.next.value << "\n";
  return kExitOk;
}

}  // namespace

int ProjectionsRebuildCommand(const Args& args) { return Rebuild(args); }
int ProjectionsDigestCommand(const Args& args) { return Digest(args); }

}  // namespace ledgerdesk::tools
