// libFuzzer target: decoding a log record never crashes, and anything that decodes survives a
// round trip through serialization unchanged (what every reader of the log relies on).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/log/envelope_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto envelope = ledgerdesk::log::DecodeEnvelope(bytes);
  if (!envelope.ok()) {
    if (envelope.status().message().empty()) std::abort();  // every error explains itself
    return 0;
  }
  if (ledgerdesk::log::PayloadTypeName(*envelope).empty()) std::abort();
  auto again = ledgerdesk::log::DecodeEnvelope(envelope->SerializeAsString());
  if (!again.ok() || again->SerializeAsString() != envelope->SerializeAsString()) std::abort();
  return 0;
}
