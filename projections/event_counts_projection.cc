#include "projections/event_counts_projection.h"

#include <charconv>
#include <cstring>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::projections {
namespace {

// Adds one to the count at `prefix` + `name`.
Status Increment(RowSink& rows, std::string_view prefix, std::string_view name) {
  // Keys are built on the stack when they fit: this runs twice for every event of a rebuild.
  char stack_key[128];
  std::string heap_key;
  std::string_view key;
  if (prefix.size() + name.size() <= sizeof stack_key) {
    std::memcpy(stack_key, prefix.data(), prefix.size());
    std::memcpy(stack_key + prefix.size(), name.data(), name.size());
    key = std::string_view(stack_key, prefix.size() + name.size());
  } else {
    heap_key = std::string(prefix) + std::string(name);
    key = heap_key;
  }
  LD_ASSIGN_OR_RETURN(auto current, rows.Get(EventCountsProjection::kColumnFamily, key));
  uint64_t count = 0;
  if (current) {
    const char* end = current->data() + current->size();
    auto [stop, error] = std::from_chars(current->data(), end, count);
    if (error != std::errc() || stop != end) {
      return DataLoss("event count row " + std::string(key) + " is not a number");
    }
  }
  char buffer[24];
  auto [stop, error] = std::to_chars(buffer, buffer + sizeof buffer, count + 1);
  (void)error;  // 24 characters hold any uint64_t
  return rows.Put(EventCountsProjection::kColumnFamily, key,
                  std::string_view(buffer, static_cast<size_t>(stop - buffer)));
}

constexpr std::string_view kTypePrefix = "type/";
constexpr std::string_view kStreamPrefix = "stream/";

}  // namespace

std::string EventCountsProjection::TypeKey(std::string_view event_type) {
  return std::string(kTypePrefix) + std::string(event_type);
}

std::string EventCountsProjection::StreamKey(std::string_view stream) {
  return std::string(kStreamPrefix) + std::string(stream);
}

Status EventCountsProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                                    RowSink& rows) const {
  // event_type is stamped on every append; derive it for envelopes written without it.
  if (envelope.event_type().empty()) {
    LD_RETURN_IF_ERROR(Increment(rows, kTypePrefix, log::PayloadTypeNameView(envelope)));
  } else {
    LD_RETURN_IF_ERROR(Increment(rows, kTypePrefix, envelope.event_type()));
  }
  return Increment(rows, kStreamPrefix, envelope.stream());
}

}  // namespace ledgerdesk::projections
