#pragma once

// The write side's service loop (style.md: "load, decide, append, retry on conflict"): one model
// folded from the log in log order by the writer, commands decided against it under a shared lock,
// their events appended through the group-committing writer, and decided again on the newer state
// when another command won a stream first.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "core/domain/model.h"
#include "core/domain/recorded_decision.h"
#include "core/log/event_log.h"
#include "core/log/writer.h"

namespace ledgerdesk::app {

struct WriteServiceOptions {
  int max_attempts =
      8;  // decisions retried on version conflicts before kAborted reaches the caller
  // Reads other processes' appends while idle this often (log::WriterOptions::follow_every).
  std::optional<std::chrono::milliseconds> follow_every;
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

// Decides a command on the current state: events to append, or why not.
using Decision = std::function<Result<std::vector<v1::Envelope>>(const domain::Model&,
                                                                 const domain::CommandContext&)>;

// Decides one of the few commands whose refusal still records events (a failed login or
// verification: domain/recorded_decision.h).
using RecordingDecision =
    std::function<domain::RecordedDecision(const domain::Model&, const domain::CommandContext&)>;

struct Outcome {
  std::vector<log::Position> positions;  // empty when the command changed nothing
  // Past the last event of the command, or the log's end when it changed nothing: a reader that
  // waits for this position sees the command's effect (read-your-writes).
  log::Position position;
};

class WriteService {
 public:
  // Starts the writer on `log` (reading it all into the model). `log` outlives the service.
  static Result<std::unique_ptr<WriteService>> Start(log::EventLog& log,
                                                     WriteServiceOptions options = {});

  // Runs a command: decides, appends, retries on conflict. With an idempotency key, a command whose
  // key was already used answers with that first command's positions and appends nothing.
  // Thread-safe.
  Result<Outcome> Execute(const v1::Actor& actor, const Decision& decide,
                          const std::string& idempotency_key = "");

  // Runs a command as Execute does, except that a refused decision's events are appended too
  // before its refusal is returned (so a failed login is in the log and counts towards the
  // lockout). The events of a refusal do not carry the idempotency key: a retried refused attempt
  // is decided (and recorded) again, as a new attempt. Thread-safe.
  Result<Outcome> ExecuteRecorded(const v1::Actor& actor, const RecordingDecision& decide,
                                  const std::string& idempotency_key = "");

  // Runs `read` on the current model under the shared lock.
  void Read(const std::function<void(const domain::Model&)>& read) const;

  log::Position end() const { return writer_->end(); }
  // Waits until the model has folded the log up to `position` (a replica following the writer);
  // false after `timeout`.
  bool WaitFor(log::Position position, std::chrono::milliseconds timeout) const;
  Status follow_status() const { return writer_->follow_status(); }

 private:
  explicit WriteService(WriteServiceOptions options) : options_(std::move(options)) {}
  void Apply(const v1::Envelope& event, log::Position position);
  Result<Outcome> ExecuteOnce(const v1::Actor& actor, const RecordingDecision& decide,
                              const std::string& idempotency_key);

  WriteServiceOptions options_;
  mutable std::shared_mutex model_mutex_;
  domain::Model model_;
  std::unordered_map<std::string, std::vector<log::Position>> by_idempotency_key_;
  // Keys of commands under way: a concurrent retry waits for the first to finish.
  std::mutex in_flight_mutex_;
  std::condition_variable in_flight_done_;
  std::unordered_set<std::string> in_flight_;
  std::shared_mutex gate_;  // shared by first attempts, held alone by a command deciding again
  std::unique_ptr<log::Writer> writer_;
};

}  // namespace ledgerdesk::app
