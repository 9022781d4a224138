#include "core/log/kafka_client.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace ledgerdesk::log {

int RemainingMs(KafkaClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - KafkaClock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1'000'000'000));
}

std::string Seconds(std::chrono::milliseconds timeout) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", static_cast<double>(timeout.count()) / 1000.0);
  return text;
}

std::string ErrorText(const rd_kafka_error_t* error) {
  return error == nullptr ? "" : rd_kafka_error_string(error);
}

std::string WithReason(const std::string& what, const std::string& reason) {
  return reason.empty() ? what : what + ": " + reason;
}

KafkaProperties BaseProperties(const std::string& brokers,
                               const std::map<std::string, std::string>& user_properties) {
  KafkaProperties properties = {
      // Come back quickly after a broker restart (the default backs off up to 10 s).
      {"reconnect.backoff.max.ms", "1000"},
  };
  for (const auto& property : user_properties) properties.push_back(property);
  properties.emplace_back("bootstrap.servers", brokers);
  return properties;
}

Result<std::unique_ptr<Client>> Client::Create(rd_kafka_type_t type,
                                               const KafkaProperties& properties) {
  std::unique_ptr<Client> client(new Client());
  KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  char errstr[512] = "";
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgument("bad Kafka property " + key + ": " + errstr);
    }
    if (key == "debug" && !value.empty()) client->verbose_ = true;
  }
  rd_kafka_conf_set_opaque(conf.get(), client.get());
  rd_kafka_conf_set_log_cb(conf.get(), &Client::OnLog);
  rd_kafka_conf_set_error_cb(conf.get(), &Client::OnError);
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf.get(), &Client::OnDelivery);
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (handle == nullptr) return InvalidArgument(std::string("bad Kafka settings: ") + errstr);
  conf.release();  // rd_kafka_new took it
  client->handle_ = handle;
  return client;
}

Client::~Client() {
  if (handle_ == nullptr) return;
  if (rd_kafka_type(handle_) == RD_KAFKA_PRODUCER) {
    // Do not wait for anything still queued: the caller gave up on it.
    rd_kafka_purge(handle_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
                                RD_KAFKA_PURGE_F_NON_BLOCKING);
  } else {
    rd_kafka_consumer_close(handle_);
  }
  rd_kafka_destroy(handle_);
}

std::string Client::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void Client::OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  auto* client = static_cast<Client*>(rd_kafka_opaque(rk));
  // Connection trouble is reported through OnError and ends up in our Status messages; only
  // what is badly wrong (or asked for with `debug`) goes to stderr.
  if (level <= 2 || (client != nullptr && client->verbose_)) {
    std::fprintf(stderr, "librdkafka %s %s: %s\n", rd_kafka_name(rk), facility, message);
  }
}

void Client::OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  (void)rk;
  (void)err;
  auto* client = static_cast<Client*>(opaque);
  std::lock_guard lock(client->mutex_);
  client->last_error_ = reason;
}

void Client::OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
  (void)rk;
  auto* client = static_cast<Client*>(opaque);
  Deliveries* deliveries = client->deliveries_;
  const auto tag = reinterpret_cast<uintptr_t>(message->_private);
  const auto generation = static_cast<uint32_t>(tag >> 32);
  const auto index = static_cast<uint32_t>(tag & 0xffffffffu);
  if (deliveries == nullptr || deliveries->generation != generation ||
      index >= deliveries->offsets.size()) {
    return;  // from a batch that gave up already
  }
  ++deliveries->delivered;  // exactly one report per message
  deliveries->errors[index] = message->err;
  deliveries->offsets[index] = message->err == 0 ? message->offset : -1;
}

Result<int64_t> EndOffset(Client& client, const std::string& topic,
                          std::chrono::milliseconds timeout) {
  KafkaPtr<rd_kafka_topic_partition_list_t> partitions(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_t* partition =
      rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), 0);
  partition->offset = RD_KAFKA_OFFSET_END;  // as a timestamp: "the latest"
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(client.get(), partitions.get(), static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = partition->err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(WithReason("cannot read the end of Kafka topic " + topic + " within " +
                                      Seconds(timeout) + " s: " + rd_kafka_err2str(err),
                                  client.last_error()));
  }
  return std::max<int64_t>(partition->offset, 0);
}

namespace {
// The topic's partition count, or 0 when it does not exist; also the number of brokers.
struct TopicInfo {
  int partitions = 0;
  int brokers = 0;
};

Result<TopicInfo> DescribeTopic(Client& client, const TopicSpec& options,
                                KafkaClock::time_point deadline) {
  const rd_kafka_metadata_t* raw = nullptr;
  // All topics: asking for one would let a broker auto-create it with its default partitions.
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(client.get(), 1, nullptr, &raw, std::max(RemainingMs(deadline), 1));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(WithReason("cannot reach Kafka at " + options.brokers + " within " +
                                      Seconds(options.timeout) + " s: " + rd_kafka_err2str(err),
                                  client.last_error()));
  }
  KafkaPtr<const rd_kafka_metadata_t> metadata(raw);
  TopicInfo info{.partitions = 0, .brokers = metadata->broker_cnt};
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (options.name != topic.topic) continue;
    if (topic.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) break;
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unavailable("Kafka at " + options.brokers + " cannot describe topic " + options.name +
                         ": " + rd_kafka_err2str(topic.err));
    }
    info.partitions = topic.partition_cnt;
  }
  return info;
}

Status CreateTopic(Client& client, const TopicSpec& options, int brokers,
                   KafkaClock::time_point deadline) {
  char errstr[512] = "";
  KafkaPtr<rd_kafka_NewTopic_t> topic(rd_kafka_NewTopic_new(
      options.name.c_str(), 1, std::clamp(brokers, 1, 3), errstr, sizeof(errstr)));
  if (topic == nullptr)
    return InvalidArgument("cannot create topic " + options.name + ": " + errstr);
  for (const auto& [name, value] : options.config) {
    if (rd_kafka_NewTopic_set_config(topic.get(), name.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return InvalidArgument("cannot create topic " + options.name + " with " + name + "=" + value);
    }
  }
  KafkaPtr<rd_kafka_AdminOptions_t> admin(
      rd_kafka_AdminOptions_new(client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int timeout = std::max(RemainingMs(deadline), 1);
  rd_kafka_AdminOptions_set_request_timeout(admin.get(), timeout, errstr, sizeof(errstr));
  rd_kafka_AdminOptions_set_operation_timeout(admin.get(), timeout, errstr, sizeof(errstr));
  KafkaPtr<rd_kafka_queue_t> queue(rd_kafka_queue_new(client.get()));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(client.get(), topics, 1, admin.get(), queue.get());
  KafkaPtr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), timeout + 1000));
  const std::string what = "cannot create topic " + options.name + " at " + options.brokers;
  const std::string hint = " (create it with one partition, or allow this client to create topics)";
  if (event == nullptr) return Unavailable(what + ": no answer in time" + hint);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unavailable(what + ": " + rd_kafka_event_error_string(event.get()) + hint);
  }
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* text = rd_kafka_topic_result_error_string(results[i]);
    return FailedPrecondition(what + ": " + (text != nullptr ? text : rd_kafka_err2str(err)) +
                              hint);
  }
  return OkStatus();
}

}  // namespace

Status EnsureTopic(Client& client, const TopicSpec& options, KafkaClock::time_point deadline) {
  LD_ASSIGN_OR_RETURN(TopicInfo info, DescribeTopic(client, options, deadline));
  if (info.partitions == 0) {
    if (!options.create) {
      return NotFound("Kafka topic " + options.name + " does not exist at " + options.brokers +
                      " (create it with one partition)");
    }
    LD_RETURN_IF_ERROR(CreateTopic(client, options, info.brokers, deadline));
    // A new topic takes a moment to show in metadata.
    while (info.partitions == 0) {
      LD_ASSIGN_OR_RETURN(info, DescribeTopic(client, options, deadline));
      if (info.partitions != 0) break;
      if (RemainingMs(deadline) == 0) {
        return Unavailable("Kafka topic " + options.name + " at " + options.brokers +
                           " was created but did not show up within " + Seconds(options.timeout) +
                           " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (info.partitions != 1) {
    return FailedPrecondition("Kafka topic " + options.name + " at " + options.brokers + " has " +
                              std::to_string(info.partitions) + " partitions; " +
                              options.why_one_partition);
  }
  return OkStatus();
}

}  // namespace ledgerdesk::log
