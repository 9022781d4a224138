#include "tests/support/memory_log.h"

#include <algorithm>

namespace ledgerdesk::testing {
namespace {

class MemoryLogReader : public log::LogReader {
 public:
  MemoryLogReader(std::shared_ptr<MemoryLogStorage> storage, log::Position from)
      : storage_(std::move(storage)), from_(from.value) {}

  Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                           std::chrono::milliseconds wait) override {
    std::unique_lock lock(storage_->mutex);
    storage_->appended.wait_for(lock, wait, [&] { return First() < storage_->records.size(); });
    std::vector<log::LogRecord> out;
    for (size_t i = First(); i < storage_->records.size() && out.size() < max_records; ++i) {
      out.push_back(storage_->records[i]);
      from_ = storage_->records[i].position.value + 1;
    }
    return out;
  }

 private:
  // The index of the first record at or after from_.
  size_t First() const {
    const auto& records = storage_->records;
    return static_cast<size_t>(
        std::lower_bound(records.begin(), records.end(), from_,
                         [](const log::LogRecord& r, uint64_t p) { return r.position.value < p; }) -
        records.begin());
  }

  std::shared_ptr<MemoryLogStorage> storage_;
  uint64_t from_;
};

uint64_t EndOf(const MemoryLogStorage& storage) {
  const uint64_t after_last =
      storage.records.empty() ? 0 : storage.records.back().position.value + 1;
  return std::max(after_last, storage.end);
}

}  // namespace

Result<std::vector<log::Position>> MemoryLog::Append(const std::vector<v1::Envelope>& events) {
  std::vector<log::Position> positions;
  {
    std::lock_guard lock(storage_->mutex);
    uint64_t next = EndOf(*storage_);
    for (const auto& event : events) {
      log::Position position{next++};
      storage_->records.push_back({position, event.stream(), event.SerializeAsString()});
      positions.push_back(position);
    }
    storage_->end = next + (storage_->transaction_markers ? 1 : 0);
  }
  storage_->appended.notify_all();
  return positions;
}

Result<log::Position> MemoryLog::End() {
  std::lock_guard lock(storage_->mutex);
  return log::Position{EndOf(*storage_)};
}

Result<std::unique_ptr<log::LogReader>> MemoryLog::NewReader(log::Position from) {
  return std::unique_ptr<log::LogReader>(std::make_unique<MemoryLogReader>(storage_, from));
}

}  // namespace ledgerdesk::testing
