#pragma once

// How much memory this process holds: what a memory budget is measured in (a rebuild's,
// RebuildOptions::memory_bytes) and what commands report. These count every structure's
// overhead, which no count of rows' bytes does.

#include <cstddef>
#include <string>

namespace ledgerdesk {

// The heap the program uses, as its allocator counts it (every allocation, not what the allocator
// keeps free for reuse): tcmalloc's figure when it is the allocator, else glibc's (mallinfo2).
size_t HeapInUseBytes();

// The most resident memory the process has held since it started (getrusage's ru_maxrss).
size_t PeakResidentBytes();

// The memory this process may use: the machine's, or its cgroup's limit (a container's, a
// systemd unit's MemoryMax) when lower; 0 when unknown.
size_t MemoryLimitBytes();

// The lowest memory limit on the process's cgroups and their ancestors (cgroup v2 memory.max, v1
// memory.limit_in_bytes); 0 when there is none. The files are those of `proc_self_cgroup` (the
// process's cgroup list) and the `sys_fs_cgroup` tree: other paths than Linux's are for tests.
size_t CgroupMemoryLimit(const std::string& proc_self_cgroup = "/proc/self/cgroup",
                         const std::string& sys_fs_cgroup = "/sys/fs/cgroup");

}  // namespace ledgerdesk
