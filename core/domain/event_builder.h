#pragma once

// Builds the envelopes one command decides on: each gets a fresh id, the stream's next version
// (counting earlier events of the same command), the command's time, actor and correlation id.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

// What every command carries besides its own fields. Decide functions read the time from here and
// never from a clock, and take ids from `new_id`, so tests can fix both.
struct CommandContext {
  std::chrono::system_clock::time_point now;
  v1::Actor actor;
  std::string correlation_id;
  std::function<std::string()> new_id;  // 16 random bytes in production
};

class EventBuilder {
 public:
  // `current_version(stream)` answers the stream's version before this command.
  EventBuilder(const CommandContext& context,
               std::function<uint64_t(const std::string&)> current_version);

  // Appends an envelope for `stream` and returns it for the caller to set its payload.
  v1::Envelope& Add(const std::string& stream);

  std::vector<v1::Envelope> Take() { return std::move(events_); }
  const std::vector<v1::Envelope>& events() const { return events_; }

 private:
  const CommandContext& context_;
  std::function<uint64_t(const std::string&)> current_version_;
  std::map<std::string, uint64_t> next_versions_;
  std::vector<v1::Envelope> events_;
};

// A fresh 16-byte id from the context (random when the context has no source).
std::string NewId(const CommandContext& context);

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point time);

// Who a command runs as: a role and, for a person, their account.
v1::Actor ActorOf(v1::Role role, std::string_view account_id = "");
std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace ledgerdesk::domain
