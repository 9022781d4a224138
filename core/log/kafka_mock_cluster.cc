#include "core/log/kafka_mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <memory>
#include <utility>

namespace ledgerdesk::log {
namespace {

struct HandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct ClusterDeleter {
  void operator()(rd_kafka_mock_cluster_t* cluster) const {
    rd_kafka_mock_cluster_destroy(cluster);
  }
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};

// The mock brokers log through the handle they were created on; keep them quiet unless something
// is badly wrong (a test injecting faults would otherwise flood stderr).
void QuietLog(const rd_kafka_t*, int level, const char* facility, const char* message) {
  if (level <= 2) fprintf(stderr, "librdkafka mock %s: %s\n", facility, message);
}

class MockKafkaClusterImpl : public MockKafkaCluster {
 public:
  MockKafkaClusterImpl(std::unique_ptr<rd_kafka_t, HandleDeleter> handle,
                       std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster)
      : handle_(std::move(handle)), cluster_(std::move(cluster)) {}

  std::string bootstrap_servers() const override {
    return rd_kafka_mock_cluster_bootstraps(cluster_.get());
  }

  Status CreateTopic(const std::string& topic, int partitions) override {
    if (partitions < 1) return InvalidArgument("a topic needs at least one partition");
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster_.get(), topic.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Internal("the mock cluster could not create topic " + topic + ": " +
                      rd_kafka_err2str(err));
    }
    return OkStatus();
  }

  rd_kafka_mock_cluster_t* handle() override { return cluster_.get(); }

 private:
  // Declared first so that it is destroyed last: the cluster runs on this handle's threads.
  std::unique_ptr<rd_kafka_t, HandleDeleter> handle_;
  std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster_;
};

}  // namespace

Result<std::unique_ptr<MockKafkaCluster>> MockKafkaCluster::Start(int brokers) {
  if (brokers < 1) return InvalidArgument("a mock cluster needs at least one broker");
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  char errstr[512] = "";
  if (rd_kafka_conf_set(conf.get(), "client.id", "ledgerdesk-mock-cluster", errstr,
                        sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    return Internal(std::string("cannot configure the mock cluster's handle: ") + errstr);
  }
  rd_kafka_conf_set_log_cb(conf.get(), QuietLog);
  // rd_kafka_new takes the configuration only when it succeeds.
  std::unique_ptr<rd_kafka_t, HandleDeleter> handle(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof(errstr)));
  if (handle == nullptr) {
    return Internal(std::string("cannot create the mock cluster's handle: ") + errstr);
  }
  conf.release();
  std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster(
      rd_kafka_mock_cluster_new(handle.get(), brokers));
  if (cluster == nullptr) return Internal("librdkafka could not start its mock cluster");
  return std::unique_ptr<MockKafkaCluster>(
      new MockKafkaClusterImpl(std::move(handle), std::move(cluster)));
}

}  // namespace ledgerdesk::log
