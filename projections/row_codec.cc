#include "projections/row_codec.h"

#include <array>
#include <cstring>

namespace ledgerdesk::projections::rows {

void AppendKeyPart(std::string& key, std::string_view id) {
  // Ids are hex or names: nearly always nothing to escape (memchr finds that fast).
  if (id.find('%') == std::string_view::npos && id.find('/') == std::string_view::npos) {
    key.append(id);
    return;
  }
  for (char c : id) {
    if (c == '%') {
      key += "%25";
    } else if (c == '/') {
      key += "%2F";
    } else {
      key += c;
    }
  }
}

std::string KeyPart(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  AppendKeyPart(out, id);
  return out;
}

void AppendHex16(std::string& key, uint64_t value) {
  // Two digits a byte from a table: keys of most rows end in one of these.
  static constexpr auto kPairs = [] {
    std::array<char, 512> pairs{};
    constexpr char kDigits[] = "0123456789abcdef";
    for (int byte = 0; byte < 256; ++byte) {
      pairs[2 * byte] = kDigits[byte >> 4];
      pairs[2 * byte + 1] = kDigits[byte & 0xf];
    }
    return pairs;
  }();
  char digits[16];
  for (int i = 7; i >= 0; --i) {
    std::memcpy(digits + 2 * i, &kPairs[2 * (value & 0xff)], 2);
    value >>= 8;
  }
  key.append(digits, sizeof digits);
}

std::string Hex16(uint64_t value) {
  std::string out;
  AppendHex16(out, value);
  return out;
}

int64_t Micros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1'000'000 + timestamp.nanos() / 1'000;
}

std::chrono::system_clock::time_point FromMicros(int64_t micros) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(micros)));
}

int64_t ToMicros(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

Status ParseRow(std::string_view cf, std::string_view key, std::string_view bytes,
                google::protobuf::MessageLite& row) {
  if (!row.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return DataLoss("row " + std::string(key) + " of " + std::string(cf) + " does not parse as " +
                    row.GetTypeName());
  }
  return OkStatus();
}

Status PutRow(RowSink& sink, std::string_view cf, std::string_view key,
              const google::protobuf::MessageLite& row) {
  return sink.Put(cf, key, row.SerializeAsString());
}

const std::string* TicketIdOf(const v1::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case v1::Envelope::kMessagePosted:
      return &envelope.message_posted().ticket_id();
    case v1::Envelope::kAttachmentAdded:
      return &envelope.attachment_added().ticket_id();
    case v1::Envelope::kCcAdded:
      return &envelope.cc_added().ticket_id();
    case v1::Envelope::kPartnerAccessChanged:
      return &envelope.partner_access_changed().ticket_id();
    case v1::Envelope::kTicketStatusChanged:
      return &envelope.ticket_status_changed().ticket_id();
    case v1::Envelope::kTicketClosed:
      return &envelope.ticket_closed().ticket_id();
    case v1::Envelope::kTicketReopened:
      return &envelope.ticket_reopened().ticket_id();
    case v1::Envelope::kTicketEscalated:
      return &envelope.ticket_escalated().ticket_id();
    case v1::Envelope::kTicketResponded:
      return &envelope.ticket_responded().ticket_id();
    default:
      return nullptr;
  }
}

}  // namespace ledgerdesk::projections::rows
