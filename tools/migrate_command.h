#pragma once

// The migration as `ledgerdesk migrate` runs it, for the commands that share it (bench migrate).

#include <optional>
#include <string>

#include "core/common/status.h"
#include "core/log/log_factory.h"
#include "migrator/load.h"
#include "migrator/migration_report.h"

namespace ledgerdesk::tools {

struct MigrateRequest {
  std::string source;  // sqlite:PATH | postgresql://...
  bool dry_run = false;
  v1::Date as_of;
  migrator::LegacyEncoding encoding = migrator::LegacyEncoding::kWindows1250;
  int threads = 0;  // 0: one per core
  log::LogOptions log;
  std::optional<bool> interactive_progress;  // nullopt: a bar when stderr is a terminal
};

struct MigrateRun {
  std::optional<migrator::MigrationReport> report;
  migrator::MigrateStats stats;
  bool reconciled = false;     // a real run: the projections were brought up and counted
  std::string reconciliation;  // empty: they agree; else what differs
};

// Opens the source, the log (refusing while serve holds the data dir), keys and blobs, migrates
// with a progress display on stderr, and reconciles. Errors: kInvalidArgument for a malformed
// source URI; otherwise the failing part's status.
Result<MigrateRun> RunMigration(const MigrateRequest& request);

}  // namespace ledgerdesk::tools
