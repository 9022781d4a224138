#pragma once

// The projection rebuild benchmark (`ledgerdesk bench rebuild`; design.md "What fast means here":
// ≥ 300 000 events/s and at least db_bench fillseq's ops/s for the same number of keys). A
// generated log of a service desk's working life — not timed — is rebuilt into a scratch store.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "projections/projection.h"
#include "projections/store.h"

namespace ledgerdesk::projections {

// `events` records as the write side appends them: 200 organizations with a contract each, 2 000
// verified customers and 20 engineers, then tickets of ten events each, 5 000 open at a time and
// interleaved (opened with a title, a description and a CC, the customer's colleague: a contact
// made known by a SubjectKeyCreated after the customer's first ticket; the engineer's first
// response, replies both ways with sealed bodies, a notification for each engineer reply, status
// changes, closed).
// Ids are 32 hex digits and sealed values have realistic sizes, so keys and rows are as long as
// real ones. Deterministic.
std::vector<log::LogRecord> GenerateServiceDeskRecords(size_t events);

struct RebuildBenchResult {
  size_t events = 0;
  double seconds = 0;
  double events_per_second = 0;
  double cpu_seconds = 0;  // of the whole process (all threads, RocksDB's too) during the rebuild
  double system_seconds = 0;  // the kernel's part of it (mostly page faults of the rows held)
  double fold_seconds = 0;    // RebuildResult's phases
  double write_seconds = 0;
  uint64_t store_bytes = 0;   // the rebuilt store's files
  Store::FileContents files;  // the rows in them (what the rebuild wrote)
  size_t write_outs = 0;      // RebuildResult's: rows written out before the end (memory budget)
  std::string digest;         // of the rebuilt store, so runs can be compared
};

// Times Rebuild() of `projections` from `records` (served from memory: the projections are
// measured, not a log) into `scratch_dir`, which is created and left behind.
Result<RebuildBenchResult> RunRebuildBench(const std::vector<log::LogRecord>& records,
                                           const ProjectionSet& projections,
                                           const std::filesystem::path& scratch_dir);

}  // namespace ledgerdesk::projections
