#include "core/log/kafka_log.h"

#include <google/protobuf/util/time_util.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/log/envelope_codec.h"
#include "core/log/kafka_client.h"

namespace ledgerdesk::log {
namespace {

using Clock = KafkaClock;

KafkaProperties BaseProperties(const KafkaLogOptions& options) {
  return log::BaseProperties(options.brokers, options.properties);
}

TopicSpec TopicOf(const KafkaLogOptions& options) {
  return {.name = options.topic,
          .brokers = options.brokers,
          .why_one_partition = "the ledgerdesk log needs exactly one (one total order of events)",
          .create = options.create_topic,
          .timeout = options.timeout};
}

class KafkaReader : public LogReader {
 public:
  KafkaReader(std::unique_ptr<Client> consumer, std::string where,
              std::chrono::milliseconds fetch_timeout)
      : consumer_(std::move(consumer)), where_(std::move(where)), fetch_timeout_(fetch_timeout) {}

  Result<std::vector<LogRecord>> Read(size_t max_records, std::chrono::milliseconds wait) override {
    std::vector<LogRecord> records;
    const auto started = Clock::now();
    // An empty read must mean "at the end of the log": until librdkafka has said it reached the
    // partition's end since the last record, polling nothing means a fetch has not come back yet
    // (a new consumer joins and fetches for seconds on a loaded machine), and scans to the end
    // that took that for "nothing there" stopped short. So such a read waits for the fetch, up to
    // the log's timeout; at the end it waits `wait`, as asked.
    auto deadline = started + (at_end_ ? wait : std::max(wait, fetch_timeout_));
    std::string trouble;
    while (records.size() < max_records) {
      // Wait for the first record; after that take only what is there already.
      const int timeout = records.empty() ? RemainingMs(deadline) : 0;
      KafkaPtr<rd_kafka_message_t> message(rd_kafka_consumer_poll(consumer_->get(), timeout));
      if (message == nullptr) {
        if (records.empty() && RemainingMs(deadline) > 0) continue;
        break;
      }
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          at_end_ = true;
          deadline = std::min(deadline, started + wait);
          continue;
        }
        const std::string text = rd_kafka_message_errstr(message.get());
        if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
            message->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
          return DataLoss("the reader's position is not in " + where_ + ": " + text);
        }
        if (rd_kafka_fatal_error(consumer_->get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return Unavailable("reading " + where_ + " failed: " + text);
        }
        // Transport trouble: librdkafka reconnects by itself. Report it only if nothing came.
        trouble = text;
        continue;
      }
      at_end_ = false;  // until librdkafka says so again
      LogRecord record;
      record.position = Position{static_cast<uint64_t>(message->offset)};
      if (message->key != nullptr) {
        record.key.assign(static_cast<const char*>(message->key), message->key_len);
      }
      if (message->payload != nullptr) {
        record.value.assign(static_cast<const char*>(message->payload), message->len);
      }
      records.push_back(std::move(record));
    }
    if (records.empty() && !trouble.empty()) {
      return Unavailable("cannot read " + where_ + ": " + trouble);
    }
    if (records.empty() && !at_end_) {
      return Unavailable("cannot read " + where_ + ": no fetch came back within " +
                         Seconds(fetch_timeout_) + " s");
    }
    return records;
  }

 private:
  std::unique_ptr<Client> consumer_;
  std::string where_;
  const std::chrono::milliseconds fetch_timeout_;
  bool at_end_ = false;  // librdkafka reported the partition's end after the last record
};

class KafkaLog : public EventLog {
 public:
  KafkaLog(KafkaLogOptions options, std::unique_ptr<Client> producer,
           std::unique_ptr<Client> watermarks)
      : options_(std::move(options)),
        producer_(std::move(producer)),
        watermarks_(std::move(watermarks)) {}

  Result<std::vector<Position>> Append(const std::vector<v1::Envelope>& events) override {
    if (events.empty()) return std::vector<Position>{};
    if (options_.read_only) {
      return FailedPrecondition(Describe() + " is open read-only here: writes go to the writer");
    }
    std::lock_guard lock(append_mutex_);
    const auto deadline = Clock::now() + options_.timeout;
    if (producer_ == nullptr) {
      LD_ASSIGN_OR_RETURN(auto producer, NewProducer(options_));
      LD_RETURN_IF_ERROR(InitTransactions(*producer, options_, deadline));
      producer_ = std::move(producer);
    }
    auto positions = AppendInTransaction(events, deadline);
    if (producer_ != nullptr) producer_->set_deliveries(nullptr);
    return positions;
  }

  // The last stable offset (the handle reads committed records only). Not through
  // rd_kafka_query_watermark_offsets: in librdkafka 2.0.2 it never returns once the cluster
  // refuses connections, and the writer's follower, shutdown waiting on it, hung with it.
  Result<Position> End() override {
    LD_ASSIGN_OR_RETURN(const int64_t end,
                        EndOffset(*watermarks_, options_.topic, options_.timeout));
    return Position{static_cast<uint64_t>(end)};
  }

  Result<std::unique_ptr<LogReader>> NewReader(Position from) override {
    auto properties = BaseProperties(options_);
    properties.insert(properties.end(),
                      {
                          // A group only because librdkafka's assign() needs one: no offsets are
                          // ever committed to it.
                          {"group.id", "ledgerdesk-reader-" + Hex(RandomEventId())},
                          {"enable.auto.commit", "false"},
                          {"enable.auto.offset.store", "false"},
                          {"isolation.level", "read_committed"},
                          {"auto.offset.reset", "error"},
                          // Says when a fetch found nothing more (KafkaReader::Read).
                          {"enable.partition.eof", "true"},
                      });
    // Defaults a --kafka-config file may override. A real broker answers a waiting fetch as soon
    // as a record arrives; librdkafka's mock cluster holds it for the whole fetch.wait.max.ms, and
    // the writer's read-back pays that on every append. 5 ms keeps that small without an idle
    // reader asking a real broker more than ~200 times a second.
    properties.insert(properties.begin(),
                      {{"fetch.wait.max.ms", "5"}, {"fetch.error.backoff.ms", "5"}});
    LD_ASSIGN_OR_RETURN(auto consumer, Client::Create(RD_KAFKA_CONSUMER, properties));
    rd_kafka_poll_set_consumer(consumer->get());
    KafkaPtr<rd_kafka_topic_partition_list_t> assignment(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(assignment.get(), options_.topic.c_str(), 0)->offset =
        static_cast<int64_t>(from.value);
    const rd_kafka_resp_err_t err = rd_kafka_assign(consumer->get(), assignment.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unavailable("cannot start reading " + Describe() + ": " + rd_kafka_err2str(err));
    }
    return std::unique_ptr<LogReader>(
        new KafkaReader(std::move(consumer), Describe(), options_.timeout));
  }

  bool HasExclusiveWriter() const override { return false; }

  std::string Describe() const override {
    return "Kafka topic " + options_.topic + " at " + options_.brokers;
  }

  // A transactional producer, not yet initialized. Errors: kInvalidArgument for bad properties.
  static Result<std::unique_ptr<Client>> NewProducer(const KafkaLogOptions& options) {
    auto properties = BaseProperties(options);
    // Every append flushes its transaction at once: waiting to fill batches only adds latency.
    // First, so that a --kafka-config file may still set it.
    properties.insert(properties.begin(), {"linger.ms", "0"});
    properties.insert(properties.end(), {
                                            {"enable.idempotence", "true"},
                                            {"acks", "all"},
                                            {"transactional.id", options.transactional_id},
                                        });
    return Client::Create(RD_KAFKA_PRODUCER, properties);
  }

  // Registers the producer's transactional id with the coordinator (fencing an older producer
  // with the same id on a real cluster). Errors: kUnavailable when the brokers do not answer
  // before `deadline`.
  static Status InitTransactions(Client& producer, const KafkaLogOptions& options,
                                 Clock::time_point deadline) {
    KafkaPtr<rd_kafka_error_t> error(
        rd_kafka_init_transactions(producer.get(), std::max(RemainingMs(deadline), 1)));
    if (error == nullptr) return OkStatus();
    return Unavailable(WithReason("cannot reach Kafka at " + options.brokers + " within " +
                                      Seconds(options.timeout) + " s: " + ErrorText(error.get()),
                                  producer.last_error()));
  }

 private:
  Result<std::vector<Position>> AppendInTransaction(const std::vector<v1::Envelope>& events,
                                                    Clock::time_point deadline) {
    rd_kafka_t* rk = producer_->get();
    if (KafkaPtr<rd_kafka_error_t> error(rd_kafka_begin_transaction(rk)); error != nullptr) {
      return TransactionFailed("cannot begin a transaction", std::move(error), deadline);
    }
    Client::Deliveries deliveries;
    deliveries.generation = ++generation_;
    deliveries.offsets.assign(events.size(), -1);
    deliveries.errors.assign(events.size(), RD_KAFKA_RESP_ERR_NO_ERROR);
    producer_->set_deliveries(&deliveries);

    for (size_t i = 0; i < events.size(); ++i) {
      const v1::Envelope& event = events[i];
      const std::string value = event.SerializeAsString();
      KafkaPtr<rd_kafka_headers_t> headers = Headers(event);
      rd_kafka_resp_err_t err;
      for (;;) {
        err = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(options_.topic.c_str()), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(event.stream().data(), event.stream().size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
            RD_KAFKA_V_HEADERS(headers.get()),
            RD_KAFKA_V_OPAQUE(Client::Tag(deliveries.generation, static_cast<uint32_t>(i))),
            RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || RemainingMs(deadline) == 0) break;
        rd_kafka_poll(rk, 10);  // let deliveries drain the queue
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return AbortWith("cannot produce to " + Describe() + ": " + rd_kafka_err2str(err),
                         deadline);
      }
      headers.release();  // the message owns them now
    }

    rd_kafka_flush(rk, RemainingMs(deadline));
    if (deliveries.delivered < events.size()) {
      return AbortWith(WithReason("Kafka at " + options_.brokers + " confirmed " +
                                      std::to_string(deliveries.delivered) + " of " +
                                      std::to_string(events.size()) + " records within " +
                                      Seconds(options_.timeout) + " s",
                                  producer_->last_error()),
                       deadline);
    }
    for (rd_kafka_resp_err_t err : deliveries.errors) {
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return AbortWith("Kafka refused a record of " + Describe() + ": " + rd_kafka_err2str(err),
                         deadline);
      }
    }

    for (;;) {
      KafkaPtr<rd_kafka_error_t> error(rd_kafka_commit_transaction(rk, RemainingMs(deadline)));
      if (error == nullptr) break;
      if (rd_kafka_error_is_retriable(error.get()) && RemainingMs(deadline) > 0) continue;
      return TransactionFailed("cannot commit the transaction", std::move(error), deadline);
    }

    std::vector<Position> positions;
    positions.reserve(events.size());
    for (int64_t offset : deliveries.offsets) positions.push_back(Position{uint64_t(offset)});
    return positions;
  }

  // The CloudEvents Kafka binding, binary mode, plus our stream headers.
  static KafkaPtr<rd_kafka_headers_t> Headers(const v1::Envelope& event) {
    KafkaPtr<rd_kafka_headers_t> headers(rd_kafka_headers_new(8));
    auto add = [&](const char* name, const std::string& value) {
      rd_kafka_header_add(headers.get(), name, -1, value.data(),
                          static_cast<ssize_t>(value.size()));
    };
    add("ce_specversion", "1.0");
    add("ce_id", Hex(event.event_id()));
    add("ce_type", event.event_type().empty() ? PayloadTypeName(event) : event.event_type());
    add("ce_source", "ledgerdesk");
    add("ce_time", google::protobuf::util::TimeUtil::ToString(event.occurred_at()));
    add("content-type", "application/protobuf");
    add("ld_stream", event.stream());
    add("ld_stream_version", std::to_string(event.stream_version()));
    return headers;
  }

  // Aborts the open transaction and answers kUnavailable with `message`. When the abort itself
  // fails the producer is dropped; the next Append starts a fresh one.
  Status AbortWith(const std::string& message, Clock::time_point deadline) {
    producer_->set_deliveries(nullptr);
    for (;;) {
      KafkaPtr<rd_kafka_error_t> error(
          rd_kafka_abort_transaction(producer_->get(), RemainingMs(deadline)));
      if (error == nullptr) break;
      // A timed-out abort may be resumed by calling it again.
      if (rd_kafka_error_is_retriable(error.get()) && RemainingMs(deadline) > 0) continue;
      producer_.reset();
      break;
    }
    return Unavailable(message +
                       " (the transaction was aborted; records may still be visible "
                       "and readers' validation decides)");
  }

  Status TransactionFailed(const std::string& what, KafkaPtr<rd_kafka_error_t> error,
                           Clock::time_point deadline) {
    const std::string message = what + " on " + Describe() + ": " + ErrorText(error.get());
    if (rd_kafka_error_txn_requires_abort(error.get())) return AbortWith(message, deadline);
    // Fatal, or a commit whose outcome we do not know: start over with a new producer, which
    // fences this one's transaction on a real cluster.
    producer_->set_deliveries(nullptr);
    producer_.reset();
    return Unavailable(WithReason(message, ""));
  }

  const KafkaLogOptions options_;
  std::mutex append_mutex_;  // one Append at a time
  std::unique_ptr<Client> producer_;
  uint32_t generation_ = 0;
  std::unique_ptr<Client> watermarks_;  // a read_committed handle for End()
};

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

Result<std::map<std::string, std::string>> ReadKafkaConfigFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open Kafka config file " + path.string());
  std::map<std::string, std::string> properties;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == '!') continue;
    const auto equals = trimmed.find('=');
    const std::string where = path.string() + ":" + std::to_string(number);
    if (equals == std::string::npos) {
      return InvalidArgument(where + ": expected key=value, got \"" + trimmed + "\"");
    }
    const std::string key = Trim(trimmed.substr(0, equals));
    if (key.empty()) return InvalidArgument(where + ": a property needs a name before '='");
    properties[key] = Trim(trimmed.substr(equals + 1));
  }
  if (in.bad()) return Unavailable("cannot read Kafka config file " + path.string());
  return properties;
}

Result<std::unique_ptr<EventLog>> OpenKafkaLog(const KafkaLogOptions& options) {
  if (options.brokers.empty()) return InvalidArgument("the Kafka log needs brokers (host:port)");
  if (options.topic.empty()) return InvalidArgument("the Kafka log needs a topic name");
  if (options.transactional_id.empty()) {
    return InvalidArgument("the Kafka log needs a transactional id");
  }
  if (options.timeout.count() <= 0) return InvalidArgument("the Kafka timeout must be positive");
  const auto deadline = Clock::now() + options.timeout;
  auto properties = BaseProperties(options);
  properties.emplace_back("isolation.level", "read_committed");
  if (options.read_only) {
    LD_ASSIGN_OR_RETURN(auto watermarks, Client::Create(RD_KAFKA_CONSUMER, properties));
    TopicSpec topic = TopicOf(options);
    topic.create = false;
    LD_RETURN_IF_ERROR(EnsureTopic(*watermarks, topic, deadline));
    return std::unique_ptr<EventLog>(new KafkaLog(options, nullptr, std::move(watermarks)));
  }

  // The producer first: it checks the properties, and its handle does the topic's admin.
  LD_ASSIGN_OR_RETURN(auto producer, KafkaLog::NewProducer(options));
  LD_RETURN_IF_ERROR(EnsureTopic(*producer, TopicOf(options), deadline));
  LD_RETURN_IF_ERROR(KafkaLog::InitTransactions(*producer, options, deadline));
  LD_ASSIGN_OR_RETURN(auto watermarks, Client::Create(RD_KAFKA_CONSUMER, properties));
  return std::unique_ptr<EventLog>(
      new KafkaLog(options, std::move(producer), std::move(watermarks)));
}

}  // namespace ledgerdesk::log
