#pragma once

// One ledgerdesk process at a time on a directory: an exclusive flock on a file next to or in it,
// held while the ProcessLock lives. The file holds the holder's pid, so that a second process is
// refused with a message naming the first. The kernel drops the lock when its process dies, so a
// file left behind by a crash locks nothing.

#include <filesystem>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk {

class ProcessLock {
 public:
  // Locks `file` (created if missing). Errors: kUnavailable "<what> is in use by another
  // ledgerdesk process (pid N)<advice>" while another process (or another lock of this one) holds
  // it; kUnavailable for an I/O error.
  static Result<ProcessLock> Acquire(const std::filesystem::path& file, std::string_view what,
                                     std::string_view advice);

  ProcessLock() = default;  // holds nothing
  ProcessLock(ProcessLock&& other) noexcept;
  ProcessLock& operator=(ProcessLock&& other) noexcept;
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;
  ~ProcessLock();

 private:
  explicit ProcessLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ledgerdesk
