#pragma once

// librdkafka's in-process mock cluster: speaks the Kafka protocol on loopback, keeps everything in
// memory. For tests, benchmarks and `ledgerdesk kafka-dev`; never for data that must survive.

#include <memory>
#include <string>

#include "core/common/status.h"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace ledgerdesk::log {

class MockKafkaCluster {
 public:
  // Starts `brokers` mock brokers on loopback ports.
  static Result<std::unique_ptr<MockKafkaCluster>> Start(int brokers = 1);
  virtual ~MockKafkaCluster() = default;

  // "127.0.0.1:port,..." for bootstrap.servers.
  virtual std::string bootstrap_servers() const = 0;
  // Creates a topic (the mock cluster would otherwise auto-create with its default partitions).
  virtual Status CreateTopic(const std::string& topic, int partitions) = 0;
  // The raw handle, for fault injection (rd_kafka_mock_push_request_errors, broker down/up, rtt).
  virtual rd_kafka_mock_cluster_t* handle() = 0;
};

}  // namespace ledgerdesk::log
