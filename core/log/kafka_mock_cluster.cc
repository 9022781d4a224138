#include "core/log/kafka_mock_cluster.h"

namespace ledgerdesk::log {
Result<std::unique_ptr<MockKafkaCluster>> MockKafkaCluster::Start(int) {
  return Internal("not built yet");
}
}  // namespace ledgerdesk::log
