// The conformance suite every EventLog backend passes: the in-memory reference, the embedded log
// and Kafka through librdkafka's mock cluster run the same tests.

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/log/embedded_log.h"
#include "core/log/envelope_codec.h"
#include "core/log/kafka_log.h"
#include "core/log/kafka_mock_cluster.h"
#include "core/log/stream_validator.h"
#include "core/log/writer.h"
#include "tests/support/memory_log.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

using testing::MakeEvent;

// Opens a backend's log, again and again on the same storage (a "restart").
class LogHarness {
 public:
  virtual ~LogHarness() = default;
  virtual Result<std::unique_ptr<EventLog>> Open() = 0;
};

class MemoryHarness : public LogHarness {
 public:
  // `exclusive` false makes the writer take the read-back path a shared log (Kafka) needs;
  // `markers` puts a transaction marker after every append, as a real Kafka broker does.
  explicit MemoryHarness(bool exclusive, bool markers = false) : exclusive_(exclusive) {
    storage_->transaction_markers = markers;
  }
  Result<std::unique_ptr<EventLog>> Open() override {
    auto log = std::make_unique<testing::MemoryLog>(storage_);
    log->set_exclusive_writer(exclusive_);
    return std::unique_ptr<EventLog>(std::move(log));
  }

 private:
  bool exclusive_;
  std::shared_ptr<testing::MemoryLogStorage> storage_ =
      std::make_shared<testing::MemoryLogStorage>();
};

class EmbeddedHarness : public LogHarness {
 public:
  Result<std::unique_ptr<EventLog>> Open() override {
    LD_ASSIGN_OR_RETURN(auto log, EmbeddedLog::Open({.dir = dir_.path() / "log"}));
    return std::unique_ptr<EventLog>(std::move(log));
  }

 private:
  testing::TempDir dir_;
};

class KafkaHarness : public LogHarness {
 public:
  Result<std::unique_ptr<EventLog>> Open() override {
    if (cluster_ == nullptr) {
      LD_ASSIGN_OR_RETURN(cluster_, MockKafkaCluster::Start(1));
      LD_RETURN_IF_ERROR(cluster_->CreateTopic("conformance", 1));
    }
    return OpenKafkaLog({.brokers = cluster_->bootstrap_servers(),
                         .topic = "conformance",
                         .transactional_id = "conformance-writer",
                         .timeout = std::chrono::milliseconds(10000)});
  }

 private:
  std::unique_ptr<MockKafkaCluster> cluster_;
};

struct Backend {
  std::string name;
  std::function<std::unique_ptr<LogHarness>()> make;
};

class LogConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    auto log = harness_->Open();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }

  void Reopen() {
    log_.reset();
    auto log = harness_->Open();
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
  }

  // Reads every record from `from` to the end as it stands now.
  std::vector<LogRecord> ReadAll(Position from = Position{0}) {
    std::vector<LogRecord> all;
    auto end = log_->End();
    EXPECT_TRUE(end.ok()) << end.status().ToString();
    auto reader = log_->NewReader(from);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    for (int idle = 0; idle < 3 && (all.empty() || all.back().position.value + 1 < end->value);) {
      auto batch = (*reader)->Read(1000, std::chrono::milliseconds(500));
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok()) break;
      if (batch->empty()) ++idle;
      for (auto& record : *batch) all.push_back(std::move(record));
    }
    return all;
  }

  std::unique_ptr<LogHarness> harness_;
  std::unique_ptr<EventLog> log_;
};

TEST_P(LogConformanceTest, EmptyLogHasNothingToRead) {
  auto reader = log_->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  auto batch = (*reader)->Read(10, std::chrono::milliseconds(100));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE(batch->empty());
}

TEST_P(LogConformanceTest, AppendReturnsIncreasingPositionsInOrder) {
  std::vector<v1::Envelope> events = {MakeEvent("s-a", 1), MakeEvent("s-b", 1),
                                      MakeEvent("s-a", 2)};
  auto first = log_->Append(events);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_LT((*first)[0], (*first)[1]);
  EXPECT_LT((*first)[1], (*first)[2]);
  auto second = log_->Append({MakeEvent("s-b", 2)});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_LT((*first)[2], (*second)[0]);
  auto end = log_->End();
  ASSERT_TRUE(end.ok());
  EXPECT_GT(end->value, (*second)[0].value);
}

TEST_P(LogConformanceTest, ReadReturnsWhatWasAppendedAtItsPositions) {
  std::vector<v1::Envelope> events;
  for (int i = 1; i <= 50; ++i) events.push_back(MakeEvent("stream-" + std::to_string(i % 5), i));
  auto positions = log_->Append(events);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  auto records = ReadAll();
  ASSERT_EQ(records.size(), events.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].position, (*positions)[i]);
    EXPECT_EQ(records[i].key, events[i].stream());
    auto decoded = DecodeEnvelope(records[i].value);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->event_id(), events[i].event_id());
    EXPECT_EQ(decoded->stream_version(), events[i].stream_version());
  }
}

TEST_P(LogConformanceTest, ReaderStartsAtTheGivenPosition) {
  std::vector<v1::Envelope> events;
  for (int i = 1; i <= 20; ++i) events.push_back(MakeEvent("s", i));
  auto positions = log_->Append(events);
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  auto tail = ReadAll((*positions)[12]);
  ASSERT_EQ(tail.size(), 8u);
  EXPECT_EQ(tail.front().position, (*positions)[12]);
  auto decoded = DecodeEnvelope(tail.front().value);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->stream_version(), 13u);
}

TEST_P(LogConformanceTest, FollowingReaderSeesLaterAppends) {
  auto reader = log_->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  std::thread appender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_TRUE(log_->Append({MakeEvent("follow", 1), MakeEvent("follow", 2)}).ok());
  });
  std::vector<LogRecord> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (seen.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*reader)->Read(10, std::chrono::milliseconds(500));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (auto& record : *batch) seen.push_back(std::move(record));
  }
  appender.join();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_LT(seen[0].position, seen[1].position);
}

TEST_P(LogConformanceTest, RestartKeepsEverythingAndContinuesAfterIt) {
  std::vector<v1::Envelope> events;
  for (int i = 1; i <= 30; ++i) events.push_back(MakeEvent("restart", i));
  auto before = log_->Append(events);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  Reopen();
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 30u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].position, (*before)[i]);
  auto after = log_->Append({MakeEvent("restart", 31)});
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_GT((*after)[0], before->back());
  EXPECT_EQ(ReadAll().size(), 31u);
}

TEST_P(LogConformanceTest, WriterGroupsConcurrentCommandsAndEveryReaderAgrees) {
  auto writer = Writer::Start(*log_);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  constexpr int kThreads = 8;
  constexpr int kCommands = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  std::mutex positions_mutex;
  std::set<uint64_t> positions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "writer-" + std::to_string(t);
      for (int i = 1; i <= kCommands; ++i) {
        auto appended = (*writer)->Append({MakeEvent(stream, i)});
        if (!appended.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(positions_mutex);
        positions.insert((*appended)[0].value);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(positions.size(), size_t{kThreads * kCommands});
  StreamValidator reader_view;
  for (const auto& record : ReadAll()) {
    auto envelope = DecodeEnvelope(record.value);
    ASSERT_TRUE(envelope.ok());
    EXPECT_EQ(reader_view.Admit(*envelope), Verdict::kApply);
  }
  EXPECT_EQ(reader_view.counts().applied, uint64_t{kThreads * kCommands});
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(reader_view.StreamVersion("writer-" + std::to_string(t)), uint64_t{kCommands});
  }
}

TEST_P(LogConformanceTest, WriterRefusesAStaleVersionAndAppendsNothing) {
  auto writer = Writer::Start(*log_);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append({MakeEvent("stale", 1)}).ok());
  auto stale =
      (*writer)->Append({MakeEvent("stale", 2), MakeEvent("other", 1), MakeEvent("stale", 2)});
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  auto again = (*writer)->Append({MakeEvent("stale", 1)});
  EXPECT_EQ(again.status().code(), StatusCode::kAborted);
  EXPECT_EQ(ReadAll().size(), 1u);
  EXPECT_EQ((*writer)->StreamVersion("other"), 0u);
}

TEST_P(LogConformanceTest, WriterAnswersARetryWithTheFirstPositions) {
  auto writer = Writer::Start(*log_);
  ASSERT_TRUE(writer.ok());
  auto event = MakeEvent("retry", 1);
  auto first = (*writer)->Append({event});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto retry = (*writer)->Append({event});
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(*retry, *first);
  EXPECT_EQ(ReadAll().size(), 1u);
}

// What makes a migration resumed after a crash safe: a writer started afresh on the log (a new
// process) answers events it finds there, by id, with their first positions and appends nothing.
TEST_P(LogConformanceTest, WriterRestartedAnswersARetryWithTheFirstPositions) {
  std::vector<v1::Envelope> command = {MakeEvent("resumed", 1), MakeEvent("resumed", 2)};
  Result<std::vector<Position>> first = Internal("not appended");
  {
    auto writer = Writer::Start(*log_);
    ASSERT_TRUE(writer.ok());
    first = (*writer)->Append(command);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
  }
  Reopen();
  auto writer = Writer::Start(*log_);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto retry = (*writer)->Append(command);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(*retry, *first);
  EXPECT_EQ(ReadAll().size(), 2u);
  // Half of it again (with one new event) is a conflict, not a partial append.
  auto mixed = (*writer)->Append({command[1], MakeEvent("resumed", 3)});
  EXPECT_EQ(mixed.status().code(), StatusCode::kAborted);
  EXPECT_EQ(ReadAll().size(), 2u);
}

TEST_P(LogConformanceTest, WriterRestartedOnTheLogKnowsEveryStream) {
  {
    auto writer = Writer::Start(*log_);
    ASSERT_TRUE(writer.ok());
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*writer)->Append({MakeEvent("known", i)}).ok());
  }
  Reopen();
  auto writer = Writer::Start(*log_);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ((*writer)->StreamVersion("known"), 5u);
  EXPECT_TRUE((*writer)->Append({MakeEvent("known", 6)}).ok());
  // The chain continues across the restart.
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 6u);
  for (size_t i = 1; i < records.size(); ++i) {
    auto envelope = DecodeEnvelope(records[i].value);
    ASSERT_TRUE(envelope.ok());
    EXPECT_EQ(envelope->previous_hash(), Sha256(records[i - 1].value)) << "at record " << i;
  }
}

TEST_P(LogConformanceTest, WriterReportsEveryAppliedEventInLogOrder) {
  std::vector<std::pair<std::string, uint64_t>> seen;  // (event id, position)
  WriterOptions options;
  options.on_apply = [&](const v1::Envelope& event, Position position) {
    seen.emplace_back(event.event_id(), position.value);
  };
  {
    auto writer = Writer::Start(*log_, options);
    ASSERT_TRUE(writer.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 1; i <= 10; ++i) {
          EXPECT_TRUE((*writer)->Append({MakeEvent("apply-" + std::to_string(t), i)}).ok());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    // A refused command reports nothing.
    EXPECT_FALSE((*writer)->Append({MakeEvent("apply-0", 1)}).ok());
  }
  ASSERT_EQ(seen.size(), 40u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1].second, seen[i].second);
  // A writer started on the same log reports the same events, in the same order, from its read.
  std::vector<std::pair<std::string, uint64_t>> replayed;
  options.on_apply = [&](const v1::Envelope& event, Position position) {
    replayed.emplace_back(event.event_id(), position.value);
  };
  Reopen();
  auto again = Writer::Start(*log_, options);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(replayed, seen);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, LogConformanceTest,
    ::testing::Values(Backend{"Memory", [] { return std::make_unique<MemoryHarness>(true); }},
                      Backend{"MemoryShared",
                              [] { return std::make_unique<MemoryHarness>(false); }},
                      Backend{"MemoryWithTransactionMarkers",
                              [] { return std::make_unique<MemoryHarness>(false, true); }},
                      Backend{"Embedded", [] { return std::make_unique<EmbeddedHarness>(); }},
                      Backend{"KafkaMock", [] { return std::make_unique<KafkaHarness>(); }}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace ledgerdesk::log
