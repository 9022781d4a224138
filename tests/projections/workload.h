#pragma once

// A reproducible random log for the projection suites: many streams, mostly valid next versions,
// plus duplicates (earlier records again), conflicts (new ids at taken or skipped versions),
// garbage bytes and envelopes that do not decode — everything a live runner and a rebuild must
// treat identically. Also the reference fold that says what any reader must end up with.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/log/event_log.h"
#include "core/log/stream_validator.h"
#include "projections/memory_rows.h"
#include "projections/store.h"
#include "tests/support/memory_log.h"

namespace ledgerdesk::projections {

class RandomWorkload {
 public:
  explicit RandomWorkload(uint64_t seed, int streams = 40);

  // The next `count` records' bytes (keys and values; positions are the log's).
  std::vector<log::LogRecord> Next(size_t count);

 private:
  std::mt19937_64 random_;
  uint64_t seed_;
  uint64_t next_id_ = 0;
  std::vector<std::string> streams_;
  std::vector<uint64_t> versions_;  // last version of each stream that this generator made valid
  std::vector<log::LogRecord> sent_;
};

// Appends records to the storage as they are (a raw path: garbage goes in unchanged), at the next
// positions, and wakes followers.
void PushRecords(testing::MemoryLogStorage& storage, std::vector<log::LogRecord> records);

// What every reader must have after reading records in order: the self-validating read's verdicts
// (core's StreamValidator, the reference) and EventCountsProjection folded into memory.
class ReferenceFold {
 public:
  void Apply(const log::LogRecord& record);
  const ApplyCounts& counts() const { return counts_; }
  std::string Digest() const;
  const MemoryRows& rows() const { return rows_; }

 private:
  log::StreamValidator validator_;
  MemoryRows rows_;
  ApplyCounts counts_;
};

}  // namespace ledgerdesk::projections
