#include "core/log/log_factory.h"

#include <fstream>

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
  KafkaLogOptions kafka{
      .brokers = options.brokers, .topic = options.topic, .read_only = options.read_only};
  LD_ASSIGN_OR_RETURN(kafka.properties, KafkaProperties(options));
  return OpenKafkaLog(kafka);
}

std::filesystem::path KeysDir(const LogOptions& options) {
  return options.keys_dir.empty() ? options.data_dir / "keys" : options.keys_dir;
}

namespace {

// The key topic an embedded-log data dir names in its KEYS-FROM file ("name value" lines), as
// the options of a Kafka log whose keys dir is this dir's.
Result<LogOptions> ReadKeysFrom(const LogOptions& options) {
  const auto path = options.data_dir / kKeysFromFile;
  std::ifstream in(path);
  if (!in) return Unavailable("cannot read " + path.string());
  LogOptions kafka{
      .backend = Backend::kKafka, .data_dir = options.data_dir, .keys_dir = KeysDir(options)};
  std::string line;
  while (std::getline(in, line)) {
    const size_t space = line.find(' ');
    const std::string name = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (name == "brokers") {
      kafka.brokers = value;
    } else if (name == "key_topic") {
      kafka.key_topic = value;
    } else if (name == "kafka_config") {
      kafka.kafka_config_file = value;
    } else if (!name.empty()) {
      return InvalidArgument(path.string() + " names an unknown setting '" + name + "'");
    }
  }
  if (kafka.brokers.empty()) return InvalidArgument(path.string() + " names no brokers");
  return kafka;
}

}  // namespace

Status WriteKeysFrom(const LogOptions& source, const std::filesystem::path& dir) {
  const auto path = dir / kKeysFromFile;
  std::ofstream out(path);
  out << "brokers " << source.brokers << "\n"
      << "key_topic " << source.key_topic << "\n";
  if (!source.kafka_config_file.empty()) {
    out << "kafka_config " << std::filesystem::absolute(source.kafka_config_file).string() << "\n";
  }
  out.flush();
  if (!out) return Unavailable("cannot write " + path.string());
  return OkStatus();
}

Result<std::unique_ptr<crypto::SubjectKeyStore>> OpenSubjectKeyStore(const LogOptions& options) {
  if (options.backend == Backend::kEmbedded) {
    if (!std::filesystem::exists(options.data_dir / kKeysFromFile)) {
      return crypto::OpenFileSubjectKeyStore(KeysDir(options));
    }
    LD_ASSIGN_OR_RETURN(const LogOptions kafka, ReadKeysFrom(options));
    return OpenSubjectKeyStore(kafka);
  }
  if (options.brokers.empty()) return InvalidArgument("--log kafka needs --brokers HOST:PORT");
  KafkaKeyStoreOptions kafka{.brokers = options.brokers,
                             .topic = options.key_topic,
                             .kek_file = KeysDir(options) / "kek.key"};
  LD_ASSIGN_OR_RETURN(kafka.properties, KafkaProperties(options));
  return OpenKafkaSubjectKeyStore(kafka);
}

}  // namespace ledgerdesk::log
