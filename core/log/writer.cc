#include "core/log/writer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <unordered_set>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::log {
namespace {

constexpr size_t kReadBatch = 4096;
// Groups appended to a shared log that may await their read-back at once.
constexpr size_t kMaxInFlight = 8;
// How long an appended group may wait for its read-back before it is answered "unconfirmed".
constexpr auto kConfirmationLimit = std::chrono::seconds(30);

}  // namespace

Writer::Writer(EventLog& log, WriterOptions options) : log_(log), options_(std::move(options)) {}

Result<std::unique_ptr<Writer>> Writer::Start(EventLog& log, WriterOptions options) {
  std::unique_ptr<Writer> writer(new Writer(log, std::move(options)));
  LD_ASSIGN_OR_RETURN(writer->reader_, log.NewReader(Position{0}));
  LD_RETURN_IF_ERROR(writer->CatchUp(std::nullopt, nullptr));
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

Writer::~Writer() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& pending : queue_) pending.answer.set_value(Unavailable("the writer is shutting down"));
}

void Writer::AdmitRecord(const LogRecord& record, Watch* watch, bool update_chain) {
  end_ = Position{record.position.value + 1};
  if (update_chain) last_hash_ = Sha256(record.value);
  auto envelope = DecodeEnvelope(record.value);
  if (!envelope.ok()) {  // not ours, or from a newer version: every reader skips it
    validator_.SkipUndecodable();
    return;
  }
  const Verdict verdict = validator_.Admit(*envelope);
  if (verdict == Verdict::kApply) {
    positions_by_id_[envelope->event_id()] = record.position;
    if (options_.on_apply) options_.on_apply(*envelope, record.position);
  }
  if (watch != nullptr) {
    auto it = watch->find(envelope->event_id());
    if (it != watch->end() && it->second.first != Verdict::kApply) {
      it->second = {verdict, record.position};
    }
  }
}

Status Writer::CatchUp(std::optional<Position> through, Watch* watch) {
  LD_ASSIGN_OR_RETURN(Position log_end, log_.End());
  if (through.has_value()) log_end = Position{through->value + 1};
  while (end() < log_end) {
    LD_ASSIGN_OR_RETURN(auto records, reader_->Read(kReadBatch, std::chrono::milliseconds(1000)));
    if (records.empty()) {
      if (through.has_value()) {
        return Unavailable("the log stopped answering while the writer read its appends back (at " +
                           std::to_string(end().value) + ", expecting " +
                           std::to_string(through->value) + ")");
      }
      // Kafka's end counts transaction markers (and a real broker puts one after every commit)
      // that no record stands at: when the end has not moved, what is left is markers.
      LD_ASSIGN_OR_RETURN(Position now, log_.End());
      if (now == log_end) break;
      log_end = now;
      continue;
    }
    std::lock_guard lock(state_mutex_);
    for (const LogRecord& record : records) AdmitRecord(record, watch, /*update_chain=*/true);
  }
  return OkStatus();
}

Result<std::vector<Position>> Writer::Append(std::vector<v1::Envelope> events) {
  if (events.empty()) return std::vector<Position>{};
  Pending pending{.events = std::move(events), .answer = {}};
  auto answer = pending.answer.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return Unavailable("the writer is shutting down");
    queue_.push_back(std::move(pending));
  }
  queue_cv_.notify_one();
  return answer.get();
}

void Writer::AwaitConfirmations(std::chrono::milliseconds timeout) {
  std::unique_lock lock(confirmed_mutex_);
  confirmed_cv_.wait_for(lock, timeout, [&] { return in_flight_count_ == 0; });
}

void Writer::Run() {
  for (;;) {
    std::vector<Pending> group;
    bool more_waiting = false;
    {
      std::unique_lock lock(queue_mutex_);
      const auto has_work = [&] { return stopping_ || !queue_.empty(); };
      if (in_flight_.empty() && options_.follow_every) {
        if (!queue_cv_.wait_for(lock, *options_.follow_every, has_work)) {
          lock.unlock();
          Follow();
          continue;
        }
      } else if (in_flight_.empty()) {
        queue_cv_.wait(lock, has_work);
      }
      if (stopping_) break;
      if (in_flight_.size() < kMaxInFlight) {
        size_t events = 0;
        while (!queue_.empty() && (group.empty() || events + queue_.front().events.size() <=
                                                        options_.max_group_events)) {
          events += queue_.front().events.size();
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      more_waiting = !queue_.empty();
    }
    if (!group.empty()) AppendGroup(std::move(group));
    if (!in_flight_.empty()) {
      // Wait on the log only when no command waits to be appended.
      const bool idle = !more_waiting || in_flight_.size() >= kMaxInFlight;
      ConfirmInFlight(idle ? std::chrono::milliseconds(5) : std::chrono::milliseconds(0));
    }
  }
  for (auto& flight : in_flight_) {
    for (auto& pending : flight.commands) {
      pending.answer.set_value(Unavailable("the writer shut down before it read its append back"));
    }
  }
  in_flight_.clear();
}

void Writer::Follow() {
  Status status = CatchUp(std::nullopt, nullptr);
  std::lock_guard lock(state_mutex_);
  follow_status_ = std::move(status);
}

Status Writer::follow_status() const {
  std::lock_guard lock(state_mutex_);
  return follow_status_;
}

uint64_t Writer::AssumedVersion(const std::string& stream) const {
  auto it = in_flight_versions_.find(stream);
  return it != in_flight_versions_.end() ? it->second : validator_.StreamVersion(stream);
}

void Writer::RebuildInFlightOverlay() {
  in_flight_versions_.clear();
  for (const auto& flight : in_flight_) {
    for (const auto& event : flight.batch)
      in_flight_versions_[event.stream()] = event.stream_version();
  }
  std::lock_guard lock(confirmed_mutex_);
  in_flight_count_ = in_flight_.size();
  if (in_flight_count_ == 0) confirmed_cv_.notify_all();
}

void Writer::AppendGroup(std::vector<Pending> group) {
  // 1. Decide which commands may go: every event the next version of its stream (counting the
  //    commands before it in this group and the groups still in flight) and a new id. A command
  //    whose ids were all appended before is a retry: it gets its first positions back.
  std::vector<Pending*> accepted;
  std::vector<v1::Envelope> batch;  // the accepted commands' events, in order, moved in
  std::string chain_end;            // the hash of the batch's last envelope
  {
    std::lock_guard lock(state_mutex_);
    std::unordered_map<std::string, uint64_t> group_versions;
    std::unordered_set<std::string> group_ids;
    for (Pending& pending : group) {
      std::vector<Position> earlier;
      for (const auto& event : pending.events) {
        auto it = positions_by_id_.find(event.event_id());
        if (it != positions_by_id_.end()) earlier.push_back(it->second);
      }
      if (earlier.size() == pending.events.size()) {
        pending.answer.set_value(std::move(earlier));
        continue;
      }
      Status verdict;
      // The streams this command moves, over what the group's earlier commands moved.
      std::unordered_map<std::string, uint64_t> versions;
      std::unordered_set<std::string> ids;
      for (const auto& event : pending.events) {
        if (event.event_id().size() != 16 || event.stream().empty()) {
          verdict = InvalidArgument("an event needs a stream and a 16-byte event id");
          break;
        }
        if (!earlier.empty() || group_ids.contains(event.event_id()) ||
            in_flight_watch_.contains(event.event_id()) || !ids.insert(event.event_id()).second) {
          verdict = Aborted("some of this command's events were appended already");
          break;
        }
        auto [version, inserted] = versions.try_emplace(event.stream(), 0);
        if (inserted) {
          auto earlier_in_group = group_versions.find(event.stream());
          version->second = earlier_in_group != group_versions.end()
                                ? earlier_in_group->second
                                : AssumedVersion(event.stream());
        }
        if (event.stream_version() != version->second + 1) {
          verdict = Aborted("stream " + event.stream() + " is at version " +
                            std::to_string(version->second) + ", the event expected " +
                            std::to_string(event.stream_version() - 1));
          break;
        }
        version->second = event.stream_version();
      }
      if (!verdict.ok()) {
        pending.answer.set_value(verdict);
        continue;
      }
      for (auto& [stream, version] : versions) group_versions[stream] = version;
      group_ids.insert(ids.begin(), ids.end());
      accepted.push_back(&pending);
    }
    // 2. Stamp and chain.
    const auto now = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.clock().time_since_epoch())
            .count());
    std::string previous = last_hash_;
    for (Pending* pending : accepted) {
      for (auto& event : pending->events) {
        StampEventType(event);
        *event.mutable_recorded_at() = now;
        event.set_previous_hash(previous);
        previous = Sha256(event.SerializeAsString());
        batch.push_back(std::move(event));
      }
    }
    chain_end = std::move(previous);
  }
  if (batch.empty()) return;

  // 3. One append for the whole group.
  auto positions = log_.Append(batch);
  if (positions.ok() && log_.HasExclusiveWriter()) {
    std::lock_guard lock(state_mutex_);
    size_t i = 0;
    for (Pending* pending : accepted) {
      std::vector<Position> own;
      for (size_t end = i + pending->events.size(); i < end; ++i) {
        validator_.Admit(batch[i]);
        positions_by_id_[batch[i].event_id()] = (*positions)[i];
        if (options_.on_apply) options_.on_apply(batch[i], (*positions)[i]);
        own.push_back((*positions)[i]);
      }
      pending->answer.set_value(std::move(own));
    }
    end_ = Position{positions->back().value + 1};
    last_hash_ = std::move(chain_end);
    return;
  }

  if (positions.ok()) {
    // 4. A shared log: the group's outcome comes from reading it back, through the validation
    //    every reader applies. Meanwhile later groups go out, assuming this one applies.
    InFlight flight;
    for (Pending* pending : accepted) flight.commands.push_back(std::move(*pending));
    flight.through = *std::max_element(positions->begin(), positions->end());
    flight.appended_at = std::chrono::steady_clock::now();
    for (const auto& event : batch) {
      in_flight_watch_[event.event_id()] = {Verdict::kConflict, Position{}};
    }
    flight.batch = std::move(batch);
    {
      std::lock_guard lock(state_mutex_);
      last_hash_ = std::move(chain_end);
    }
    in_flight_.push_back(std::move(flight));
    RebuildInFlightOverlay();
    return;
  }

  // 5. A failed append may still have written some of it: settle the groups in flight, then read
  //    to the end as it stands and answer from what every reader would decide.
  ConfirmAllInFlight();
  Watch watch;
  for (const auto& event : batch) watch[event.event_id()] = {Verdict::kConflict, Position{}};
  const Status read_back = CatchUp(std::nullopt, &watch);
  AnswerFromVerdicts(accepted, batch, watch, positions.status(), read_back);
}

void Writer::AnswerFromVerdicts(std::vector<Pending*>& accepted,
                                const std::vector<v1::Envelope>& batch, const Watch& watch,
                                const Status& append_status, const Status& read_back_status) {
  size_t next = 0;
  for (Pending* pending : accepted) {
    std::vector<Position> own;
    Status failure;
    const size_t first = next;
    next += pending->events.size();  // its events were moved into batch[first, next)
    for (size_t i = first; i < next; ++i) {
      const v1::Envelope& event = batch[i];
      auto it = watch.find(event.event_id());
      if (it != watch.end() && it->second.first == Verdict::kApply) {
        own.push_back(it->second.second);
        continue;
      }
      std::lock_guard lock(state_mutex_);
      auto applied = positions_by_id_.find(event.event_id());
      if (applied != positions_by_id_.end()) {
        own.push_back(applied->second);
      } else if (!append_status.ok()) {
        failure = append_status;
      } else if (!read_back_status.ok()) {
        failure = read_back_status.WithContext("appended, but not yet confirmed by reading back");
      } else if (it != watch.end() && it->second.first == Verdict::kConflict) {
        failure = Aborted("another writer appended to stream " + event.stream() + " first");
      } else {
        failure = Unavailable("an appended event was not found when reading the log back");
      }
    }
    if (failure.ok()) {
      pending->answer.set_value(std::move(own));
    } else {
      pending->answer.set_value(failure);
    }
  }
}

void Writer::ConfirmInFlight(std::chrono::milliseconds wait) {
  auto records = reader_->Read(kReadBatch, wait);
  Status read_status = records.ok() ? OkStatus() : records.status();
  if (records.ok()) {
    std::lock_guard lock(state_mutex_);
    for (const LogRecord& record : *records) {
      AdmitRecord(record, &in_flight_watch_, /*update_chain=*/false);
    }
  }
  bool answered = false;
  while (!in_flight_.empty()) {
    InFlight& flight = in_flight_.front();
    const bool covered = end() > flight.through;
    const bool too_late =
        std::chrono::steady_clock::now() - flight.appended_at > kConfirmationLimit;
    if (!covered && read_status.ok() && !too_late) break;
    Status unconfirmed = read_status;
    if (!covered && read_status.ok()) {
      unconfirmed = Unavailable("the log did not show the append within " +
                                std::to_string(kConfirmationLimit.count()) + " s");
    }
    std::vector<Pending*> accepted;
    for (auto& pending : flight.commands) accepted.push_back(&pending);
    AnswerFromVerdicts(accepted, flight.batch, in_flight_watch_, OkStatus(),
                       covered ? OkStatus() : unconfirmed);
    for (const auto& event : flight.batch) in_flight_watch_.erase(event.event_id());
    in_flight_.pop_front();
    answered = true;
  }
  if (answered) RebuildInFlightOverlay();
}

void Writer::ConfirmAllInFlight() {
  while (!in_flight_.empty()) ConfirmInFlight(std::chrono::milliseconds(100));
}

uint64_t Writer::StreamVersion(const std::string& stream) const {
  std::lock_guard lock(state_mutex_);
  return validator_.StreamVersion(stream);
}

Position Writer::end() const {
  std::lock_guard lock(state_mutex_);
  return end_;
}

ValidationCounts Writer::counts() const {
  std::lock_guard lock(state_mutex_);
  return validator_.counts();
}

}  // namespace ledgerdesk::log
