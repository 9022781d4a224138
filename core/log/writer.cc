#include "core/log/writer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <unordered_set>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::log {
namespace {

constexpr size_t kReadBatch = 4096;

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

Status Writer::CatchUp(std::optional<Position> through,
                       std::unordered_map<std::string, std::pair<Verdict, Position>>* watch) {
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
    for (const LogRecord& record : records) {
      end_ = Position{record.position.value + 1};
      last_hash_ = Sha256(record.value);
      auto envelope = DecodeEnvelope(record.value);
      if (!envelope.ok()) {  // not ours, or from a newer version: every reader skips it
        validator_.SkipUndecodable();
        continue;
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

void Writer::Run() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().events.size() <=
                                                      options_.max_group_events)) {
        events += queue_.front().events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    AppendGroup(group);
    group.clear();
  }
}

void Writer::AppendGroup(std::vector<Pending>& group) {
  // 1. Decide which commands may go: every event the next version of its stream (counting the
  //    commands before it in this group) and a new id. A command whose ids were all appended
  //    before is a retry: it gets its first positions back and appends nothing.
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
            !ids.insert(event.event_id()).second) {
          verdict = Aborted("some of this command's events were appended already");
          break;
        }
        auto [version, inserted] = versions.try_emplace(event.stream(), 0);
        if (inserted) {
          auto earlier = group_versions.find(event.stream());
          version->second = earlier != group_versions.end()
                                ? earlier->second
                                : validator_.StreamVersion(event.stream());
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

  // 4. A shared log (or a failed append, which may still have written): read back what is there,
  //    through the same validation as every reader, and answer from what it decided.
  std::unordered_map<std::string, std::pair<Verdict, Position>> watch;
  for (const auto& event : batch) watch[event.event_id()] = {Verdict::kConflict, Position{}};
  // Our records are known to stand up to the last position the append returned; after a failed
  // append, read to the end as it is.
  std::optional<Position> through;
  if (positions.ok()) through = *std::max_element(positions->begin(), positions->end());
  const Status read_back = CatchUp(through, &watch);
  size_t next = 0;
  for (Pending* pending : accepted) {
    std::vector<Position> own;
    Status failure;
    const size_t first = next;
    next += pending->events.size();  // its events were moved into batch[first, next)
    for (size_t i = first; i < next; ++i) {
      const v1::Envelope& event = batch[i];
      auto it = watch.find(event.event_id());
      std::lock_guard lock(state_mutex_);
      auto applied = positions_by_id_.find(event.event_id());
      if (applied != positions_by_id_.end()) {
        own.push_back(applied->second);
      } else if (!positions.ok()) {
        failure = positions.status();
      } else if (!read_back.ok()) {
        failure = read_back.WithContext("appended, but not yet confirmed by reading back");
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
