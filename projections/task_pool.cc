#include "projections/task_pool.h"

namespace ledgerdesk::projections {

TaskPool::TaskPool(size_t helpers) {
  for (size_t i = 0; i < helpers; ++i) threads_.emplace_back([this] { Help(); });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void TaskPool::Run(size_t count, const std::function<void(size_t)>& job) {
  {
    std::lock_guard lock(mutex_);
    job_ = &job;
    count_ = count;
    next_ = 0;
    busy_ = threads_.size();
    ++round_;
  }
  wake_.notify_all();
  TakeJobs();
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  job_ = nullptr;
}

void TaskPool::TakeJobs() {
  for (size_t i; (i = next_++) < count_;) (*job_)(i);
}

void TaskPool::Help() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || round_ != seen; });
      if (stopping_) return;
      seen = round_;
    }
    TakeJobs();
    std::lock_guard lock(mutex_);
    if (--busy_ == 0) done_.notify_all();
  }
}

}  // namespace ledgerdesk::projections
