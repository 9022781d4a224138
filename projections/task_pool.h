#pragma once

// A few threads kept for a runner's life that share its work with the calling thread: a rebuild
// applies the projections of each chunk of records side by side (each projection owns its column
// families, so they share no rows), on a machine whose other core would otherwise idle.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ledgerdesk::projections {

// Threads worth splitting a rebuild's work over: one per core, up to 4.
inline size_t CoresToUse() {
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
}

class TaskPool {
 public:
  // `helpers` threads besides the caller of Run (0: Run does everything itself).
  explicit TaskPool(size_t helpers);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Calls job(i) once for every i in [0, count), i in increasing order of pick-up, on the
  // calling thread and the helpers; returns when every call has returned. One Run at a time.
  void Run(size_t count, const std::function<void(size_t)>& job);

 private:
  void TakeJobs();
  void Help();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t count_ = 0;
  std::atomic<size_t> next_{0};
  size_t busy_ = 0;
  uint64_t round_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ledgerdesk::projections
