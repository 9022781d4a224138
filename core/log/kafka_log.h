#pragma once

// The Kafka backend: the log is one partition of one topic (design.md, "The log"). Records are
// keyed by stream and carry CloudEvents binary-mode headers (ce_specversion, ce_id, ce_type,
// ce_source, ce_time, content-type: application/protobuf) plus ld_stream and ld_stream_version. The
// producer is idempotent and transactional (one Append = one transaction); readers use
// read_committed.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/log/event_log.h"

namespace ledgerdesk::log {

struct KafkaLogOptions {
  std::string brokers;  // "host:port[,host:port...]"
  std::string topic = "ledgerdesk.events";
  std::string transactional_id = "ledgerdesk-writer";  // stable: a real cluster fences a 2nd writer
  std::map<std::string, std::string> properties;       // extra librdkafka properties (SASL, TLS...)
  std::chrono::milliseconds timeout{30000};  // how long one append or metadata call may take
  bool create_topic = true;                  // create the topic with one partition if missing
  // Reads only (a replica, `events tail`, a digest, an audit): no producer, since a second
  // transactional producer under the same id would fence the writer's; the topic is never
  // created (a mistyped name is an error, not a new empty log); Append is refused.
  bool read_only = false;
};

// Reads a librdkafka properties file: `key=value` lines, `#` comments, blank lines. Errors name the
// file and line.
Result<std::map<std::string, std::string>> ReadKafkaConfigFile(const std::filesystem::path& path);

// Connects, makes sure the topic exists with exactly one partition, and (unless read-only)
// initializes the transactional producer. Errors from the broker become sentences (kUnavailable
// when it cannot be reached in time, kFailedPrecondition for a topic with more than one partition,
// kInvalidArgument for a bad property).
Result<std::unique_ptr<EventLog>> OpenKafkaLog(const KafkaLogOptions& options);

}  // namespace ledgerdesk::log
