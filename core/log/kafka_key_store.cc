#include "core/log/kafka_key_store.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "core/crypto/sealing.h"
#include "core/crypto/secret_file.h"
#include "core/log/envelope_codec.h"
#include "core/log/kafka_client.h"

namespace ledgerdesk::log {
namespace {

using Clock = KafkaClock;
using crypto::SealKey;
using crypto::SubjectKey;

constexpr std::string_view kValueMagic = "ldk1";
constexpr size_t kKeyIdLength = 32;
constexpr char kKekId[] = "kek";  // the wrapping key's id inside SealedValue (never stored)
constexpr char kKekWhat[] = "the key-encryption key";

// What a wrapped key is bound to: it opens only as this subject's key with this id.
std::string WrapAssociatedData(std::string_view subject_id, std::string_view key_id) {
  return "ledgerdesk.keys/v1/" + std::string(subject_id) + "/" + std::string(key_id);
}

std::string RecordKey(std::string_view subject_id, std::string_view key_id) {
  return std::string(subject_id) + " " + std::string(key_id);
}

struct ParsedRecordKey {
  std::string subject_id;
  std::string key_id;
};

std::optional<ParsedRecordKey> ParseRecordKey(std::string_view text) {
  if (text.size() < kKeyIdLength + 2 || text[text.size() - kKeyIdLength - 1] != ' ') {
    return std::nullopt;
  }
  ParsedRecordKey parsed{.subject_id = std::string(text.substr(0, text.size() - kKeyIdLength - 1)),
                         .key_id = std::string(text.substr(text.size() - kKeyIdLength))};
  if (!crypto::ValidateSubjectId(parsed.subject_id).ok() ||
      !crypto::ValidateKeyId(parsed.key_id).ok()) {
    return std::nullopt;
  }
  return parsed;
}

Result<std::string> WrapKey(const SubjectKey& kek, std::string_view subject_id,
                            const SubjectKey& key) {
  LD_ASSIGN_OR_RETURN(
      crypto::SealedValue sealed,
      crypto::Seal(kek, key.key.bytes(), WrapAssociatedData(subject_id, key.key_id)));
  return std::string(kValueMagic) + key.key_id + sealed.nonce + sealed.ciphertext;
}

// Errors: kDataLoss for a value that is malformed, or that the KEK does not open.
Result<SealKey> UnwrapKey(const SubjectKey& kek, const ParsedRecordKey& record,
                          std::string_view value) {
  const size_t expected = kValueMagic.size() + kKeyIdLength + crypto::kSealNonceBytes +
                          crypto::kSealKeyBytes + crypto::kSealTagBytes;
  if (value.size() != expected || !value.starts_with(kValueMagic) ||
      value.substr(kValueMagic.size(), kKeyIdLength) != record.key_id) {
    return DataLoss("a record of the key topic is malformed");
  }
  value.remove_prefix(kValueMagic.size() + kKeyIdLength);
  const crypto::SealedValue sealed{
      .key_id = kKekId,
      .nonce = std::string(value.substr(0, crypto::kSealNonceBytes)),
      .ciphertext = std::string(value.substr(crypto::kSealNonceBytes))};
  auto bytes = crypto::Open(kek, sealed, WrapAssociatedData(record.subject_id, record.key_id));
  if (!bytes.ok()) {
    return DataLoss(
        "the key-encryption key does not open the keys on the key topic: give this node a copy "
        "of the kek.key file the other nodes use");
  }
  Result<SealKey> key = SealKey::FromBytes(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  if (!key.ok()) return DataLoss("a record of the key topic holds a key of the wrong size");
  return key;
}

class KafkaSubjectKeyStore final : public crypto::SubjectKeyStore {
 public:
  KafkaSubjectKeyStore(KafkaKeyStoreOptions options, SubjectKey kek)
      : options_(std::move(options)), kek_(std::move(kek)) {}

  ~KafkaSubjectKeyStore() override {
    stopping_ = true;
    if (follower_.joinable()) follower_.join();
  }

  // Connects, reads the topic to its end and starts following it.
  Status Start(std::unique_ptr<Client> producer, std::unique_ptr<Client> consumer) {
    producer_ = std::move(producer);
    consumer_ = std::move(consumer);
    follower_ = std::thread([this] { Follow(); });
    const Status caught_up = CatchUp(Clock::now() + options_.timeout);
    if (!caught_up.ok()) return caught_up;
    std::lock_guard lock(mutex_);
    return unreadable_;
  }

  Result<SubjectKey> GetOrCreate(std::string_view subject_id) override {
    LD_RETURN_IF_ERROR(crypto::ValidateSubjectId(subject_id));
    if (auto key = Winner(subject_id)) return std::move(*key);
    std::lock_guard create(create_mutex_);  // one creation at a time in this process
    const auto deadline = Clock::now() + options_.timeout;
    // Another node may have made it meanwhile.
    LD_RETURN_IF_ERROR(CatchUp(deadline));
    if (auto key = Winner(subject_id)) return std::move(*key);
    LD_RETURN_IF_ERROR(Readable());

    SubjectKey mine{.key_id = crypto::NewKeyId(), .key = SealKey::Generate()};
    LD_ASSIGN_OR_RETURN(std::string value, WrapKey(kek_, subject_id, mine));
    LD_ASSIGN_OR_RETURN(
        const std::vector<int64_t> offsets,
        Produce({{RecordKey(subject_id, mine.key_id), std::optional(std::move(value))}}, deadline));
    // Read back up to our record: the subject's first live record wins, on every node alike.
    LD_RETURN_IF_ERROR(WaitUntilRead(offsets[0] + 1, deadline));
    std::optional<SubjectKey> winner = Winner(subject_id);
    if (!winner) {
      return Aborted("the subject's key was destroyed while it was being created; try again");
    }
    if (winner->key_id != mine.key_id) {
      // Lost a race with another node: our record is useless, take it back (a leftover would do
      // no harm: Destroy removes every record of the subject).
      (void)Produce({{RecordKey(subject_id, mine.key_id), std::nullopt}}, deadline);
    }
    return std::move(*winner);
  }

  Result<SubjectKey> Get(std::string_view key_id) const override {
    LD_RETURN_IF_ERROR(crypto::ValidateKeyId(key_id));
    {
      std::lock_guard lock(mutex_);
      if (destroyed_.contains(key_id)) return crypto::KeyNotFound(key_id);
    }
    if (auto found = Find(key_id)) return std::move(*found);
    // Created by another node moments ago? Read up to the topic's current end.
    LD_RETURN_IF_ERROR(CatchUp(Clock::now() + options_.timeout));
    if (auto found = Find(key_id)) return std::move(*found);
    LD_RETURN_IF_ERROR(Readable());
    // Sealed values name only keys that were on the topic before they were sealed: a key id not
    // there now is gone for good, and later lookups need not ask Kafka again.
    std::lock_guard lock(mutex_);
    destroyed_.emplace(key_id);
    return crypto::KeyNotFound(key_id);
  }

  Status Destroy(std::string_view subject_id) override {
    LD_RETURN_IF_ERROR(crypto::ValidateSubjectId(subject_id));
    std::lock_guard create(create_mutex_);
    const auto deadline = Clock::now() + options_.timeout;
    LD_RETURN_IF_ERROR(CatchUp(deadline));
    std::vector<std::pair<std::string, std::optional<std::string>>> tombstones;
    {
      std::lock_guard lock(mutex_);
      const auto it = by_subject_.find(subject_id);
      if (it == by_subject_.end() || it->second.empty()) {
        return NotFound("subject has no key (already destroyed?)");
      }
      for (const std::string& key_id : it->second) {
        tombstones.emplace_back(RecordKey(subject_id, key_id), std::nullopt);
      }
    }
    // Every record of the subject (a race's leftover loser too) gets its tombstone, confirmed by
    // the brokers before the key is forgotten here: on failure a retry finds it again.
    LD_RETURN_IF_ERROR(Produce(std::move(tombstones), deadline).status());
    std::lock_guard lock(mutex_);
    const auto it = by_subject_.find(subject_id);
    if (it != by_subject_.end()) {
      for (const std::string& key_id : it->second) ForgetLocked(key_id);
    }
    return OkStatus();
  }

  // Only marked: Destroy of the subject still finds the record and writes its tombstone.
  void MarkDestroyed(std::string_view key_id) override {
    std::lock_guard lock(mutex_);
    destroyed_.emplace(key_id);
  }

 private:
  struct StoredKey {
    std::string subject_id;
    SealKey key;
  };

  // The subject's first live record, skipping keys marked destroyed.
  std::optional<SubjectKey> Winner(std::string_view subject_id) const {
    std::lock_guard lock(mutex_);
    const auto it = by_subject_.find(subject_id);
    if (it == by_subject_.end()) return std::nullopt;
    for (const std::string& key_id : it->second) {
      if (!destroyed_.contains(key_id))
        return SubjectKey{.key_id = key_id, .key = keys_.at(key_id).key};
    }
    return std::nullopt;
  }

  std::optional<SubjectKey> Find(std::string_view key_id) const {
    std::lock_guard lock(mutex_);
    const auto it = keys_.find(key_id);
    if (it == keys_.end()) return std::nullopt;
    return SubjectKey{.key_id = std::string(key_id), .key = it->second.key};
  }

  Status Readable() const {
    std::lock_guard lock(mutex_);
    return unreadable_;
  }

  void ForgetLocked(std::string_view key_id) {
    destroyed_.emplace(key_id);
    const auto key = keys_.find(key_id);
    if (key == keys_.end()) return;
    const auto subject = by_subject_.find(key->second.subject_id);
    if (subject != by_subject_.end()) {
      std::erase(subject->second, std::string(key_id));
      if (subject->second.empty()) by_subject_.erase(subject);
    }
    keys_.erase(key);
  }

  // One record of the topic, in topic order (the follower thread).
  void Apply(const rd_kafka_message_t& message) {
    if (message.key == nullptr) return;
    const auto record =
        ParseRecordKey(std::string_view(static_cast<const char*>(message.key), message.key_len));
    if (!record) return;  // not a key record: nothing of ours
    std::lock_guard lock(mutex_);
    if (message.payload == nullptr) {
      ForgetLocked(record->key_id);
      return;
    }
    if (destroyed_.contains(record->key_id) || keys_.contains(record->key_id)) return;
    auto key = UnwrapKey(kek_, *record,
                         std::string_view(static_cast<const char*>(message.payload), message.len));
    if (!key.ok()) {
      unreadable_ = key.status();
      return;
    }
    by_subject_[record->subject_id].push_back(record->key_id);
    keys_.emplace(record->key_id,
                  StoredKey{.subject_id = record->subject_id, .key = std::move(*key)});
  }

  void Follow() {
    while (!stopping_) {
      KafkaPtr<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer_->get(), 100));
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Advance(message->offset);
        continue;
      }
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // librdkafka retries by itself
      Apply(*message);
      Advance(message->offset + 1);
    }
  }

  void Advance(int64_t next) {
    {
      std::lock_guard lock(mutex_);
      next_offset_ = std::max(next_offset_, next);
    }
    read_.notify_all();
  }

  // Waits until the follower has read every record before `offset`.
  Status WaitUntilRead(int64_t offset, Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    if (read_.wait_until(lock, deadline, [&] { return next_offset_ >= offset; })) {
      return OkStatus();
    }
    return Unavailable(WithReason("could not read " + Describe() + " up to offset " +
                                      std::to_string(offset) + " within " +
                                      Seconds(options_.timeout) + " s",
                                  consumer_->last_error()));
  }

  // Reads up to the topic's end as it is now.
  Status CatchUp(Clock::time_point deadline) const {
    LD_ASSIGN_OR_RETURN(const int64_t end,
                        EndOffset(*consumer_, options_.topic,
                                  std::chrono::milliseconds(std::max(RemainingMs(deadline), 1))));
    return WaitUntilRead(end, deadline);
  }

  // Produces the records (a nullopt value is a tombstone) and waits until the brokers confirmed
  // them all (acks=all). Returns their offsets. Errors: kUnavailable.
  Result<std::vector<int64_t>> Produce(
      std::vector<std::pair<std::string, std::optional<std::string>>> records,
      Clock::time_point deadline) {
    std::lock_guard lock(produce_mutex_);
    rd_kafka_t* rk = producer_->get();
    Client::Deliveries deliveries;
    deliveries.generation = ++generation_;
    deliveries.offsets.assign(records.size(), -1);
    deliveries.errors.assign(records.size(), RD_KAFKA_RESP_ERR_NO_ERROR);
    producer_->set_deliveries(&deliveries);
    struct Unset {
      Client& client;
      ~Unset() { client.set_deliveries(nullptr); }
    } unset{*producer_};
    for (size_t i = 0; i < records.size(); ++i) {
      const auto& [key, value] = records[i];
      char* payload = value ? const_cast<char*>(value->data()) : nullptr;  // null: a tombstone
      const size_t payload_size = value ? value->size() : 0;
      rd_kafka_resp_err_t err;
      for (;;) {
        err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(options_.topic.c_str()), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
            RD_KAFKA_V_VALUE(payload, payload_size),
            RD_KAFKA_V_OPAQUE(Client::Tag(deliveries.generation, static_cast<uint32_t>(i))),
            RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || RemainingMs(deadline) == 0) break;
        rd_kafka_poll(rk, 10);
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Unavailable("cannot produce to " + Describe() + ": " + rd_kafka_err2str(err));
      }
    }
    rd_kafka_flush(rk, RemainingMs(deadline));
    if (deliveries.delivered < records.size()) {
      return Unavailable(WithReason("Kafka at " + options_.brokers + " confirmed " +
                                        std::to_string(deliveries.delivered) + " of " +
                                        std::to_string(records.size()) + " key records within " +
                                        Seconds(options_.timeout) + " s",
                                    producer_->last_error()));
    }
    for (rd_kafka_resp_err_t err : deliveries.errors) {
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Unavailable("Kafka refused a record of " + Describe() + ": " +
                           rd_kafka_err2str(err));
      }
    }
    return deliveries.offsets;
  }

  std::string Describe() const {
    return "the key topic " + options_.topic + " at " + options_.brokers;
  }

  const KafkaKeyStoreOptions options_;
  const SubjectKey kek_;
  std::unique_ptr<Client> producer_;
  std::unique_ptr<Client> consumer_;

  std::mutex create_mutex_;   // one GetOrCreate or Destroy at a time
  std::mutex produce_mutex_;  // one batch of deliveries at a time
  uint32_t generation_ = 0;

  mutable std::mutex mutex_;  // guards what follows
  mutable std::condition_variable read_;
  // Live key ids by subject, in topic order: the first is the subject's key.
  std::map<std::string, std::vector<std::string>, std::less<>> by_subject_;
  std::map<std::string, StoredKey, std::less<>> keys_;  // by key id
  mutable std::set<std::string, std::less<>> destroyed_;
  int64_t next_offset_ = 0;  // every record before it is applied
  Status unreadable_;        // set when a record does not open with our KEK

  std::atomic<bool> stopping_ = false;
  std::thread follower_;  // last: stops first
};

// The KEK from its file; created there only while the topic holds no key yet (the first node).
Result<SubjectKey> LoadOrCreateKek(Client& client, const KafkaKeyStoreOptions& options) {
  LD_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      crypto::ReadSecretFile(options.kek_file, crypto::kSealKeyBytes, kKekWhat));
  if (!bytes) {
    LD_ASSIGN_OR_RETURN(const int64_t end, EndOffset(client, options.topic, options.timeout));
    if (end > 0) {
      return FailedPrecondition(
          "the key topic " + options.topic + " at " + options.brokers +
          " holds keys but this node has no key-encryption key: copy kek.key from a node that "
          "has one to " +
          options.kek_file.string() + " (mode 0600)");
    }
    LD_ASSIGN_OR_RETURN(
        bytes, crypto::CreateSecretFile(options.kek_file, crypto::kSealKeyBytes, kKekWhat));
  }
  Result<SealKey> kek = SealKey::FromBytes(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  LD_RETURN_IF_ERROR(kek.status());
  return SubjectKey{.key_id = kKekId, .key = std::move(*kek)};
}

}  // namespace

std::map<std::string, std::string> DefaultKeyTopicConfig() {
  return {
      {"cleanup.policy", "compact"},
      {"max.compaction.lag.ms", "86400000"},  // a destroyed key is compacted within a day
      {"segment.ms", "3600000"},              // the active segment rolls hourly
      {"min.cleanable.dirty.ratio", "0.01"},  // compact even when little changed
      {"delete.retention.ms", "604800000"},   // tombstones stay a week for nodes that were away
  };
}

Result<std::unique_ptr<crypto::SubjectKeyStore>> OpenKafkaSubjectKeyStore(
    const KafkaKeyStoreOptions& options) {
  if (options.brokers.empty()) return InvalidArgument("the Kafka key store needs brokers");
  if (options.topic.empty()) return InvalidArgument("the Kafka key store needs a topic name");
  if (options.kek_file.empty()) {
    return InvalidArgument("the Kafka key store needs a key-encryption key file");
  }
  if (options.timeout.count() <= 0) return InvalidArgument("the Kafka timeout must be positive");
  const auto deadline = Clock::now() + options.timeout;

  KafkaProperties producer_properties = BaseProperties(options.brokers, options.properties);
  // Every record is flushed at once: batching would only add latency. First, so that a
  // --kafka-config file may still set it.
  producer_properties.insert(producer_properties.begin(), {"linger.ms", "0"});
  producer_properties.insert(producer_properties.end(),
                             {{"enable.idempotence", "true"}, {"acks", "all"}});
  LD_ASSIGN_OR_RETURN(auto producer, Client::Create(RD_KAFKA_PRODUCER, producer_properties));
  LD_RETURN_IF_ERROR(EnsureTopic(
      *producer,
      {.name = options.topic,
       .brokers = options.brokers,
       .why_one_partition = "the key store needs exactly one (one order of key records: "
                            "a subject's first record wins)",
       .config = options.topic_config,
       .create = options.create_topic,
       .timeout = options.timeout},
      deadline));

  KafkaProperties consumer_properties = BaseProperties(options.brokers, options.properties);
  consumer_properties.insert(consumer_properties.end(),
                             {
                                 // A group only because assign() needs one: nothing is committed.
                                 {"group.id", "ledgerdesk-keys-" + Hex(RandomEventId())},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"auto.offset.reset", "earliest"},
                                 {"enable.partition.eof", "true"},
                             });
  // As the log's readers (kafka_log.cc): the mock cluster holds a fetch for fetch.wait.max.ms,
  // and every GetOrCreate waits for its own record to come back.
  consumer_properties.insert(consumer_properties.begin(),
                             {{"fetch.wait.max.ms", "5"}, {"fetch.error.backoff.ms", "5"}});
  LD_ASSIGN_OR_RETURN(auto consumer, Client::Create(RD_KAFKA_CONSUMER, consumer_properties));
  rd_kafka_poll_set_consumer(consumer->get());
  LD_ASSIGN_OR_RETURN(SubjectKey kek, LoadOrCreateKek(*consumer, options));
  KafkaPtr<rd_kafka_topic_partition_list_t> assignment(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(assignment.get(), options.topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(consumer->get(), assignment.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable("cannot start reading the key topic " + options.topic + ": " +
                       rd_kafka_err2str(err));
  }
  auto store = std::make_unique<KafkaSubjectKeyStore>(options, std::move(kek));
  LD_RETURN_IF_ERROR(store->Start(std::move(producer), std::move(consumer)));
  return std::unique_ptr<crypto::SubjectKeyStore>(std::move(store));
}

}  // namespace ledgerdesk::log
