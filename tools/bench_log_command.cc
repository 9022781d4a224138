// `ledgerdesk bench log`: append throughput and latency of the embedded log at 1 and 64 concurrent
// writers, and of the Kafka path beside raw librdkafka producing the same bytes to the same mock
// cluster in the same run (design.md, "What fast means here": ratios, not absolute times).

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "core/log/embedded_log.h"
#include "core/log/envelope_codec.h"
#include "core/log/kafka_log.h"
#include "core/log/kafka_mock_cluster.h"
#include "core/log/writer.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

using Clock = std::chrono::steady_clock;

// A realistic small event: a ticket message of a few hundred bytes.
v1::Envelope BenchEvent(const std::string& stream, uint64_t version) {
  v1::Envelope envelope;
  envelope.set_event_id(log::RandomEventId());
  envelope.set_stream(stream);
  envelope.set_stream_version(version);
  envelope.mutable_occurred_at()->set_seconds(1'795'000'000);
  envelope.mutable_actor()->set_role(v1::ROLE_CUSTOMER);
  envelope.mutable_actor()->set_account_id("account-6f1c2a9e4b7d4e0f");
  auto* message = envelope.mutable_message_posted();
  message->set_ticket_id(stream);
  message->set_message_id(log::Hex(log::RandomEventId()));
  message->set_author_account_id("account-6f1c2a9e4b7d4e0f");
  message->set_author_role(v1::ROLE_CUSTOMER);
  message->mutable_body()->set_key_id("subject-key-1");
  message->mutable_body()->set_nonce(std::string(12, 'n'));
  message->mutable_body()->set_ciphertext(std::string(200, 'c'));
  return envelope;
}

struct PhaseResult {
  uint64_t events = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  uint64_t failures = 0;
  double rate() const { return seconds > 0 ? events / seconds : 0; }
};

double Percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(q * values.size()));
  std::nth_element(values.begin(), values.begin() + index, values.end());
  return values[index];
}

// `writers` threads append one-event commands through the Writer until `commands` are done or
// `duration` passed, whichever comes first.
PhaseResult RunWriters(log::Writer& writer, int writers, uint64_t commands,
                       std::chrono::milliseconds duration, const std::string& tag) {
  std::atomic<uint64_t> issued = 0;
  std::atomic<uint64_t> failures = 0;
  std::vector<std::vector<double>> latencies(writers);
  const auto start = Clock::now();
  const auto deadline = start + duration;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string stream = "bench-" + tag + "-" + std::to_string(w);
      uint64_t version = 0;
      while (issued.fetch_add(1) < commands && Clock::now() < deadline) {
        auto event = BenchEvent(stream, version + 1);
        const auto before = Clock::now();
        auto appended = writer.Append({std::move(event)});
        const auto after = Clock::now();
        if (!appended.ok()) {
          ++failures;
          continue;
        }
        ++version;
        latencies[w].push_back(std::chrono::duration<double, std::milli>(after - before).count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  PhaseResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& each : latencies) all.insert(all.end(), each.begin(), each.end());
  result.events = all.size();
  result.failures = failures;
  result.p50_ms = Percentile(all, 0.50);
  result.p99_ms = Percentile(all, 0.99);
  return result;
}

void PrintPhase(const std::string& name, const PhaseResult& r) {
  std::printf("%-34s %9.0f events/s  p50 %6.2f ms  p99 %6.2f ms  (%llu events in %.2f s%s)\n",
              name.c_str(), r.rate(), r.p50_ms, r.p99_ms, static_cast<unsigned long long>(r.events),
              r.seconds, r.failures ? (", " + std::to_string(r.failures) + " failed").c_str() : "");
}

Status BenchEmbedded(const std::filesystem::path& dir, std::chrono::milliseconds duration) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  LD_ASSIGN_OR_RETURN(auto log, log::EmbeddedLog::Open({.dir = dir}));
  LD_ASSIGN_OR_RETURN(auto writer, log::Writer::Start(*log));
  PrintPhase("embedded, durable, 1 writer", RunWriters(*writer, 1, UINT64_MAX, duration, "one"));
  const PhaseResult many = RunWriters(*writer, 64, UINT64_MAX, duration, "many");
  PrintPhase("embedded, durable, 64 writers", many);
  std::printf("%-34s %9s goal >= 100000 events/s, p99 <= 5 ms: %s\n", "", "",
              many.rate() >= 100000 && many.p99_ms <= 5 ? "met" : "NOT met");
  writer.reset();
  log.reset();
  std::filesystem::remove_all(dir, ignored);
  return OkStatus();
}

// Raw librdkafka: an idempotent producer sends the same keys and values, then flushes.
Result<double> RawProduce(const std::string& brokers, const std::string& topic,
                          const std::vector<v1::Envelope>& events) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer == nullptr) return Internal(std::string("raw producer: ") + errstr);
  std::vector<std::string> values;
  values.reserve(events.size());
  for (const auto& event : events) values.push_back(event.SerializeAsString());
  const auto start = Clock::now();
  for (size_t i = 0; i < events.size(); ++i) {
    for (;;) {
      const rd_kafka_resp_err_t err =
          rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_KEY(events[i].stream().data(), events[i].stream().size()),
                            RD_KAFKA_V_VALUE(values[i].data(), values[i].size()), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      rd_kafka_poll(producer, 10);
    }
  }
  rd_kafka_flush(producer, 60000);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  rd_kafka_destroy(producer);
  return events.size() / seconds;
}

Status BenchKafka(uint64_t events, int writers,
                  const std::map<std::string, std::string>& properties) {
  LD_ASSIGN_OR_RETURN(auto cluster, log::MockKafkaCluster::Start(1));
  LD_RETURN_IF_ERROR(cluster->CreateTopic("bench.raw", 1));
  LD_RETURN_IF_ERROR(cluster->CreateTopic("bench.ledgerdesk", 1));
  std::vector<v1::Envelope> prepared;
  for (uint64_t i = 0; i < events; ++i) {
    prepared.push_back(BenchEvent("bench-raw-" + std::to_string(i % 64), i / 64 + 1));
    log::StampEventType(prepared.back());
  }
  LD_ASSIGN_OR_RETURN(double raw_rate,
                      RawProduce(cluster->bootstrap_servers(), "bench.raw", prepared));
  LD_ASSIGN_OR_RETURN(auto log, log::OpenKafkaLog({.brokers = cluster->bootstrap_servers(),
                                                   .topic = "bench.ledgerdesk",
                                                   .transactional_id = "bench-writer",
                                                   .properties = properties}));
  LD_ASSIGN_OR_RETURN(auto writer, log::Writer::Start(*log));
  const PhaseResult ours = RunWriters(*writer, writers, events, std::chrono::minutes(5), "kafka");
  std::printf("%-34s %9.0f events/s  (%llu events)\n", "kafka mock, raw librdkafka", raw_rate,
              static_cast<unsigned long long>(events));
  PrintPhase("kafka mock, ledgerdesk, " + std::to_string(writers) + " writers", ours);
  const double ratio = raw_rate > 0 ? ours.rate() / raw_rate : 0;
  std::printf("%-34s %9.2f of raw (goal >= 0.80): %s\n", "kafka ratio", ratio,
              ratio >= 0.8 ? "met" : "NOT met");
  return OkStatus();
}

}  // namespace

int BenchLogCommand(const Args& args) {
  CommandLine cli("bench log", "[--seconds N] [--kafka-events N] [--dir DIR] [--skip-kafka]",
                  "Measures appends: the embedded log (durable, fsync'd) at 1 and 64 concurrent "
                  "writers with p50/p99 latency per command, and the Kafka path against raw "
                  "librdkafka producing the same bytes to the same in-process mock cluster.");
  cli.Option("seconds", "N", "how long each embedded phase runs (default 3)")
      .Option("kafka-events", "N", "events per Kafka phase (default 20000; the mock keeps 5 MiB)")
      .Option("dir", "DIR",
              "where the embedded log is written (default ./ledgerdesk-bench-log; "
              "on the disk you want to measure, not a tmpfs)")
      .Option("kafka-writers", "N",
              "concurrent commands on the Kafka path (default 256: the raw producer keeps "
              "thousands in flight; each ledgerdesk command waits for its transaction and "
              "read-back)")
      .Option("kafka-config", "FILE", "extra librdkafka properties for ledgerdesk's Kafka clients")
      .Flag("skip-kafka", "measure the embedded log only");
  if (auto exit = cli.Parse(args)) return *exit;
  auto seconds = cli.GetUint("seconds", 3);
  if (!seconds.ok()) return cli.UsageError(seconds.status().message());
  auto kafka_events = cli.GetUint("kafka-events", 20000);
  if (!kafka_events.ok()) return cli.UsageError(kafka_events.status().message());

  const std::filesystem::path dir = cli.Get("dir", "ledgerdesk-bench-log");
  if (Status status = BenchEmbedded(dir, std::chrono::seconds(*seconds)); !status.ok()) {
    return Fail("bench log", status);
  }
  if (!cli.Has("skip-kafka")) {
    std::map<std::string, std::string> properties;
    if (cli.Has("kafka-config")) {
      auto read = log::ReadKafkaConfigFile(cli.Get("kafka-config"));
      if (!read.ok()) return Fail("bench log", read.status());
      properties = std::move(*read);
    }
    auto writers = cli.GetUint("kafka-writers", 256);
    if (!writers.ok()) return cli.UsageError(writers.status().message());
    if (*writers < 1 || *writers > 4096) return cli.UsageError("--kafka-writers takes 1 to 4096");
    if (Status status = BenchKafka(*kafka_events, static_cast<int>(*writers), properties);
        !status.ok()) {
      return Fail("bench log", status);
    }
  }
  return kExitOk;
}

}  // namespace ledgerdesk::tools
