// The key topic under several nodes and the mock cluster's faults: what one store creates or
// destroys the other sees, racing creators agree on one key, a broker fault is kUnavailable and
// loses no key, and the KEK is needed (and must be the same) on every node. The contract every
// store keeps runs in tests/core/crypto/subject_key_store_test.cc.

#include "core/log/kafka_key_store.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/crypto/sealing.h"
#include "core/log/kafka_client.h"
#include "core/log/kafka_mock_cluster.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::log {
namespace {

using crypto::SubjectKey;
using crypto::SubjectKeyStore;
using std::chrono::milliseconds;

constexpr char kTopic[] = "keys";
constexpr int32_t kBroker = 1;   // the mock's first broker id
constexpr int16_t kProduce = 0;  // Kafka protocol API key

// A record of the key topic as an outside consumer reads it.
struct RawRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

class KafkaKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = MockKafkaCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic(kTopic, 1).ok());
  }

  KafkaKeyStoreOptions Options(milliseconds timeout = milliseconds(5000)) const {
    return {.brokers = cluster_->bootstrap_servers(),
            .topic = kTopic,
            .timeout = timeout,
            .kek_file = dir_.path() / "kek.key"};
  }

  std::unique_ptr<SubjectKeyStore> Open(milliseconds timeout = milliseconds(5000)) {
    auto store = OpenKafkaSubjectKeyStore(Options(timeout));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Every record of the topic, read by a plain consumer.
  std::vector<RawRecord> ReadTopic() {
    auto consumer =
        Client::Create(RD_KAFKA_CONSUMER, {{"bootstrap.servers", cluster_->bootstrap_servers()},
                                           {"group.id", "raw-reader"},
                                           {"enable.partition.eof", "true"},
                                           {"auto.offset.reset", "earliest"}});
    EXPECT_TRUE(consumer.ok());
    std::vector<RawRecord> records;
    if (!consumer.ok()) return records;
    rd_kafka_poll_set_consumer((*consumer)->get());
    KafkaPtr<rd_kafka_topic_partition_list_t> assignment(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(assignment.get(), kTopic, 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign((*consumer)->get(), assignment.get());
    const auto deadline = KafkaClock::now() + std::chrono::seconds(10);
    while (KafkaClock::now() < deadline) {
      KafkaPtr<rd_kafka_message_t> message(rd_kafka_consumer_poll((*consumer)->get(), 100));
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      RawRecord record{.key =
                           std::string(static_cast<const char*>(message->key), message->key_len)};
      if (message->payload != nullptr) {
        record.value = std::string(static_cast<const char*>(message->payload), message->len);
      }
      records.push_back(std::move(record));
    }
    return records;
  }

  // Polls `check` for up to 5 s (another store follows the topic in the background).
  static bool Eventually(const std::function<bool()>& check) {
    const auto deadline = KafkaClock::now() + std::chrono::seconds(5);
    while (KafkaClock::now() < deadline) {
      if (check()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return check();
  }

  ledgerdesk::testing::TempDir dir_;
  std::unique_ptr<MockKafkaCluster> cluster_;
};

TEST_F(KafkaKeyStoreTest, AKeyCreatedOnOneNodeOpensOnAnother) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  const SubjectKey key = *first->GetOrCreate("account-1");
  const crypto::SealedValue sealed = *crypto::Seal(key, "Anna Nowak", "account/1/name");

  // By id: the second store has not seen it yet, or has; either way it finds it.
  auto found = second->Get(key.key_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->key.bytes(), key.key.bytes());
  EXPECT_EQ(*crypto::OpenSealed(*second, sealed, "account/1/name"), "Anna Nowak");
  // By subject: the second node uses the same key, not one of its own.
  EXPECT_EQ(second->GetOrCreate("account-1")->key_id, key.key_id);

  // A node started later reads it from the topic.
  auto third = Open();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->GetOrCreate("account-1")->key_id, key.key_id);
}

TEST_F(KafkaKeyStoreTest, AKeyDestroyedOnOneNodeIsGoneOnAnother) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  const SubjectKey key = *first->GetOrCreate("account-1");
  const SubjectKey kept = *first->GetOrCreate("account-2");
  ASSERT_TRUE(second->Get(key.key_id).ok());  // now cached there
  ASSERT_TRUE(first->Destroy("account-1").ok());
  EXPECT_TRUE(Eventually([&] {
    return second->Get(key.key_id).status().code() == StatusCode::kNotFound;
  })) << "the second node still opens the destroyed key";
  EXPECT_TRUE(second->Get(kept.key_id).ok());
  EXPECT_EQ(second->Destroy("account-1").code(), StatusCode::kNotFound);
  // A node started later never sees it.
  auto third = Open();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->Get(key.key_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(third->Get(kept.key_id).ok());
}

TEST_F(KafkaKeyStoreTest, NodesCreatingOneSubjectsKeyAtOnceAgreeOnTheFirstRecord) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  // A slow broker widens the window in which both nodes produce before either reads back.
  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 50);
  constexpr int kSubjects = 12;
  std::map<std::string, std::set<std::string>> answers;  // subject -> key ids handed out
  std::mutex mutex;
  std::atomic<int> ready = 0;
  std::vector<std::thread> nodes;
  for (SubjectKeyStore* store : {first.get(), second.get()}) {
    nodes.emplace_back([&, store] {
      ++ready;
      while (ready < 2) std::this_thread::yield();
      for (int i = 0; i < kSubjects; ++i) {
        const std::string subject = "account-" + std::to_string(i);
        auto key = store->GetOrCreate(subject);
        ASSERT_TRUE(key.ok()) << key.status().ToString();
        std::lock_guard lock(mutex);
        answers[subject].insert(key->key_id);
      }
    });
  }
  for (auto& node : nodes) node.join();
  rd_kafka_mock_broker_set_rtt(cluster_->handle(), kBroker, 0);

  // Every subject got one key on both nodes, the first record of the subject on the topic.
  std::map<std::string, std::vector<std::string>> records_by_subject;  // key ids, topic order
  std::set<std::string> tombstoned;
  for (const RawRecord& record : ReadTopic()) {
    const std::string subject = record.key.substr(0, record.key.find(' '));
    const std::string key_id = record.key.substr(record.key.find(' ') + 1);
    if (record.value) {
      records_by_subject[subject].push_back(key_id);
    } else {
      tombstoned.insert(key_id);
    }
  }
  int raced = 0;
  for (int i = 0; i < kSubjects; ++i) {
    const std::string subject = "account-" + std::to_string(i);
    ASSERT_EQ(answers[subject].size(), 1u) << subject << " got two keys";
    ASSERT_FALSE(records_by_subject[subject].empty());
    EXPECT_EQ(*answers[subject].begin(), records_by_subject[subject].front()) << subject;
    // The losers took their records back; the winner's stays.
    for (size_t j = 1; j < records_by_subject[subject].size(); ++j) {
      EXPECT_TRUE(tombstoned.contains(records_by_subject[subject][j])) << subject;
      ++raced;
    }
    EXPECT_FALSE(tombstoned.contains(records_by_subject[subject].front())) << subject;
  }
  EXPECT_GT(raced, 0) << "no creation raced: the test proved nothing";
  std::cout << "[          ] " << raced << " of " << kSubjects << " creations raced\n";

  // A node started afterwards agrees too.
  auto third = Open();
  ASSERT_TRUE(third);
  for (const auto& [subject, key_ids] : answers) {
    EXPECT_EQ(third->GetOrCreate(subject)->key_id, *key_ids.begin()) << subject;
  }
}

TEST_F(KafkaKeyStoreTest, ABrokerDownIsUnavailableAndLosesNoKey) {
  auto store = Open(milliseconds(1500));
  ASSERT_TRUE(store);
  const SubjectKey before = *store->GetOrCreate("account-1");

  rd_kafka_mock_broker_set_down(cluster_->handle(), kBroker);
  auto during = store->GetOrCreate("account-2");
  EXPECT_EQ(during.status().code(), StatusCode::kUnavailable) << during.status().ToString();
  EXPECT_FALSE(during.status().message().empty());
  EXPECT_EQ(store->Destroy("account-1").code(), StatusCode::kUnavailable);
  EXPECT_EQ(store->Get(before.key_id)->key.bytes(), before.key.bytes());  // known keys still open
  rd_kafka_mock_broker_set_up(cluster_->handle(), kBroker);

  std::optional<SubjectKey> after;
  ASSERT_TRUE(Eventually([&] {
    auto key = store->GetOrCreate("account-2");
    if (key.ok()) after = *key;
    return key.ok();
  }));
  auto fresh = Open();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->Get(before.key_id)->key.bytes(), before.key.bytes());
  EXPECT_EQ(fresh->Get(after->key_id)->key.bytes(), after->key.bytes());
  EXPECT_EQ(fresh->GetOrCreate("account-1")->key_id, before.key_id);
  EXPECT_EQ(fresh->GetOrCreate("account-2")->key_id, after->key_id);
}

TEST_F(KafkaKeyStoreTest, AKeyMarkedDestroyedBeforeItsErasureStillGetsItsTombstone) {
  auto store = Open();
  ASSERT_TRUE(store);
  const SubjectKey key = *store->GetOrCreate("account-1");
  store->MarkDestroyed(key.key_id);  // a serve's runner applied the SubjectErased first
  ASSERT_TRUE(store->Destroy("account-1").ok());
  const std::vector<RawRecord> records = ReadTopic();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].key, "account-1 " + key.key_id);
  EXPECT_FALSE(records[1].value.has_value()) << "no tombstone";
}

TEST_F(KafkaKeyStoreTest, InjectedProduceErrorsAreRetriedWithoutDuplicates) {
  auto store = Open();
  ASSERT_TRUE(store);
  rd_kafka_mock_push_request_errors(
      cluster_->handle(), kProduce, 3, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  auto key = store->GetOrCreate("account-1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  size_t values = 0;
  for (const RawRecord& record : ReadTopic()) values += record.value.has_value();
  EXPECT_EQ(values, 1u);  // the idempotent producer wrote it once
  auto fresh = Open();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->Get(key->key_id)->key.bytes(), key->key.bytes());
}

TEST_F(KafkaKeyStoreTest, TheTopicHoldsOnlyWrappedKeysAndATombstonePerErasure) {
  auto store = Open();
  ASSERT_TRUE(store);
  const SubjectKey key = *store->GetOrCreate("account-1");
  ASSERT_TRUE(store->Destroy("account-1").ok());
  const std::vector<RawRecord> records = ReadTopic();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "account-1 " + key.key_id);
  ASSERT_TRUE(records[0].value.has_value());
  EXPECT_EQ(records[0].value->find(key.key.bytes()), std::string::npos) << "a raw key on the topic";
  EXPECT_EQ(records[1].key, records[0].key);
  EXPECT_FALSE(records[1].value.has_value()) << "no tombstone";
}

TEST_F(KafkaKeyStoreTest, ANodeWithoutTheKekRefusesATopicThatHoldsKeys) {
  auto first = Open();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->GetOrCreate("account-1").ok());
  KafkaKeyStoreOptions options = Options();
  options.kek_file = dir_.path() / "other-node" / "kek.key";
  auto without = OpenKafkaSubjectKeyStore(options);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(without.status().message().find("kek.key"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.kek_file)) << "made a KEK that opens nothing";

  // A different KEK does not open the keys: said so, not read as "erased".
  std::filesystem::create_directories(options.kek_file.parent_path());
  std::ofstream(options.kek_file, std::ios::binary) << std::string(32, 'x');
  auto wrong = OpenKafkaSubjectKeyStore(options);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kDataLoss) << wrong.status().ToString();
}

TEST_F(KafkaKeyStoreTest, TheFirstNodeCreatesAPrivateKek) {
  ASSERT_TRUE(Open());
  const auto kek = dir_.path() / "kek.key";
  ASSERT_TRUE(std::filesystem::exists(kek));
  EXPECT_EQ(std::filesystem::file_size(kek), 32u);
  EXPECT_EQ(std::filesystem::status(kek).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(KafkaKeyStoreTest, ATopicWithSeveralPartitionsIsRefused) {
  ASSERT_TRUE(cluster_->CreateTopic("keys.wide", 3).ok());
  KafkaKeyStoreOptions options = Options();
  options.topic = "keys.wide";
  auto store = OpenKafkaSubjectKeyStore(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("3 partitions"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk::log
