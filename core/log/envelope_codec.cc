#include "core/log/envelope_codec.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace ledgerdesk::log {

Result<v1::Envelope> DecodeEnvelope(std::string_view bytes) {
  v1::Envelope envelope;
  LD_RETURN_IF_ERROR(DecodeEnvelopeInto(bytes, envelope));
  return envelope;
}

Status DecodeEnvelopeInto(std::string_view bytes, v1::Envelope& envelope) {
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return DataLoss("record is not a ledgerdesk envelope (" + std::to_string(bytes.size()) +
                    " bytes that do not parse as ledgerdesk.v1.Envelope)");
  }
  if (envelope.event_id().size() != 16) {
    return InvalidArgument("envelope has an event id of " +
                           std::to_string(envelope.event_id().size()) + " bytes, expected 16");
  }
  if (envelope.stream().empty()) return InvalidArgument("envelope names no stream");
  if (envelope.stream_version() == 0) return InvalidArgument("envelope has stream version 0");
  if (envelope.payload_case() == v1::Envelope::PAYLOAD_NOT_SET) {
    const std::string type = envelope.event_type().empty() ? "(unnamed)" : envelope.event_type();
    return InvalidArgument("unknown event type " + type + " (written by a newer version?)");
  }
  if (!envelope.event_type().empty()) {
    const std::string_view expected_type = PayloadTypeNameView(envelope);
    if (envelope.event_type() != expected_type) {
      return InvalidArgument("envelope says event type " + envelope.event_type() + " but carries " +
                             std::string(expected_type));
    }
  }
  return OkStatus();
}

std::string_view PayloadTypeNameView(const v1::Envelope& envelope) {
  // By payload field number, looked up once: every record read asks.
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    const auto* payload = v1::Envelope::descriptor()->FindOneofByName("payload");
    for (int i = 0; payload != nullptr && i < payload->field_count(); ++i) {
      const auto* field = payload->field(i);
      if (field->message_type() == nullptr) continue;
      const auto number = static_cast<size_t>(field->number());
      if (names.size() <= number) names.resize(number + 1);
      names[number] = field->message_type()->full_name();
    }
    return names;
  }();
  const auto number = static_cast<size_t>(envelope.payload_case());
  return number < kNames.size() ? kNames[number] : std::string_view();
}

std::string PayloadTypeName(const v1::Envelope& envelope) {
  return std::string(PayloadTypeNameView(envelope));
}

void StampEventType(v1::Envelope& envelope) { envelope.set_event_type(PayloadTypeName(envelope)); }

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Sha256(std::string_view bytes) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string RandomEventId() {
  std::string id(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(id.data()), static_cast<int>(id.size())) != 1) {
    // The OS random source failing is no input error: nothing sensible can go on without it.
    std::fputs("ledgerdesk: the system random source failed\n", stderr);
    std::abort();
  }
  return id;
}

}  // namespace ledgerdesk::log
