#include "tests/projections/workload.h"

#include "core/log/envelope_codec.h"
#include "projections/event_counts_projection.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::projections {

RandomWorkload::RandomWorkload(uint64_t seed, int streams) : random_(seed), seed_(seed) {
  for (int i = 0; i < streams; ++i) {
    streams_.push_back("ticket-" + std::to_string(seed % 1000) + "-" + std::to_string(i));
    versions_.push_back(0);
  }
}

std::vector<log::LogRecord> RandomWorkload::Next(size_t count) {
  std::vector<log::LogRecord> out;
  auto event = [&](size_t stream, uint64_t version) {
    const std::string id = testing::IdFromNumber((seed_ << 32) + next_id_++);
    v1::Envelope envelope = testing::MakeEventWithId(
        streams_[stream], version, id, std::string("m").append(std::to_string(random_() % 7)));
    if (random_() % 4 == 0) {  // a second event type
      envelope.mutable_ticket_closed()->set_ticket_id(streams_[stream]);
      log::StampEventType(envelope);
    }
    return envelope;
  };
  while (out.size() < count) {
    const uint64_t dice = random_() % 100;
    size_t stream = random_() % streams_.size();
    log::LogRecord record;
    if (dice < 70 || sent_.empty()) {  // the stream's next version
      v1::Envelope envelope = event(stream, ++versions_[stream]);
      record = {{}, envelope.stream(), envelope.SerializeAsString()};
      sent_.push_back(record);
    } else if (dice < 78) {  // a record again (retried produce, zombie writer)
      record = sent_[random_() % sent_.size()];
    } else if (dice < 86) {  // a new id at a version that is not next (a writer that lost a race)
      const uint64_t current = versions_[stream];
      const uint64_t choices[] = {current, current + 2, current + 5};
      uint64_t version = choices[random_() % 3];
      if (version == 0) version = 2;
      v1::Envelope envelope = event(stream, version);
      record = {{}, envelope.stream(), envelope.SerializeAsString()};
    } else if (dice < 92) {  // bytes that are no envelope at all
      std::string garbage(1 + random_() % 40, '\0');
      for (char& c : garbage) c = static_cast<char>(random_());
      // Mostly bytes that fail at the first tag (field 0): random ones that happen to parse make
      // protobuf log about invalid UTF-8, which only clutters the test output.
      if (random_() % 8 != 0) garbage[0] = '\x07';
      record = {{}, "garbage", garbage};
    } else if (dice < 96) {  // an envelope that does not decode: version 0 or no known payload
      v1::Envelope envelope = event(stream, versions_[stream] + 1);
      if (dice % 2 == 0) {
        envelope.set_stream_version(0);
      } else {
        envelope.clear_payload();
        envelope.set_event_type("ledgerdesk.v9.FromTheFuture");
      }
      record = {{}, envelope.stream(), envelope.SerializeAsString()};
    } else {  // a new stream
      streams_.push_back("ticket-" + std::to_string(seed_ % 1000) + "-" +
                         std::to_string(streams_.size()));
      versions_.push_back(0);
      stream = streams_.size() - 1;
      v1::Envelope envelope = event(stream, ++versions_[stream]);
      record = {{}, envelope.stream(), envelope.SerializeAsString()};
      sent_.push_back(record);
    }
    out.push_back(std::move(record));
  }
  return out;
}

void PushRecords(testing::MemoryLogStorage& storage, std::vector<log::LogRecord> records) {
  {
    std::lock_guard lock(storage.mutex);
    for (auto& record : records) {
      const uint64_t next = storage.records.empty() ? 0 : storage.records.back().position.value + 1;
      record.position = log::Position{next};
      storage.records.push_back(std::move(record));
    }
  }
  storage.appended.notify_all();
}

void ReferenceFold::Apply(const log::LogRecord& record) {
  auto envelope = log::DecodeEnvelope(record.value);
  if (!envelope.ok()) {
    ++counts_.undecodable;
    return;
  }
  switch (validator_.Admit(*envelope)) {
    case log::Verdict::kDuplicate:
      ++counts_.duplicates;
      return;
    case log::Verdict::kConflict:
      ++counts_.conflicts;
      return;
    case log::Verdict::kApply:
      ++counts_.applied;
      break;
  }
  Status status = EventCountsProjection().Apply(record, *envelope, rows_);
  if (!status.ok()) std::abort();  // the reference never fails
}

std::string ReferenceFold::Digest() const {
  return rows_.Digest({std::string(EventCountsProjection::kColumnFamily)});
}

}  // namespace ledgerdesk::projections
