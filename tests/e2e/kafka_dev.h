#pragma once

// e2e tests on Kafka run `ledgerdesk kafka-dev` (librdkafka's mock cluster) as a child process.

#include <chrono>
#include <regex>
#include <string>

#include "tests/support/process.h"

namespace ledgerdesk::testing {

// The bootstrap servers a started `ledgerdesk kafka-dev` prints, or "" (with what it printed
// instead in `seen`) when it printed none within 20 s.
inline std::string KafkaDevBrokers(ChildProcess& kafka, std::string* seen = nullptr) {
  const std::string line = kafka.WaitForLine("bootstrap", std::chrono::seconds(20));
  if (seen != nullptr) *seen = line;
  std::smatch match;
  if (!std::regex_search(line, match, std::regex(R"(bootstrap (127\.0\.0\.1:\d+))"))) return "";
  return match[1];
}

}  // namespace ledgerdesk::testing
