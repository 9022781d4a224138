#pragma once

// Small builders of envelopes for tests of the log, the writer and the readers.

#include <cstdint>
#include <string>

#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::testing {

// An envelope for `stream` at `version` carrying a TicketStatusChanged (a small real event), with a
// fresh random id; `marker` goes into changed_by so a test can tell events apart.
v1::Envelope MakeEvent(const std::string& stream, uint64_t version, const std::string& marker = "");

// The same with a given 16-byte id.
v1::Envelope MakeEventWithId(const std::string& stream, uint64_t version, const std::string& id,
                             const std::string& marker = "");

// A 16-byte id derived from a number (reproducible across processes).
std::string IdFromNumber(uint64_t n);

}  // namespace ledgerdesk::testing
