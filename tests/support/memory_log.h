#pragma once

// An EventLog held in memory: for tests of code above the log (the writer, projections) and as the
// reference participant of the backend conformance suite. Its storage outlives any one
// MemoryLog opened on it, so "restart" tests can reopen it.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/log/event_log.h"

namespace ledgerdesk::testing {

struct MemoryLogStorage {
  std::mutex mutex;
  std::condition_variable appended;
  std::vector<log::LogRecord> records;  // in increasing position order; tests may push their own
  // Like a real Kafka broker: every append is followed by a transaction marker, a position that no
  // record stands at, so positions have gaps and the end is one past the last record's.
  bool transaction_markers = false;
  uint64_t end = 0;  // the end as Append left it (counts the marker)
};

class MemoryLog : public log::EventLog {
 public:
  explicit MemoryLog(
      std::shared_ptr<MemoryLogStorage> storage = std::make_shared<MemoryLogStorage>())
      : storage_(std::move(storage)) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>& events) override;
  Result<log::Position> End() override;
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override;
  bool HasExclusiveWriter() const override { return exclusive_; }
  std::string Describe() const override { return "in-memory log"; }

  // Lets tests take the path a shared (Kafka-like) log takes in the writer.
  void set_exclusive_writer(bool exclusive) { exclusive_ = exclusive; }
  const std::shared_ptr<MemoryLogStorage>& storage() const { return storage_; }

 private:
  std::shared_ptr<MemoryLogStorage> storage_;
  bool exclusive_ = true;
};

}  // namespace ledgerdesk::testing
