#pragma once

// The single writer in front of the log. Commands hand it their events; it checks each against
// the streams' current versions, shares one log append (one fsync, one Kafka transaction) among all
// commands that arrive meanwhile — the group commit —, stamps type, time and the previous-hash
// chain, and answers each command with its positions once they are durable. On a log that other
// writers may share (Kafka), it reads its appends back through the same validation every reader
// uses and answers kAborted for events another writer beat.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "core/log/stream_validator.h"

namespace ledgerdesk::log {

struct WriterOptions {
  size_t max_group_events = 8192;  // at most this many events share one log append
  // Called for every event the log's validation applies, in log order, on the writer's thread and
  // before the command that appended it is answered: the write side folds its state here.
  std::function<void(const v1::Envelope&, Position)> on_apply;
  // The recorded_at clock (tests inject a fixed one).
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

class Writer {
 public:
  // Reads the whole log (the state every reader would fold to), then starts the append thread.
  // `log` must outlive the writer.
  static Result<std::unique_ptr<Writer>> Start(EventLog& log, WriterOptions options = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends one command's events atomically and durably. Each envelope carries its stream, the
  // version it expects to become and a 16-byte event id; the writer fills event_type, recorded_at
  // and previous_hash. Returns the positions in order. Thread-safe; blocks until durable.
  // Errors: kAborted when a stream is not at the version an event expects (reload and retry) —
  // nothing of the command is appended; otherwise the log's own error when it could not be
  // written (kUnavailable, or kInternal for a disk I/O failure). A retry with the same event ids
  // is safe: ids already appended answer with their first positions.
  Result<std::vector<Position>> Append(std::vector<v1::Envelope> events);

  // The version of the last applied event of `stream` (0 when none). Thread-safe.
  uint64_t StreamVersion(const std::string& stream) const;
  // Past the last record this writer has seen.
  Position end() const;
  ValidationCounts counts() const;

 private:
  struct Pending {
    std::vector<v1::Envelope> events;
    std::promise<Result<std::vector<Position>>> answer;
  };

  Writer(EventLog& log, WriterOptions options);
  // Reads records into the validator: through position `through` when given (the writer's own
  // appends), else to the log's end as it stands. Records the verdict of each event id it meets
  // that is in `watch` (may be null).
  Status CatchUp(std::optional<Position> through,
                 std::unordered_map<std::string, std::pair<Verdict, Position>>* watch);
  void Run();
  void AppendGroup(std::vector<Pending>& group);

  EventLog& log_;
  WriterOptions options_;
  std::unique_ptr<LogReader> reader_;

  mutable std::mutex state_mutex_;  // guards the fields below it that readers of state use
  StreamValidator validator_;
  std::unordered_map<std::string, Position> positions_by_id_;
  std::string last_hash_;
  Position end_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ledgerdesk::log
