// `ledgerdesk events tail`: prints events decoded from the log, one per line.

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <iostream>

#include "core/audit/event_json.h"
#include "core/log/envelope_codec.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

using google::protobuf::util::TimeUtil;

using audit::JsonString;

// The payload as JSON (Protobuf's JSON mapping; sealed fields stay base64 ciphertext).
std::string PayloadJson(const v1::Envelope& envelope) {
  const auto* field = v1::Envelope::descriptor()->FindFieldByNumber(envelope.payload_case());
  const auto& payload = envelope.GetReflection()->GetMessage(envelope, field);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(payload, &json, options).ok()) return "null";
  return json;
}

void PrintEvent(const log::LogRecord& record, const v1::Envelope& envelope, bool json) {
  const std::string time = TimeUtil::ToString(envelope.occurred_at());
  if (json) {
    std::cout << "{\"position\":" << record.position.value
              << ",\"type\":" << JsonString(envelope.event_type())
              << ",\"stream\":" << JsonString(envelope.stream())
              << ",\"version\":" << envelope.stream_version() << ",\"time\":" << JsonString(time)
              << ",\"event_id\":\"" << log::Hex(envelope.event_id())
              << "\",\"payload\":" << PayloadJson(envelope) << "}\n";
  } else {
    std::cout << record.position.value << "  " << time << "  " << envelope.event_type() << "  "
              << envelope.stream() << " v" << envelope.stream_version() << "  id "
              << log::Hex(envelope.event_id()) << "\n";
  }
}

}  // namespace

int EventsTailCommand(const Args& args) {
  CommandLine cli("events tail", "[--from POSITION] [--json] [--follow] [LOG OPTIONS]",
                  "Prints the events of the log, decoded, one per line; exits at the end of the "
                  "log unless --follow. Sealed personal fields stay sealed. Records that are not "
                  "ledgerdesk events are reported on stderr and skipped.");
  cli.LogOptions()
      .Option("from", "POSITION", "start at this log position (default 0)")
      .Flag("json", "one JSON object per line: position, type, stream, version, time, payload")
      .Flag("follow", "keep waiting for new events");
  if (auto exit = cli.Parse(args)) return *exit;
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());
  auto from = cli.GetUint("from", 0);
  if (!from.ok()) return cli.UsageError(from.status().message());
  log_options->read_only = true;
  const bool json = cli.Has("json");
  const bool follow = cli.Has("follow");

  auto log = log::OpenLog(*log_options);
  if (!log.ok()) return Fail("events tail", log.status());
  // Past the end there is nothing to print, on every backend alike (Kafka would refuse the
  // offset); with --follow, read from the end and print from `from` on.
  const uint64_t first = *from;
  uint64_t start = first;
  if (first > 0) {
    auto end = (*log)->End();
    if (!end.ok()) return Fail("events tail", end.status());
    if (first > end->value) {
      if (!follow) return kExitOk;
      start = end->value;
    }
  }
  auto reader = (*log)->NewReader(log::Position{start});
  if (!reader.ok()) return Fail("events tail", reader.status());
  uint64_t skipped = 0;
  log::Position next{start};
  for (;;) {
    auto records = (*reader)->Read(1024, std::chrono::milliseconds(follow ? 1000 : 200));
    if (!records.ok()) return Fail("events tail", records.status());
    for (const auto& record : *records) {
      next = log::Position{record.position.value + 1};
      if (record.position.value < first) continue;
      auto envelope = log::DecodeEnvelope(record.value);
      if (!envelope.ok()) {
        ++skipped;
        std::cerr << "position " << record.position.value
                  << ": skipped: " << envelope.status().message() << "\n";
        continue;
      }
      PrintEvent(record, *envelope, json);
    }
    std::cout.flush();
    if (follow || !records->empty()) continue;
    auto end = (*log)->End();
    if (!end.ok()) return Fail("events tail", end.status());
    if (next >= *end) break;
  }
  if (skipped > 0) std::cerr << "events tail: skipped " << skipped << " record(s)\n";
  return kExitOk;
}

}  // namespace ledgerdesk::tools
