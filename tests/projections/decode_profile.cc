// What decoding the benchmark's generated log costs (not a test), for weighing a decoder that
// hands the folds views into the records instead of protobuf messages:
//   decode_profile [EVENTS]
// generates EVENTS records (default 1 000 000), then three times in turn: parses each into a
// v1::Envelope on one arena per chunk of 256 (as the rebuild's runner does), and walks each
// record's wire format indexing every field of the envelope and its submessages (number, offset,
// length or value: the least any view decoder does), and prints the CPU microseconds per event of
// each.

#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "projections/rebuild_bench.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace {

using ledgerdesk::log::LogRecord;
namespace protobuf = google::protobuf;

// Which field numbers of a message type hold messages, and their plans: worked out once per type.
struct WirePlan {
  std::vector<const WirePlan*> submessages;  // by field number; null for any other field
};

const WirePlan* PlanOf(const protobuf::Descriptor* type,
                       std::map<const protobuf::Descriptor*, std::unique_ptr<WirePlan>>& plans) {
  auto& plan = plans[type];
  if (plan) return plan.get();
  plan = std::make_unique<WirePlan>();
  WirePlan* made = plan.get();
  int highest = 0;
  for (int i = 0; i < type->field_count(); ++i)
    highest = std::max(highest, type->field(i)->number());
  made->submessages.assign(static_cast<size_t>(highest) + 1, nullptr);
  for (int i = 0; i < type->field_count(); ++i) {
    const protobuf::FieldDescriptor* field = type->field(i);
    if (field->type() == protobuf::FieldDescriptor::TYPE_MESSAGE) {
      made->submessages[field->number()] = PlanOf(field->message_type(), plans);
    }
  }
  return made;
}

struct WireField {
  uint32_t number;
  uint32_t offset;  // of a length-delimited field's bytes
  uint32_t length;
  uint64_t value;  // of a varint
};

bool ReadVarint(const uint8_t*& at, const uint8_t* end, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && at < end; shift += 7) {
    const uint8_t byte = *at++;
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Indexes every field of [at, end) and, depth first, of its submessages; false for bad bytes.
bool Walk(const uint8_t* base, const uint8_t* at, const uint8_t* end, const WirePlan& plan,
          std::vector<WireField>& fields) {
  while (at < end) {
    uint64_t tag, value;
    if (!ReadVarint(at, end, tag)) return false;
    const auto number = static_cast<uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(at, end, value)) return false;
        fields.push_back({number, 0, 0, value});
        break;
      case 1:
        if (end - at < 8) return false;
        at += 8;
        break;
      case 5:
        if (end - at < 4) return false;
        at += 4;
        break;
      case 2: {
        if (!ReadVarint(at, end, value) || static_cast<uint64_t>(end - at) < value) return false;
        fields.push_back(
            {number, static_cast<uint32_t>(at - base), static_cast<uint32_t>(value), 0});
        const WirePlan* sub = number < plan.submessages.size() ? plan.submessages[number] : nullptr;
        if (sub != nullptr && !Walk(base, at, at + value, *sub, fields)) return false;
        at += value;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Parses every record as the runner does; returns how many parsed.
size_t ParseAll(const std::vector<LogRecord>& records) {
  size_t parsed = 0;
  for (size_t begin = 0; begin < records.size(); begin += 256) {
    protobuf::Arena arena;
    for (size_t i = begin; i < std::min(records.size(), begin + 256); ++i) {
      auto* envelope = protobuf::Arena::CreateMessage<ledgerdesk::v1::Envelope>(&arena);
      parsed += envelope->ParseFromArray(records[i].value.data(),
                                         static_cast<int>(records[i].value.size()));
    }
  }
  return parsed;
}

// Walks every record; returns how many fields it indexed in all.
size_t WalkAll(const std::vector<LogRecord>& records, const WirePlan& plan) {
  std::vector<WireField> fields;
  fields.reserve(256);
  size_t indexed = 0;
  for (const LogRecord& record : records) {
    fields.clear();
    const auto* bytes = reinterpret_cast<const uint8_t*>(record.value.data());
    if (Walk(bytes, bytes, bytes + record.value.size(), plan, fields)) indexed += fields.size();
  }
  return indexed;
}

}  // namespace

int main(int argc, char** argv) {
  char* end = nullptr;
  const size_t events = argc > 1 ? std::strtoull(argv[1], &end, 10) : 1'000'000;
  if (argc > 2 || events == 0 || (argc > 1 && (*argv[1] == '\0' || *end != '\0'))) {
    std::fprintf(stderr, "usage: decode_profile [EVENTS (a positive number)]\n");
    return 2;
  }
  const auto records = ledgerdesk::projections::GenerateServiceDeskRecords(events);
  size_t bytes = 0;
  for (const LogRecord& record : records) bytes += record.value.size();
  std::map<const protobuf::Descriptor*, std::unique_ptr<WirePlan>> plans;
  const WirePlan& plan = *PlanOf(ledgerdesk::v1::Envelope::descriptor(), plans);
  std::printf("%zu records of %.0f bytes on average\n", records.size(),
              static_cast<double>(bytes) / static_cast<double>(records.size()));
  const double per_event = 1e6 / static_cast<double>(records.size());
  for (int round = 1; round <= 3; ++round) {
    double started = CpuSeconds();
    const size_t parsed = ParseAll(records);
    const double parse = (CpuSeconds() - started) * per_event;
    started = CpuSeconds();
    const size_t indexed = WalkAll(records, plan);
    const double walk = (CpuSeconds() - started) * per_event;
    std::printf(
        "round %d: protobuf onto arenas %.3f us/event (%zu parsed), wire walk %.3f us/event "
        "(%zu fields)\n",
        round, parse, parsed, walk, indexed);
    if (parsed != records.size()) return 1;
  }
  return 0;
}
