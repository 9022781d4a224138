// The process's memory figures move with what it allocates and touches; the cgroup limit is found
// in either cgroup version, on the process's group or an ancestor.

#include "core/common/process_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/support/temp_dir.h"

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

TEST(ProcessMemory, TheLimitIsAtMostTheMachinesMemory) {
  const size_t machine = static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  EXPECT_GT(MemoryLimitBytes(), size_t{64} << 20);
  EXPECT_LE(MemoryLimitBytes(), machine);
}

void Write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

TEST(ProcessMemory, TheCgroupLimitIsTheLowestOnTheGroupAndItsAncestors) {
  testing::TempDir dir;
  const auto root = dir.path() / "sys";
  // v2: a limit on the parent, none ("max") on the group itself.
  Write(dir.path() / "v2", "0::/machine.slice/app.service\n");
  Write(root / "machine.slice/memory.max", "2147483648\n");
  Write(root / "machine.slice/app.service/memory.max", "max\n");
  EXPECT_EQ(CgroupMemoryLimit((dir.path() / "v2").string(), root.string()), 2147483648u);

  // v1: the memory controller's hierarchy only; "no limit" is a number near 2^63.
  Write(dir.path() / "v1", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n");
  Write(root / "memory/memory.limit_in_bytes", "9223372036854771712\n");
  Write(root / "memory/docker/abc/memory.limit_in_bytes", "536870912\n");
  Write(root / "cpu,cpuacct/docker/abc/memory.limit_in_bytes", "1\n");  // not memory's: ignored
  EXPECT_EQ(CgroupMemoryLimit((dir.path() / "v1").string(), root.string()), 536870912u);

  // No limit anywhere, or no cgroup files at all.
  Write(dir.path() / "none", "0::/\n");
  EXPECT_EQ(CgroupMemoryLimit((dir.path() / "none").string(), (dir.path() / "empty").string()), 0u);
  EXPECT_EQ(CgroupMemoryLimit((dir.path() / "missing").string(), root.string()), 0u);
}

}  // namespace
}  // namespace ledgerdesk
