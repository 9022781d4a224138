#include "core/common/process_memory.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

// gperftools' C interface, resolved only when tcmalloc is linked in (the program's allocator;
// tests may run on glibc's).
extern "C" int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));

namespace ledgerdesk {

size_t HeapInUseBytes() {
  if (MallocExtension_GetNumericProperty != nullptr) {
    size_t bytes = 0;
    if (MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &bytes)) return bytes;
  }
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // in use in the arenas, and mmapped chunks
}

size_t PeakResidentBytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<size_t>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
}

size_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<size_t>(pages) * static_cast<size_t>(page_size);
}

}  // namespace ledgerdesk
