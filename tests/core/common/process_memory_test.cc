// The process's memory figures move with what it allocates and touches.

#include "core/common/process_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace ledgerdesk {
namespace {

TEST(ProcessMemory, TheHeapInUseGrowsAndShrinksWithAnAllocation) {
  constexpr size_t kBytes = 64u << 20;
  const size_t before = HeapInUseBytes();
  auto block = std::make_unique<char[]>(kBytes);
  std::memset(block.get(), 1, kBytes);
  const size_t holding = HeapInUseBytes();
  EXPECT_GE(holding, before + kBytes);
  EXPECT_GE(PeakResidentBytes(), kBytes);  // touched, so it was resident
  block.reset();
  EXPECT_LE(HeapInUseBytes(), holding - kBytes / 2);
}

TEST(ProcessMemory, TheMachineHasSomeMemory) { EXPECT_GT(PhysicalMemoryBytes(), size_t{64} << 20); }

}  // namespace
}  // namespace ledgerdesk
