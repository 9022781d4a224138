// `ledgerdesk bench migrate`: generates a large legacy database and migrates it into a fresh data
// dir, printing tickets/s, PDFs/s, the total time and the peak memory (run it under
// `/usr/bin/time -v` for the kernel's own figure).

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/common/process_memory.h"
#include "core/domain/dates.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/legacy_generator.h"
#include "tools/migrate_command.h"

namespace ledgerdesk::tools {

int BenchMigrateCommand(const Args& args) {
  CommandLine cli("bench migrate", "[--tickets N] [--dir DIR] [--threads N]",
                  "Generates a legacy helpdesk database (DIR/legacy.db: N tickets, ten messages "
                  "each on average, 40 % closed, 5 % with attachments, 10 % of bodies in "
                  "windows-1250) and migrates it into a fresh data dir (DIR/data), printing "
                  "tickets/s, PDFs/s, the total time and the peak memory.");
  cli.Option("tickets", "N", "legacy tickets to generate (default 100000)")
      .Option("dir", "DIR", "where the database and the data dir go (default ./bench-migrate)")
      .Option("threads", "N", "PDF rendering threads (default: one per core)");
  if (auto exit = cli.Parse(args)) return *exit;
  auto tickets = cli.GetUint("tickets", 100'000);
  if (!tickets.ok()) return cli.UsageError(tickets.status().message());
  if (*tickets == 0) return cli.UsageError("--tickets must be at least 1");
  auto threads = cli.GetUint("threads", 0);
  if (!threads.ok()) return cli.UsageError(threads.status().message());
  const std::filesystem::path dir = cli.Get("dir", "bench-migrate");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path db = dir / "legacy.db";
  const std::filesystem::path data = dir / "data";
  std::filesystem::remove_all(data, ec);

  const auto gen_start = std::chrono::steady_clock::now();
  auto generated =
      GenerateLegacyDatabase(db, LegacyGeneratorOptions{.tickets = static_cast<int64_t>(*tickets)});
  if (!generated.ok()) return Fail("bench migrate", generated.status());
  const double gen_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_start).count();
  std::printf(
      "generated %s in %.1f s: %lld customers, %lld contracts, %lld tickets, %lld "
      "messages, %lld attachments, %lld cc rows\n",
      db.c_str(), gen_seconds, static_cast<long long>(generated->customers),
      static_cast<long long>(generated->contracts), static_cast<long long>(generated->tickets),
      static_cast<long long>(generated->messages), static_cast<long long>(generated->attachments),
      static_cast<long long>(generated->cc));
  std::fflush(stdout);

  MigrateRequest request;
  request.source = "sqlite:" + db.string();
  request.as_of = domain::MakeDate(2026, 11, 23);
  request.threads = static_cast<int>(*threads);
  request.log.data_dir = data;
  request.interactive_progress = false;
  const auto start = std::chrono::steady_clock::now();
  auto run = RunMigration(request);
  if (!run.ok()) return Fail("bench migrate", run.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& report = *run->report;
  const int64_t read = report.table("tickets").read;
  const int64_t moved = report.table("tickets").moved;
  std::printf(
      "migrated in %.1f s (load %.1f s: tickets' dialog read %.1f s, rendered %.1f s, stored and "
      "imported %.1f s; reconciliation %.1f s): %lld tickets read, %lld moved, %lld PDFs, %lld "
      "events\n"
      "tickets/s (read): %.0f   tickets/s (moved): %.0f   PDFs/s: %.0f   peak RSS: %.0f MiB\n",
      seconds, run->stats.seconds, run->stats.read_seconds, run->stats.render_seconds,
      run->stats.import_seconds, seconds - run->stats.seconds, static_cast<long long>(read),
      static_cast<long long>(moved), static_cast<long long>(run->stats.pdfs_rendered),
      static_cast<long long>(run->stats.events_appended), read / seconds, moved / seconds,
      static_cast<double>(run->stats.pdfs_rendered) / seconds,
      static_cast<double>(PeakResidentBytes()) / (1 << 20));
  if (!run->reconciliation.empty()) {
    return Fail("bench migrate", DataLoss("reconciliation failed: " + run->reconciliation));
  }
  return kExitOk;
}

}  // namespace ledgerdesk::tools
