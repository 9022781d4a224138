#include "core/common/process_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace ledgerdesk {
namespace {

Status LockError(const std::string& doing, const std::filesystem::path& file, int error) {
  return Unavailable("cannot " + doing + " " + file.string() + ": " + std::strerror(error));
}

// The pid the holder wrote, or "unknown".
std::string HolderOf(int fd) {
  char text[32];
  const ssize_t got = ::pread(fd, text, sizeof text, 0);
  std::string holder(text, got > 0 ? static_cast<size_t>(got) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  if (holder.empty()) return "unknown";
  if (holder == std::to_string(::getpid())) holder += ", this very process";
  return holder;
}

}  // namespace

Result<ProcessLock> ProcessLock::Acquire(const std::filesystem::path& file, std::string_view what,
                                         std::string_view advice) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return LockError("open", file, errno);
  ProcessLock lock(fd);  // closes it on every return below
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return LockError("lock", file, errno);
    return Unavailable(std::string(what) + " is in use by another ledgerdesk process (pid " +
                       HolderOf(fd) + ")" + std::string(advice));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return LockError("write", file, errno);
  }
  return lock;
}

ProcessLock::ProcessLock(ProcessLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ProcessLock& ProcessLock::operator=(ProcessLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ProcessLock::~ProcessLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace ledgerdesk
