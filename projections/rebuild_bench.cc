#include "projections/rebuild_bench.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <vector>

#include "core/log/envelope_codec.h"
#include "projections/event_counts_projection.h"
#include "projections/rebuild.h"

namespace ledgerdesk::projections {
namespace {

// Pre-serialized records served from memory: the benchmark measures the projections, not a log.
class VectorLog : public log::EventLog {
 public:
  explicit VectorLog(std::vector<log::LogRecord> records) : records_(std::move(records)) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>&) override {
    return FailedPrecondition("the benchmark log is read-only");
  }
  Result<log::Position> End() override { return log::Position{records_.size()}; }
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override {
    return std::unique_ptr<log::LogReader>(std::make_unique<Reader>(records_, from.value));
  }
  bool HasExclusiveWriter() const override { return true; }
  std::string Describe() const override { return "benchmark log in memory"; }

 private:
  class Reader : public log::LogReader {
   public:
    Reader(const std::vector<log::LogRecord>& records, uint64_t next)
        : records_(records), next_(next) {}
    Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                             std::chrono::milliseconds) override {
      std::vector<log::LogRecord> out;
      out.reserve(
          std::min<size_t>(max_records, records_.size() - std::min(next_, records_.size())));
      while (next_ < records_.size() && out.size() < max_records) out.push_back(records_[next_++]);
      return out;
    }

   private:
    const std::vector<log::LogRecord>& records_;
    uint64_t next_;
  };

  std::vector<log::LogRecord> records_;
};

std::vector<log::LogRecord> GenerateRecords(size_t events) {
  std::mt19937_64 random(20240501);
  constexpr size_t kEventsPerStream = 10;
  constexpr size_t kOpenStreams = 5000;  // tickets in progress at once
  struct Open {
    std::string stream;
    uint64_t version = 0;
  };
  std::vector<Open> open;
  size_t next_stream = 0;
  std::vector<log::LogRecord> records;
  records.reserve(events);
  v1::Envelope envelope;
  for (size_t i = 0; i < events; ++i) {
    while (open.size() < kOpenStreams) {
      char name[40];
      std::snprintf(name, sizeof name, "ticket-%016llx",
                    static_cast<unsigned long long>(next_stream++ * 0x9e3779b97f4a7c15ull));
      open.push_back({name, 0});
    }
    const size_t pick = random() % open.size();
    Open& stream = open[pick];
    envelope.Clear();
    std::string id(16, '\0');
    const uint64_t a = random(), b = random();
    std::memcpy(id.data(), &a, 8);
    std::memcpy(id.data() + 8, &b, 8);
    envelope.set_event_id(id);
    envelope.set_stream(stream.stream);
    envelope.set_stream_version(++stream.version);
    envelope.mutable_occurred_at()->set_seconds(1'795'000'000 + static_cast<int64_t>(i));
    envelope.mutable_recorded_at()->set_seconds(1'795'000'000 + static_cast<int64_t>(i));
    envelope.mutable_actor()->set_role(v1::ROLE_ENGINEER);
    envelope.set_correlation_id(id);
    envelope.set_previous_hash(std::string(32, 'h'));
    if (stream.version % 3 == 0) {
      auto* posted = envelope.mutable_message_posted();
      posted->set_ticket_id(stream.stream);
      posted->set_message_id("message-" + std::to_string(i));
      posted->set_author_account_id("account-0042");
      posted->set_author_role(v1::ROLE_ENGINEER);
      posted->mutable_body()->set_key_id("subject-key-0042");
      posted->mutable_body()->set_nonce(std::string(24, 'n'));
      posted->mutable_body()->set_ciphertext(std::string(160, 'c'));  // a short sealed message
    } else {
      auto* changed = envelope.mutable_ticket_status_changed();
      changed->set_ticket_id(stream.stream);
      changed->set_from(v1::TICKET_STATUS_OPEN);
      changed->set_to(v1::TICKET_STATUS_IN_PROGRESS);
      changed->set_changed_by("engineer-0042");
    }
    log::StampEventType(envelope);
    records.push_back({log::Position{i}, stream.stream, envelope.SerializeAsString()});
    if (stream.version >= kEventsPerStream) {
      open[pick] = std::move(open.back());
      open.pop_back();
    }
  }
  return records;
}

}  // namespace

Result<RebuildBenchResult> RunRebuildBench(size_t events,
                                           const std::filesystem::path& scratch_dir) {
  VectorLog log(GenerateRecords(events));
  const ProjectionSet projections = {std::make_shared<EventCountsProjection>()};
  const auto dir = scratch_dir / "projections";
  const std::clock_t cpu_started = std::clock();
  LD_ASSIGN_OR_RETURN(RebuildResult rebuilt, Rebuild(log, projections, dir));
  const std::clock_t cpu_used = std::clock() - cpu_started;
  RebuildBenchResult result;
  result.events = events;
  result.seconds = rebuilt.seconds;
  result.events_per_second = rebuilt.records_per_second;
  result.cpu_seconds = static_cast<double>(cpu_used) / CLOCKS_PER_SEC;
  LD_ASSIGN_OR_RETURN(auto store, Store::Open({.dir = dir, .column_families = {"event_counts"}}));
  LD_ASSIGN_OR_RETURN(result.digest, Digest(*store));
  return result;
}

}  // namespace ledgerdesk::projections
