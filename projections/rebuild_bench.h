#pragma once

// The projection rebuild benchmark (`ledgerdesk bench` calls it; design.md "What fast means here":
// ≥ 300 000 events/s and at least db_bench fillseq's ops/s for the same number of keys). Generates
// `events` realistic envelopes (ticket streams of about ten events each, interleaved) into an
// in-memory log — not timed — then times Rebuild() of EventCountsProjection into `scratch_dir`.

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::projections {

struct RebuildBenchResult {
  size_t events = 0;
  double seconds = 0;
  double events_per_second = 0;
  double cpu_seconds = 0;  // of the whole process (all threads, RocksDB's too) during the rebuild
  std::string digest;      // of the rebuilt store, so runs can be compared
};

// `scratch_dir` is created and left behind (the caller removes it).
Result<RebuildBenchResult> RunRebuildBench(size_t events, const std::filesystem::path& scratch_dir);

}  // namespace ledgerdesk::projections
