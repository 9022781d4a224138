#pragma once

// The log the crash test's child and parent both build: the same records for the same seed in every
// process (the embedded log is not there yet, so each process holds it in memory).

#include <cstdint>
#include <memory>

#include "tests/projections/workload.h"

namespace ledgerdesk::projections {

inline constexpr uint64_t kCrashSeed = 0xC0FFEE;
inline constexpr size_t kCrashRecords = 120'000;

inline std::shared_ptr<testing::MemoryLogStorage> MakeCrashLog() {
  auto storage = std::make_shared<testing::MemoryLogStorage>();
  RandomWorkload workload(kCrashSeed);
  PushRecords(*storage, workload.Next(kCrashRecords));
  return storage;
}

}  // namespace ledgerdesk::projections
