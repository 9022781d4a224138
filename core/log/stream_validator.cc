#include "core/log/stream_validator.h"

namespace ledgerdesk::log {

Verdict StreamValidator::Admit(const v1::Envelope& envelope) {
  if (applied_ids_.contains(envelope.event_id())) {
    ++counts_.duplicates;
    return Verdict::kDuplicate;
  }
  uint64_t& version = versions_[envelope.stream()];
  if (envelope.stream_version() != version + 1) {
    ++counts_.conflicts;
    return Verdict::kConflict;
  }
  version = envelope.stream_version();
  applied_ids_.insert(envelope.event_id());
  ++counts_.applied;
  return Verdict::kApply;
}

uint64_t StreamValidator::StreamVersion(const std::string& stream) const {
  auto it = versions_.find(stream);
  return it == versions_.end() ? 0 : it->second;
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kApply:
      return "apply";
    case Verdict::kDuplicate:
      return "duplicate";
    case Verdict::kConflict:
      return "conflict";
  }
  return "unknown";
}

}  // namespace ledgerdesk::log
