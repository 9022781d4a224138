#pragma once

// Auditors are audited: every audit command is recorded in the log as an AuditCommandRecorded
// event (who asked, what, when), on a stream of its own ("audit-<event id>", version 1), stamped
// and chained like the writer's appends.
//
// When the log cannot be written (the embedded log is held by a running serve, or it is Kafka), a
// read-only audit (history, verify) still runs and its record waits in a spool directory
// (DATA_DIR/audit-spool, one file per record); a running serve appends it (spool_drain.h), or the
// next audit command that can write the log appends the spooled records first, in the order they
// were made.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::audit {

// The spool directory's name inside a data dir.
inline constexpr char kSpoolDirName[] = "audit-spool";

struct AuditRequest {
  std::string command;        // history, replay, verify, erase
  std::string actor;          // who asked: --actor, else the OS user
  std::string subject_index;  // the keyed hash of the e-mail asked about (raw), or empty
  std::string arguments;      // the other arguments, personal values left out
};

// The event for `request` at `now` (not yet chained).
v1::Envelope AuditEnvelope(const AuditRequest& request, std::chrono::system_clock::time_point now);

// The OS user running this process ("uid N" when it has no name).
std::string OsUser();

// Appends `events` in order in one append, stamping event_type, recorded_at and previous_hash
// (the SHA-256 of the log's last record). Only for a log this process writes alone
// (log.HasExclusiveWriter(): the embedded log opened for writing). Errors: kFailedPrecondition on
// a shared or read-only log; the log's own.
Result<std::vector<log::Position>> AppendChained(log::EventLog& log,
                                                 std::vector<v1::Envelope> events);

// Keeps `event` in `spool_dir` (created if missing; written to a temp file, fsync'd, renamed).
Status Spool(const std::filesystem::path& spool_dir, const v1::Envelope& event);

// The spooled records in `spool_dir`, oldest first (none when the directory does not exist).
std::vector<std::filesystem::path> SpooledFiles(const std::filesystem::path& spool_dir);

// One spooled record. Errors: kDataLoss when the file is not an envelope; kNotFound when it is
// gone (another process appended and removed it meanwhile).
Result<v1::Envelope> ReadSpooled(const std::filesystem::path& file);

// Appends every spooled event (oldest first), then `events`, with AppendChained, and removes the
// spooled files once appended. Returns the positions of `events`.
Result<std::vector<log::Position>> AppendWithSpool(log::EventLog& log,
                                                   const std::filesystem::path& spool_dir,
                                                   std::vector<v1::Envelope> events);

}  // namespace ledgerdesk::audit
