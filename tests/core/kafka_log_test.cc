// The Kafka backend under the mock cluster's fault injection: request errors, a broker going down
// and up, slow responses, two writers racing, and the errors a person sees when something is
// misconfigured. The property throughout: every acknowledged event is applied exactly once by
// every reader, at the position its writer answered.

#include "core/log/kafka_log.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/log/envelope_codec.h"
#include "core/log/kafka_mock_cluster.h"
#include "core/log/stream_validator.h"
#include "core/log/writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::MakeEvent;

// Kafka protocol API keys (rdkafka_protocol.h is not installed).
constexpr int16_t kProduce = 0;
constexpr int16_t kAddPartitionsToTxn = 24;
constexpr int16_t kEndTxn = 26;
constexpr int32_t kBroker = 1;  // the mock's first broker id

// What a fresh reader folds the whole log to.
struct Fold {
  StreamValidator validator;
  std::map<std::string, std::vector<uint64_t>> applied_at;  // event id -> positions it applied at
  std::vector<std::string> applied_order;
  size_t records = 0;
};

Fold FoldLog(EventLog& log) {
  Fold fold;
  auto end = log.End();
  EXPECT_TRUE(end.ok()) << end.status().ToString();
  if (!end.ok()) return fold;
  auto reader = log.NewReader(Position{0});
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return fold;
  uint64_t next = 0;
  for (int idle = 0; idle < 3 && next < end->value;) {
    auto batch = (*reader)->Read(1000, milliseconds(500));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    if (batch->empty()) ++idle;
    for (const LogRecord& record : *batch) {
      ++fold.records;
      next = record.position.value + 1;
      auto envelope = DecodeEnvelope(record.value);
      EXPECT_TRUE(envelope.ok()) << envelope.status().ToString();
      if (!envelope.ok()) continue;
      if (fold.validator.Admit(*envelope) == Verdict::kApply) {
        fold.applied_at[envelope->event_id()].push_back(record.position.value);
        fold.applied_order.push_back(envelope->event_id());
      }
    }
  }
  return fold;
}

class KafkaLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = MockKafkaCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic(kTopic, 1).ok());
  }

  KafkaLogOptions Options(milliseconds timeout = milliseconds(3000),
                          const std::string& transactional_id = "test-writer") const {
    return {.brokers = cluster_->bootstrap_servers(),
            .topic = kTopic,
            .transactional_id = transactional_id,
            .timeout = timeout};
  }

  std::unique_ptr<EventLog> Open(milliseconds timeout = milliseconds(3000),
                                 const std::string& transactional_id = "test-writer") {
    auto log = OpenKafkaLog(Options(timeout, transactional_id));
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(*log) : nullptr;
  }

  // `threads` clients each append `commands` one-event commands to their own stream through
  // `writer`, retrying a command with the same event (same id) while the answer is kUnavailable.
  // Returns the acknowledged positions by event id.
  std::map<std::string, uint64_t> Burst(Writer& writer, int threads, int commands,
                                        const std::string& prefix,
                                        std::chrono::seconds give_up = std::chrono::seconds(25)) {
    std::mutex mutex;
    std::map<std::string, uint64_t> acknowledged;
    std::atomic<int> unavailable = 0;
    std::vector<std::thread> clients;
    const auto deadline = Clock::now() + give_up;
    for (int t = 0; t < threads; ++t) {
      clients.emplace_back([&, t] {
        const std::string stream = prefix + "-" + std::to_string(t);
        for (int i = 1; i <= commands; ++i) {
          const v1::Envelope event = MakeEvent(stream, i);
          for (;;) {
            auto answer = writer.Append({event});
            if (answer.ok()) {
              std::lock_guard lock(mutex);
              acknowledged[event.event_id()] = (*answer)[0].value;
              break;
            }
            ASSERT_EQ(answer.status().code(), StatusCode::kUnavailable)
                << answer.status().ToString();
            EXPECT_FALSE(answer.status().message().empty());
            ++unavailable;
            if (Clock::now() > deadline) {
              ADD_FAILURE() << stream << " v" << i
                            << " never acknowledged: " << answer.status().ToString();
              return;
            }
            std::this_thread::sleep_for(milliseconds(50));
          }
        }
      });
    }
    for (auto& client : clients) client.join();
    unavailable_answers_ = unavailable;
    return acknowledged;
  }

  // Every acknowledged event applied exactly once, at the acknowledged position; each stream
  // complete.
  void ExpectExactlyOnce(EventLog& log, const std::map<std::string, uint64_t>& acknowledged,
                         const std::string& prefix, int threads, int commands) {
    Fold fold = FoldLog(log);
    EXPECT_EQ(acknowledged.size(), size_t(threads * commands));
    for (const auto& [id, position] : acknowledged) {
      auto it = fold.applied_at.find(id);
      ASSERT_NE(it, fold.applied_at.end()) << "acknowledged event " << Hex(id) << " was lost";
      ASSERT_EQ(it->second.size(), 1u) << "event " << Hex(id) << " applied twice";
      EXPECT_EQ(it->second[0], position) << "event " << Hex(id);
    }
    for (int t = 0; t < threads; ++t) {
      EXPECT_EQ(fold.validator.StreamVersion(prefix + "-" + std::to_string(t)), uint64_t(commands));
    }
  }

  static constexpr const char* kTopic = "faults";
  std::unique_ptr<MockKafkaCluster> cluster_;
  int unavailable_answers_ = 0;
};

TEST_F(KafkaLogTest, InjectedRequestErrorsLoseAndDuplicateNothing) {
  auto log = Open();
  ASSERT_NE(log, nullptr);
  auto writer = Writer::Start(*log);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  std::atomic<bool> done = false;
  std::thread injector([&] {
    // A few errors at a time for two seconds, so that retries get through in between.
    rd_kafka_mock_cluster_t* mock = cluster_->handle();
    for (int round = 0; round < 20 && !done; ++round) {
      rd_kafka_mock_push_request_errors(mock, kProduce, 1,
                                        round % 2 == 0 ? RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
                                                       : RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
      if (round % 2 == 1) {
        rd_kafka_mock_push_request_errors(mock, kAddPartitionsToTxn, 1,
                                          RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
      }
      if (round % 3 == 2) {
        rd_kafka_mock_push_request_errors(mock, kEndTxn, 1, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    for (int16_t key : {kProduce, kAddPartitionsToTxn, kEndTxn}) {
      rd_kafka_mock_clear_request_errors(mock, key);
    }
  });
  auto acknowledged = Burst(**writer, 4, 40, "inject");
  done = true;
  injector.join();
  ExpectExactlyOnce(*log, acknowledged, "inject", 4, 40);
  RecordProperty("unavailable_answers", unavailable_answers_);
}

TEST_F(KafkaLogTest, BrokerDownThenUpLosesAndDuplicatesNothing) {
  auto log = Open(milliseconds(1500));
  ASSERT_NE(log, nullptr);
  auto writer = Writer::Start(*log);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  std::thread outage([&] {
    std::this_thread::sleep_for(milliseconds(300));
    rd_kafka_mock_broker_set_down(cluster_->handle(), kBroker);
    std::this_thread::sleep_for(milliseconds(2500));
    rd_kafka_mock_broker_set_up(cluster_->handle(), kBroker);
  });
  auto acknowledged = Burst(**writer, 3, 25, "outage");
  outage.join();
  ExpectExactlyOnce(*log, acknowledged, "outage", 3, 25);
}

TEST_F(KafkaLogTest, AppendWhileBrokerIsDownFailsInTimeAndWorksAfterItIsUp) {
  auto log = Open(milliseconds(1500));
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append({MakeEvent("down", 1)}).ok());
  rd_kafka_mock_broker_set_down(cluster_->handle(), kBroker);
  const auto start = Clock::now();
  auto failed = log->Append({MakeEvent("down", 2)});
  const auto took = Clock::now() - start;
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("Kafka"), std::string::npos)
      << failed.status().message();
  EXPECT_LT(took, milliseconds(1500 + 1500));
  EXPECT_EQ(log->End().status().code(), StatusCode::kUnavailable);

  rd_kafka_mock_broker_set_up(cluster_->handle(), kBroker);
  const v1::Envelope later = MakeEvent("down", 2);
  Result<std::vector<Position>> appended = Unavailable("not tried");
  for (int attempt = 0; attempt < 10 && !appended.ok(); ++attempt) {
    appended = log->Append({later});
  }
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  Fold fold = FoldLog(*log);
  ASSERT_EQ(fold.applied_at.count(later.event_id()), 1u);
  EXPECT_EQ(fold.applied_at[later.event_id()], std::vector<uint64_t>{(*appended)[0].value});
}

TEST_F(KafkaLogTest, SlowBrokerTimesOutAndNothingAcknowledgedIsLost) {
  auto log = Open(milliseconds(1000));
  ASSERT_NE(log, nullptr);
  auto writer = Writer::Start(*log);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append({MakeEvent("slow-0", 1)}).ok());

  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 3000);
  const auto start = Clock::now();
  auto slow = log->Append({MakeEvent("slow-direct", 1)});
  EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable) << slow.status().ToString();
  EXPECT_LT(Clock::now() - start, milliseconds(1000 + 1500));
  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 0);

  // A burst while the broker turns slow and fast again.
  std::thread slowness([&] {
    std::this_thread::sleep_for(milliseconds(200));
    rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 1500);
    std::this_thread::sleep_for(milliseconds(2000));
    rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 0);
  });
  std::map<std::string, uint64_t> acknowledged = Burst(**writer, 3, 10, "slow-burst");
  slowness.join();
  ExpectExactlyOnce(*log, acknowledged, "slow-burst", 3, 10);
}

// A new reader's first fetch can take longer than a caller's wait (joining, a slow broker): a
// short read then must not come back empty as if the log had nothing, or scans to the end stop
// short (an audit read "log position 0 is not there" this way on a loaded machine).
TEST_F(KafkaLogTest, AFreshReaderWaitsForItsFirstFetchThenAnswersWithinTheWait) {
  auto log = Open(milliseconds(10000));
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(
      log->Append({MakeEvent("fetched-0", 1), MakeEvent("fetched-1", 1), MakeEvent("fetched-2", 1)})
          .ok());

  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 1500);
  auto reader = log->NewReader(Position{0});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto first = (*reader)->Read(100, milliseconds(200));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_FALSE(first->empty()) << "a read before the first fetch came back";
  EXPECT_EQ(first->front().position.value, 0u);
  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 0);

  // At the end, with its fetch answered, a reader waits no longer than asked.
  auto end = log->End();
  ASSERT_TRUE(end.ok());
  auto at_end = log->NewReader(*end);
  ASSERT_TRUE(at_end.ok()) << at_end.status().ToString();
  auto nothing = (*at_end)->Read(100, milliseconds(200));  // its first fetch: the end
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE(nothing->empty());
  const auto start = Clock::now();
  nothing = (*at_end)->Read(100, milliseconds(200));
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE(nothing->empty());
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
}

// With the broker gone before a reader ever fetched, the read is an error after the log's timeout,
// not an empty answer a scan would take for the end of the log.
TEST_F(KafkaLogTest, AFreshReaderThatCannotFetchSaysSo) {
  auto log = Open(milliseconds(1500));
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append({MakeEvent("unfetched", 1)}).ok());
  rd_kafka_mock_broker_set_down(cluster_->handle(), kBroker);
  auto reader = log->NewReader(Position{0});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const auto start = Clock::now();
  auto read = (*reader)->Read(100, milliseconds(200));
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable) << read.status().ToString();
  EXPECT_GE(Clock::now() - start, milliseconds(1400));
  EXPECT_LT(Clock::now() - start, milliseconds(6000));
  rd_kafka_mock_broker_set_up(cluster_->handle(), kBroker);
  // Once the broker is back, the same reader reads on.
  std::vector<LogRecord> records;
  for (int i = 0; i < 20 && records.empty(); ++i) {
    auto again = (*reader)->Read(100, milliseconds(500));
    if (again.ok()) records = std::move(*again);
  }
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().position.value, 0u);
}

TEST_F(KafkaLogTest, TwoWritersRacingOnAStreamAgreeOnWhatApplied) {
  auto log_a = Open(milliseconds(3000), "writer-a");
  auto log_b = Open(milliseconds(3000), "writer-b");
  ASSERT_NE(log_a, nullptr);
  ASSERT_NE(log_b, nullptr);
  auto writer_a = Writer::Start(*log_a);
  auto writer_b = Writer::Start(*log_b);
  ASSERT_TRUE(writer_a.ok());
  ASSERT_TRUE(writer_b.ok());

  std::mutex mutex;
  std::map<std::string, uint64_t> acknowledged;
  std::set<std::string> aborted;
  std::atomic<int> conflicts = 0;
  auto race = [&](Writer& writer, const std::string& name) {
    for (int i = 0; i < 25; ++i) {
      // Each writer believes its own view of the stream: the other's appends show up only when
      // it reads the log back, so some of these collide.
      const v1::Envelope event =
          MakeEvent("contested", writer.StreamVersion("contested") + 1, name);
      auto answer = writer.Append({event});
      std::lock_guard lock(mutex);
      if (answer.ok()) {
        acknowledged[event.event_id()] = (*answer)[0].value;
      } else {
        EXPECT_EQ(answer.status().code(), StatusCode::kAborted) << answer.status().ToString();
        aborted.insert(event.event_id());
        ++conflicts;
      }
    }
  };
  std::thread a([&] { race(**writer_a, "a"); });
  std::thread b([&] { race(**writer_b, "b"); });
  a.join();
  b.join();

  Fold first = FoldLog(*log_a);
  Fold second = FoldLog(*log_b);
  EXPECT_EQ(first.applied_order, second.applied_order);
  EXPECT_EQ(first.validator.StreamVersion("contested"), acknowledged.size());
  EXPECT_EQ(std::set<std::string>(first.applied_order.begin(), first.applied_order.end()), [&] {
    std::set<std::string> ids;
    for (const auto& [id, position] : acknowledged) ids.insert(id);
    return ids;
  }());
  for (const auto& [id, position] : acknowledged) {
    ASSERT_EQ(first.applied_at[id].size(), 1u);
    EXPECT_EQ(first.applied_at[id][0], position);
  }
  for (const auto& id : aborted) EXPECT_EQ(first.applied_at.count(id), 0u) << Hex(id);
  EXPECT_EQ(acknowledged.size() + aborted.size(), 50u);
  RecordProperty("conflicts", conflicts.load());
}

TEST_F(KafkaLogTest, AppendsCarryCloudEventsHeadersAndDescribeNamesTheTopic) {
  auto log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Describe(), "Kafka topic faults at " + cluster_->bootstrap_servers());
  EXPECT_FALSE(log->HasExclusiveWriter());
  auto end = log->End();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->value, 0u);
  auto positions = log->Append({MakeEvent("h", 1), MakeEvent("h", 2)});
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  end = log->End();
  ASSERT_TRUE(end.ok());
  EXPECT_GT(end->value, (*positions)[1].value);
}

TEST(KafkaLogOpenTest, UnreachableBrokersAreUnavailableWithASentence) {
  const auto start = Clock::now();
  auto log = OpenKafkaLog({.brokers = "127.0.0.1:1",
                           .topic = "nowhere",
                           .transactional_id = "nobody",
                           .timeout = milliseconds(1500)});
  const auto took = Clock::now() - start;
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(log.status().message().find("cannot reach Kafka at 127.0.0.1:1 within 1.5 s"),
            std::string::npos)
      << log.status().message();
  EXPECT_LT(took, milliseconds(1500 + 2000));
}

TEST_F(KafkaLogTest, TopicWithSeveralPartitionsIsRefused) {
  ASSERT_TRUE(cluster_->CreateTopic("three", 3).ok());
  KafkaLogOptions options = Options();
  options.topic = "three";
  auto log = OpenKafkaLog(options);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("3 partitions"), std::string::npos)
      << log.status().message();
}

TEST_F(KafkaLogTest, MissingTopicIsReportedOrCreated) {
  KafkaLogOptions options = Options(milliseconds(1000));
  options.topic = "fresh";
  options.create_topic = false;
  auto missing = OpenKafkaLog(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("fresh"), std::string::npos);

  // librdkafka 2.0.2's mock cluster does not implement CreateTopics: the attempt must end in a
  // sentence within the timeout, not hang or leave a topic with the broker's default partitions.
  options.create_topic = true;
  auto created = OpenKafkaLog(options);
  if (created.ok()) {
    EXPECT_TRUE((*created)->Append({MakeEvent("fresh", 1)}).ok());
  } else {
    EXPECT_EQ(created.status().code(), StatusCode::kUnavailable) << created.status().ToString();
    EXPECT_NE(created.status().message().find("cannot create topic fresh"), std::string::npos)
        << created.status().message();
  }
}

TEST_F(KafkaLogTest, AReadOnlyOpenHasNoProducerCreatesNoTopicAndRefusesAppends) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Append({MakeEvent("ro", 1)}).ok());

  KafkaLogOptions options = Options();
  options.read_only = true;
  auto reader = OpenKafkaLog(options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto refused = (*reader)->Append({MakeEvent("ro", 2)});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition)
      << refused.status().ToString();
  EXPECT_EQ((*reader)->End()->value, 1u);
  EXPECT_EQ(FoldLog(**reader).applied_at.size(), 1u);
  // The writer's transactions go on (a second producer under its id would have fenced it).
  EXPECT_TRUE(writer->Append({MakeEvent("ro", 2)}).ok());
  EXPECT_EQ((*reader)->End()->value, 2u);

  // Even where topics may be created, a reader does not create one: a mistyped name is an error.
  options.topic = "mistyped";
  options.create_topic = true;
  auto missing = OpenKafkaLog(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
}

TEST_F(KafkaLogTest, EndAnswersWithinItsTimeoutWhenTheClusterIsGone) {
  auto log = Open(milliseconds(1000));
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append({MakeEvent("gone", 1)}).ok());
  ASSERT_EQ(log->End()->value, 1u);
  cluster_.reset();                       // its port refuses connections from now on
  for (int call = 0; call < 2; ++call) {  // the second while the first's query may still hang
    const auto start = Clock::now();
    auto end = log->End();
    EXPECT_EQ(end.status().code(), StatusCode::kUnavailable) << end.status().ToString();
    EXPECT_LT(Clock::now() - start, milliseconds(1000 + 1500)) << "call " << call;
  }
}

TEST_F(KafkaLogTest, BadPropertyIsInvalidArgumentWithLibrdkafkasReason) {
  KafkaLogOptions options = Options();
  options.properties = {{"no.such.property", "1"}};
  auto unknown = OpenKafkaLog(options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("no.such.property"), std::string::npos)
      << unknown.status().message();

  options.properties = {{"linger.ms", "soon"}};
  auto bad_value = OpenKafkaLog(options);
  ASSERT_FALSE(bad_value.ok());
  EXPECT_EQ(bad_value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_value.status().message().find("linger.ms"), std::string::npos)
      << bad_value.status().message();
}

TEST(KafkaConfigFileTest, ReadsKeyValueLinesAndSkipsComments) {
  testing::TempDir dir;
  const auto path = dir.path() / "kafka.properties";
  std::ofstream(path) << "# credentials\n"
                         "security.protocol = SASL_SSL\n"
                         "\n"
                         "   ! also a comment\n"
                         "sasl.mechanism=PLAIN\n"
                         "sasl.password=a=b=c\n";
  auto properties = ReadKafkaConfigFile(path);
  ASSERT_TRUE(properties.ok()) << properties.status().ToString();
  EXPECT_EQ(*properties, (std::map<std::string, std::string>{{"security.protocol", "SASL_SSL"},
                                                             {"sasl.mechanism", "PLAIN"},
                                                             {"sasl.password", "a=b=c"}}));
}

TEST(KafkaConfigFileTest, BadLinesNameTheFileAndLine) {
  testing::TempDir dir;
  const auto path = dir.path() / "broken.properties";
  std::ofstream(path) << "acks=all\n# fine\nthis line has no equals sign\n";
  auto properties = ReadKafkaConfigFile(path);
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(properties.status().message().find(path.string() + ":3"), std::string::npos)
      << properties.status().message();

  std::ofstream(path) << "=value\n";
  auto nameless = ReadKafkaConfigFile(path);
  EXPECT_EQ(nameless.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nameless.status().message().find(":1"), std::string::npos);

  auto missing = ReadKafkaConfigFile(dir.path() / "nope.properties");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.properties"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk::log
