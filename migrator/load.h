#pragma once

// Load: the whole migration, extract -> transform -> load, through the write side's service
// (core/app/write_service.h), so every domain rule still holds for migrated data.
//
//   LD_ASSIGN_OR_RETURN(auto report, Migrate(*source, targets, options));
//
// Order: customers (kept in memory, one small entry each), contracts with their items (a first
// pass finds serials on two moving contracts), then tickets in windows of a few thousand: their
// messages, attachments and CC rows are read with one query per window, the transcripts rendered
// in parallel, the PDFs and attachment bytes stored in the blob store, and one ImportTicket command
// per ticket executed concurrently (the writer shares one append among them: group commit).
//
// Idempotent: every entity and event id comes from LegacyEventId (ticket id, transcript and
// attachment ids as transform.h says; event ids = LegacyEventId("events/<table>", row id, n) for
// the n-th event a row's command decides). A row already in the log decides nothing, a ticket
// whose import was cut short gets only what it lacks, and the writer answers event ids it has
// seen with their first positions; so a second run, or a run resumed after a crash at any
// moment, appends nothing twice and reports the same counts.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/app/write_service.h"
#include "core/blobs/blob_store.h"
#include "core/common/status.h"
#include "core/domain/sealer.h"
#include "core/log/event_log.h"
#include "migrator/legacy_source.h"
#include "migrator/migration_report.h"
#include "migrator/windows1250.h"
#include "pdfexport/transcript.h"
#include "schemas/ledgerdesk/v1/common.pb.h"

namespace ledgerdesk::migrator {

struct MigrateProgress {
  std::string stage;  // "customers", "contracts", "tickets", "done"
  int64_t tickets_done = 0;
  int64_t tickets_total = 0;  // rows in the legacy tickets table
  int64_t pdfs = 0;           // transcripts rendered so far
};

// What the run did besides the report: for the benchmark and the operator's summary.
struct MigrateStats {
  int64_t pdfs_rendered = 0;
  int64_t tickets_skipped = 0;  // moved tickets found complete in the log already (a re-run)
  int64_t events_appended = 0;
  int64_t blobs_stored = 0;
  // Wall time by phase, summed over ticket windows: reading and transforming the dialog,
  // rendering the transcripts, storing blobs and executing the import commands.
  double read_seconds = 0;
  double render_seconds = 0;
  double import_seconds = 0;
  double seconds = 0;
};

struct MigrateOptions {
  v1::Date as_of;
  bool dry_run = false;  // only marks the report: what is written depends on the targets
  LegacyEncoding encoding = LegacyEncoding::kWindows1250;
  int threads = 0;                // render threads; 0: one per core
  int tickets_per_window = 2000;  // tickets whose dialog is read and rendered together
  int concurrent_commands = 64;   // commands in flight at once (they share group commits)
  // Called on the calling thread at each stage and after every window.
  std::function<void(const MigrateProgress&)> on_progress;
};

struct MigrateTargets {
  app::WriteService& writes;  // a dry run passes one over NewDryRunLog
  // Null on a dry run: PDFs and attachment bytes are hashed, not stored.
  blobs::BlobStore* blobs = nullptr;
  domain::Sealer& sealer;
  const pdfexport::TranscriptRenderer& renderer;
  // The data dir's e-mail index key (app::LoadOrCreateIndexKey): legacy contacts carry the keyed
  // hash of their address, by which audits find them.
  std::string email_index_key;
};

// Runs the migration. The report counts every legacy row; rows the domain refuses (a contract
// number registered by hand meanwhile, say) are quarantined with reason `rejected` and the domain's
// sentence. Errors: the source's (kUnavailable, kDataLoss), the blob store's or the log's; what was
// appended before an error stays, and a re-run continues from it.
Result<MigrationReport> Migrate(LegacySource& source, const MigrateTargets& targets,
                                const MigrateOptions& options, MigrateStats* stats = nullptr);

// A log that reads `base` (which must outlive it; null: an empty log, for a data dir that does not
// exist yet) and forgets what is appended to it, answering positions past base's end: what a dry
// run writes into, so it decides exactly as a real run on the same log would and changes nothing.
std::unique_ptr<log::EventLog> NewDryRunLog(log::EventLog* base);

}  // namespace ledgerdesk::migrator
