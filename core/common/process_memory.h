#pragma once

// How much memory this process holds: what a memory budget is measured in (a rebuild's,
// RebuildOptions::memory_bytes) and what commands report. These count every structure's
// overhead, which no count of rows' bytes does.

#include <cstddef>

namespace ledgerdesk {

// The heap the program uses, as its allocator counts it (every allocation, not what the allocator
// keeps free for reuse): tcmalloc's figure when it is the allocator, else glibc's (mallinfo2).
size_t HeapInUseBytes();

// The most resident memory the process has held since it started (getrusage's ru_maxrss).
size_t PeakResidentBytes();

// The machine's physical memory; 0 when unknown.
size_t PhysicalMemoryBytes();

}  // namespace ledgerdesk
