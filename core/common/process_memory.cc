#include "core/common/process_memory.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

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

size_t CgroupMemoryLimit(const std::string& proc_self_cgroup, const std::string& sys_fs_cgroup) {
  std::ifstream cgroups(proc_self_cgroup);
  size_t lowest = 0;
  auto read_limit = [&](const std::string& file) {
    std::ifstream in(file);
    unsigned long long bytes = 0;
    // "max" (v2) does not parse: no limit. v1 says "none" with a number near 2^63.
    if (in >> bytes && bytes > 0 && bytes < (1ull << 60)) {
      lowest = lowest == 0 ? bytes : std::min<size_t>(lowest, bytes);
    }
  };
  std::string line;
  while (std::getline(cgroups, line)) {  // "hierarchy:controllers:path"
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
    std::string base, file;
    if (controllers == ",,") {
      base = sys_fs_cgroup, file = "memory.max";  // v2: the one unified hierarchy
    } else if (controllers.find(",memory,") != std::string::npos) {
      base = sys_fs_cgroup + "/memory", file = "memory.limit_in_bytes";
    } else {
      continue;
    }
    // A limit on any ancestor applies too.
    std::string path = line.substr(second + 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
    for (;;) {
      read_limit(base + path + "/" + file);
      if (path.empty()) break;
      path.resize(path.rfind('/') == std::string::npos ? 0 : path.rfind('/'));
    }
  }
  return lowest;
}

size_t MemoryLimitBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  const size_t machine =
      pages > 0 && page_size > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page_size) : 0;
  const size_t cgroup = CgroupMemoryLimit();
  if (machine == 0 || cgroup == 0) return std::max(machine, cgroup);
  return std::min(machine, cgroup);
}

}  // namespace ledgerdesk
