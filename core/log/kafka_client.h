#pragma once

// What every librdkafka user in ledgerdesk shares (the event log's topic, the key topic): RAII for
// librdkafka's handles, a client handle that keeps the last error its callbacks reported, the
// properties every client sets, and making sure a one-partition topic exists.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/common/status.h"

namespace ledgerdesk::log {

using KafkaClock = std::chrono::steady_clock;

struct KafkaDeleter {
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
  void operator()(rd_kafka_headers_t* p) const { rd_kafka_headers_destroy(p); }
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
  void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const {
    rd_kafka_topic_partition_list_destroy(p);
  }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
};
template <typename T>
using KafkaPtr = std::unique_ptr<T, KafkaDeleter>;

// Milliseconds left until `deadline`, never negative.
int RemainingMs(KafkaClock::time_point deadline);
// "2.5" for 2500 ms: timeouts in messages.
std::string Seconds(std::chrono::milliseconds timeout);
std::string ErrorText(const rd_kafka_error_t* error);
// "what: reason", or `what` alone when there is no reason.
std::string WithReason(const std::string& what, const std::string& reason);

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Properties every client shares: our defaults, the user's (`properties`, e.g. from
// --kafka-config) over them, then bootstrap.servers.
KafkaProperties BaseProperties(const std::string& brokers,
                               const std::map<std::string, std::string>& properties);

// One librdkafka handle with the state its callbacks report into. The object is the handle's
// opaque, so it lives on the heap and outlives the handle (the handle is destroyed first).
class Client {
 public:
  // Creates a handle of `type` with `properties` applied in order. Errors: kInvalidArgument with
  // librdkafka's explanation for an unknown property or a bad value.
  static Result<std::unique_ptr<Client>> Create(rd_kafka_type_t type,
                                                const KafkaProperties& properties);
  // A producer purges what is still queued (the caller gave up on it); a consumer closes.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  rd_kafka_t* get() const { return handle_; }

  // The last error librdkafka reported through its error callback ("" if none), e.g. the reason
  // a connection failed.
  std::string last_error() const;

  // Where a producer's delivery reports go while one batch of messages is under way (only the
  // thread that polls sees them).
  struct Deliveries {
    uint32_t generation = 0;
    std::vector<int64_t> offsets;
    std::vector<rd_kafka_resp_err_t> errors;
    size_t delivered = 0;
  };
  void set_deliveries(Deliveries* deliveries) { deliveries_ = deliveries; }

  // A message's opaque: the batch it belongs to and its index there.
  static void* Tag(uint32_t generation, uint32_t index) {
    return reinterpret_cast<void*>((static_cast<uintptr_t>(generation) << 32) | index);
  }

 private:
  Client() = default;
  static void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  rd_kafka_t* handle_ = nullptr;
  bool verbose_ = false;
  mutable std::mutex mutex_;
  std::string last_error_;
  Deliveries* deliveries_ = nullptr;
};

// The end (the next offset to be written) of the topic's partition 0, asked of its leader.
// Through ListOffsets with a timestamp (rd_kafka_offsets_for_times) rather than
// rd_kafka_query_watermark_offsets, which in librdkafka 2.0.2 never returns while the broker is
// down (librdkafka issue 2588, fixed in 2.3.0). Errors: kUnavailable with librdkafka's reason.
Result<int64_t> EndOffset(Client& client, const std::string& topic,
                          std::chrono::milliseconds timeout);

// A one-partition topic ledgerdesk relies on.
struct TopicSpec {
  std::string name;
  std::string brokers;  // for messages
  // Why one partition, for the refusal of a topic with more ("one total order of events").
  std::string why_one_partition;
  // Topic settings it is created with (e.g. cleanup.policy=compact).
  std::map<std::string, std::string> config;
  bool create = true;  // create it when missing
  std::chrono::milliseconds timeout{30000};
};

// Makes sure the topic exists with exactly one partition, creating it with `config` if missing
// and allowed (`client`'s handle does the admin). Errors: kNotFound when missing and not to be
// created; kFailedPrecondition for more than one partition; kUnavailable when Kafka does not
// answer before `deadline` or cannot create it.
Status EnsureTopic(Client& client, const TopicSpec& topic, KafkaClock::time_point deadline);

}  // namespace ledgerdesk::log
