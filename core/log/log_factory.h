#pragma once

// Opens the log that the command line names (`--log local|kafka`, see spec/cli.md).

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/log/event_log.h"

namespace ledgerdesk::log {

enum class Backend { kEmbedded, kKafka };

struct LogOptions {
  Backend backend = Backend::kEmbedded;
  std::filesystem::path data_dir = "ledgerdesk-data";  // the embedded log lives in data_dir/log
  std::string brokers;
  std::string topic = "ledgerdesk.events";
  std::filesystem::path kafka_config_file;  // optional: extra librdkafka properties
  bool read_only = false;                   // only reads: may run beside the process that writes
};

Result<std::unique_ptr<EventLog>> OpenLog(const LogOptions& options);

}  // namespace ledgerdesk::log
