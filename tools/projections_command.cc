// `ledgerdesk projections rebuild|digest`: the read side's views, replayed and compared.

#include <cstdio>
#include <iostream>

#include "core/log/log_factory.h"
#include "projections/default_projections.h"
#include "projections/rebuild.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

std::filesystem::path ProjectionsDir(const log::LogOptions& options) {
  return options.data_dir / "projections";
}

int Rebuild(const Args& args) {
  const auto& set = projections::DefaultProjections();
  CommandLine cli("projections rebuild", "[--only NAME] [LOG OPTIONS]",
                  "Drops the projections and replays the whole log into fresh ones (built aside "
                  "and swapped in when complete), printing events per second. With --only, "
                  "rebuilds that one projection up to where the others stand and leaves the "
                  "others as they are.");
  cli.LogOptions().Option("only", "NAME",
                          "rebuild just this projection: " + projections::ProjectionNames(set));
  if (auto exit = cli.Parse(args)) return *exit;
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
    auto rebuilt = projections::RebuildOnly(**log, set, only, ProjectionsDir(*options));
    if (!rebuilt.ok()) return Fail("projections rebuild", rebuilt.status());
    std::printf(
        "rebuilt projection %s to log position %llu (where the others stand; they were left as "
        "they are) in %.2f s (folding %.2f s, writing %.2f s): %.0f events/s\n",
        only.c_str(), static_cast<unsigned long long>(rebuilt->checkpoint.next.value),
        rebuilt->seconds, rebuilt->fold_seconds, rebuilt->write_seconds,
        rebuilt->records_per_second);
    return kExitOk;
  }
  auto rebuilt = projections::Rebuild(**log, set, ProjectionsDir(*options));
  if (!rebuilt.ok()) return Fail("projections rebuild", rebuilt.status());
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
