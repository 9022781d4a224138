#include "core/log/log_factory.h"

#include "core/log/embedded_log.h"
#include "core/log/kafka_log.h"

namespace ledgerdesk::log {

Result<std::unique_ptr<EventLog>> OpenLog(const LogOptions& options) {
  if (options.backend == Backend::kEmbedded) {
    LD_ASSIGN_OR_RETURN(auto log, EmbeddedLog::Open({.dir = options.data_dir / "log",
                                                     .read_only = options.read_only}));
    return std::unique_ptr<EventLog>(std::move(log));
  }
  if (options.brokers.empty()) return InvalidArgument("--log kafka needs --brokers HOST:PORT");
  KafkaLogOptions kafka{.brokers = options.brokers, .topic = options.topic};
  if (!options.kafka_config_file.empty()) {
    LD_ASSIGN_OR_RETURN(kafka.properties, ReadKafkaConfigFile(options.kafka_config_file));
  }
  return OpenKafkaLog(kafka);
}

}  // namespace ledgerdesk::log
