#include "core/log/log_factory.h"

#include "core/log/embedded_log.h"
#include "core/log/kafka_key_store.h"
#include "core/log/kafka_log.h"

namespace ledgerdesk::log {
namespace {

// The extra librdkafka properties of --kafka-config, if any.
Result<std::map<std::string, std::string>> KafkaProperties(const LogOptions& options) {
  if (options.kafka_config_file.empty()) return std::map<std::string, std::string>();
  return ReadKafkaConfigFile(options.kafka_config_file);
}

}  // namespace

Result<std::unique_ptr<EventLog>> OpenLog(const LogOptions& options) {
  if (options.backend == Backend::kEmbedded) {
    LD_ASSIGN_OR_RETURN(auto log, EmbeddedLog::Open({.dir = options.data_dir / "log",
                                                     .read_only = options.read_only}));
    return std::unique_ptr<EventLog>(std::move(log));
  }
  if (options.brokers.empty()) return InvalidArgument("--log kafka needs --brokers HOST:PORT");
  KafkaLogOptions kafka{.brokers = options.brokers, .topic = options.topic};
  LD_ASSIGN_OR_RETURN(kafka.properties, KafkaProperties(options));
  return OpenKafkaLog(kafka);
}

std::filesystem::path KeysDir(const LogOptions& options) {
  return options.keys_dir.empty() ? options.data_dir / "keys" : options.keys_dir;
}

Result<std::unique_ptr<crypto::SubjectKeyStore>> OpenSubjectKeyStore(const LogOptions& options) {
  if (options.backend == Backend::kEmbedded)
    return crypto::OpenFileSubjectKeyStore(KeysDir(options));
  if (options.brokers.empty()) return InvalidArgument("--log kafka needs --brokers HOST:PORT");
  KafkaKeyStoreOptions kafka{.brokers = options.brokers,
                             .topic = options.key_topic,
                             .kek_file = KeysDir(options) / "kek.key"};
  LD_ASSIGN_OR_RETURN(kafka.properties, KafkaProperties(options));
  return OpenKafkaSubjectKeyStore(kafka);
}

}  // namespace ledgerdesk::log
