#pragma once

// Opens the log that the command line names (`--log local|kafka`, see spec/cli.md), and the
// subject keys that go with it.

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/event_log.h"

namespace ledgerdesk::log {

enum class Backend { kEmbedded, kKafka };

struct LogOptions {
  Backend backend = Backend::kEmbedded;
  std::filesystem::path data_dir = "ledgerdesk-data";  // the embedded log lives in data_dir/log
  std::string brokers;
  std::string topic = "ledgerdesk.events";
  std::filesystem::path kafka_config_file;    // optional: extra librdkafka properties
  bool read_only = false;                     // only reads: may run beside the process that writes
  std::string key_topic = "ledgerdesk.keys";  // Kafka: the subject keys' topic
  std::filesystem::path keys_dir;             // the keys' files; empty: data_dir/keys
};

Result<std::unique_ptr<EventLog>> OpenLog(const LogOptions& options);

// Where the keys' files are: keys_dir, or data_dir/keys.
std::filesystem::path KeysDir(const LogOptions& options);

// The subject keys for this log: with the embedded log, one file per key in KeysDir (one process
// at a time, crypto::OpenFileSubjectKeyStore); with Kafka, the key topic shared by every node,
// unwrapped with the KEK in KeysDir/kek.key (kafka_key_store.h). Errors: those of the store.
// An embedded-log data dir whose keys live on a key topic (an `audit replay` of a Kafka log) says
// so in this file; OpenSubjectKeyStore then opens that topic, so erasures reach the replay too.
inline constexpr char kKeysFromFile[] = "KEYS-FROM";
Result<std::unique_ptr<crypto::SubjectKeyStore>> OpenSubjectKeyStore(const LogOptions& options);

// Writes DIR/KEYS-FROM naming the key topic of `source` (a Kafka log's options): brokers, key
// topic, the --kafka-config file (absolute). Errors: kUnavailable when it cannot be written.
Status WriteKeysFrom(const LogOptions& source, const std::filesystem::path& dir);

}  // namespace ledgerdesk::log
