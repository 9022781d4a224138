#include "core/log/kafka_log.h"

namespace ledgerdesk::log {
Result<std::map<std::string, std::string>> ReadKafkaConfigFile(const std::filesystem::path&) {
  return Internal("not built yet");
}
Result<std::unique_ptr<EventLog>> OpenKafkaLog(const KafkaLogOptions&) {
  return Internal("the Kafka log is not built yet");
}
}  // namespace ledgerdesk::log
