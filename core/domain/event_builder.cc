#include "core/domain/event_builder.h"

#include "core/log/envelope_codec.h"

namespace ledgerdesk::domain {

EventBuilder::EventBuilder(const CommandContext& context,
                           std::function<uint64_t(const std::string&)> current_version)
    : context_(context), current_version_(std::move(current_version)) {}

v1::Envelope& EventBuilder::Add(const std::string& stream) {
  auto [next, inserted] = next_versions_.try_emplace(stream, 0);
  if (inserted) next->second = current_version_(stream);
  ++next->second;
  v1::Envelope& envelope = events_.emplace_back();
  envelope.set_event_id(NewId(context_));
  envelope.set_stream(stream);
  envelope.set_stream_version(next->second);
  *envelope.mutable_occurred_at() = ToTimestamp(context_.now);
  *envelope.mutable_actor() = context_.actor;
  envelope.set_correlation_id(context_.correlation_id);
  return envelope;
}

std::string NewId(const CommandContext& context) {
  return context.new_id ? context.new_id() : log::RandomEventId();
}

v1::Actor ActorOf(v1::Role role, std::string_view account_id) {
  v1::Actor actor;
  actor.set_role(role);
  actor.set_account_id(std::string(account_id));
  return actor;
}

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point time) {
  const auto nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(nanos / 1'000'000'000);
  timestamp.set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  if (timestamp.nanos() < 0) {
    timestamp.set_seconds(timestamp.seconds() - 1);
    timestamp.set_nanos(timestamp.nanos() + 1'000'000'000);
  }
  return timestamp;
}

std::chrono::system_clock::time_point FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(timestamp.seconds()) + std::chrono::nanoseconds(timestamp.nanos())));
}

}  // namespace ledgerdesk::domain
