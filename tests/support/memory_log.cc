#include "tests/support/memory_log.h"

namespace ledgerdesk::testing {
namespace {

class MemoryLogReader : public log::LogReader {
 public:
  MemoryLogReader(std::shared_ptr<MemoryLogStorage> storage, log::Position from)
      : storage_(std::move(storage)), next_(from.value) {}

  Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                           std::chrono::milliseconds wait) override {
    std::unique_lock lock(storage_->mutex);
    storage_->appended.wait_for(lock, wait, [&] { return next_ < storage_->records.size(); });
    std::vector<log::LogRecord> out;
    while (next_ < storage_->records.size() && out.size() < max_records) {
      out.push_back(storage_->records[next_++]);
    }
    return out;
  }

 private:
  std::shared_ptr<MemoryLogStorage> storage_;
  uint64_t next_;
};

}  // namespace

Result<std::vector<log::Position>> MemoryLog::Append(const std::vector<v1::Envelope>& events) {
  std::vector<log::Position> positions;
  {
    std::lock_guard lock(storage_->mutex);
    for (const auto& event : events) {
      log::Position position{storage_->records.size()};
      storage_->records.push_back({position, event.stream(), event.SerializeAsString()});
      positions.push_back(position);
    }
  }
  storage_->appended.notify_all();
  return positions;
}

Result<log::Position> MemoryLog::End() {
  std::lock_guard lock(storage_->mutex);
  return log::Position{storage_->records.size()};
}

Result<std::unique_ptr<log::LogReader>> MemoryLog::NewReader(log::Position from) {
  return std::unique_ptr<log::LogReader>(std::make_unique<MemoryLogReader>(storage_, from));
}

}  // namespace ledgerdesk::testing
