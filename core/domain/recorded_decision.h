#pragma once

// The answer of the few commands whose refusals must still leave events in the log: a failed login
// or a failed verification is a security fact (the audit trail) and counts towards the lockout, so
// it is recorded even though the caller is told no. Every other command decides
// `Result<std::vector<v1::Envelope>>`: events or an error, never both.

#include <utility>
#include <vector>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

struct RecordedDecision {
  // Appended whether or not the command was refused (possibly none).
  std::vector<v1::Envelope> events;
  // OK when the command succeeded; otherwise what the caller is answered once `events` are in the
  // log.
  Status refusal;

  bool refused() const { return !refusal.ok(); }

  static RecordedDecision Accepted(std::vector<v1::Envelope> events) {
    return {std::move(events), OkStatus()};
  }
  static RecordedDecision Refused(Status refusal, std::vector<v1::Envelope> events = {}) {
    return {std::move(events), std::move(refusal)};
  }
};

}  // namespace ledgerdesk::domain
