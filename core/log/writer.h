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
  // When set, an idle writer reads what other processes appended this often (a log shared by
  // several writers, or a read-only replica that must see sessions and accounts as they change).
  std::optional<std::chrono::milliseconds> follow_every;
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

  // Blocks until every append this writer made has been read back and answered (at most
  // `timeout`). A command refused for a stale version decides again after this, on a state that
  // includes the appends that were still being confirmed.
  void AwaitConfirmations(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // The version of the last applied event of `stream` (0 when none). Thread-safe.
  uint64_t StreamVersion(const std::string& stream) const;
  // Past the last record this writer has seen.
  Position end() const;
  ValidationCounts counts() const;
  // Why the last read of other processes' appends failed (follow_every), or OK.
  Status follow_status() const;

 private:
  struct Pending {
    std::vector<v1::Envelope> events;
    std::promise<Result<std::vector<Position>>> answer;
  };

  using Watch = std::unordered_map<std::string, std::pair<Verdict, Position>>;

  // A group appended to a shared log whose outcome the writer learns by reading the log back.
  // Later groups are appended meanwhile (assuming this one applies), so the read-back's latency
  // does not limit throughput.
  struct InFlight {
    std::vector<Pending> commands;  // owns the answers of the accepted commands
    std::vector<v1::Envelope> batch;
    Position through;  // the last position the append returned
    std::chrono::steady_clock::time_point appended_at;
  };

  Writer(EventLog& log, WriterOptions options);
  // Admits one record read from the log; records its verdict in `watch` (may be null).
  void AdmitRecord(const LogRecord& record, Watch* watch, bool update_chain);
  // Reads records into the validator: through position `through` when given (the writer's own
  // appends), else to the log's end as it stands. Records the verdict of each event id it meets
  // that is in `watch` (may be null).
  Status CatchUp(std::optional<Position> through, Watch* watch);
  void Run();
  // Reads what others appended while idle (follow_every).
  void Follow();
  void AppendGroup(std::vector<Pending> group);
  // Answers every command of `accepted` (its events are batch[first...]) from the verdicts.
  void AnswerFromVerdicts(std::vector<Pending*>& accepted, const std::vector<v1::Envelope>& batch,
                          const Watch& watch, const Status& append_status,
                          const Status& read_back_status);
  // Reads what the log has (waiting up to `wait`) and answers the in-flight groups it covers.
  void ConfirmInFlight(std::chrono::milliseconds wait);
  // Confirms every in-flight group, waiting as long as it takes (or their time limit).
  void ConfirmAllInFlight();
  // The version a stream will have once the in-flight groups apply.
  uint64_t AssumedVersion(const std::string& stream) const;
  void RebuildInFlightOverlay();

  EventLog& log_;
  WriterOptions options_;
  std::unique_ptr<LogReader> reader_;

  mutable std::mutex state_mutex_;  // guards the fields below it that readers of state use
  StreamValidator validator_;
  std::unordered_map<std::string, Position> positions_by_id_;
  std::string last_hash_;
  Position end_;
  Status follow_status_;

  // Owned by the writer's thread: groups awaiting their read-back, and what they will change.
  std::deque<InFlight> in_flight_;
  Watch in_flight_watch_;
  std::unordered_map<std::string, uint64_t> in_flight_versions_;
  std::mutex confirmed_mutex_;
  std::condition_variable confirmed_cv_;
  size_t in_flight_count_ = 0;  // in_flight_.size(), readable by other threads under the mutex

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ledgerdesk::log
