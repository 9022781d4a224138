#pragma once

// `audit verify`'s walk of the log: every record's checksum (the backend's: CRC-32C in the
// embedded log, reported as kDataLoss with the file, offset and position) and the previous-hash
// chain the writer stamps (each envelope's previous_hash is the SHA-256 of the record before it;
// the first record's is empty).

#include <cstdint>
#include <string>

#include "core/common/status.h"
#include "core/log/event_log.h"

namespace ledgerdesk::audit {

struct ChainReport {
  uint64_t records = 0;      // records read
  uint64_t undecodable = 0;  // records that are not our envelopes (their hash still chains)
  bool intact = true;
  std::string first_break;  // a sentence naming the position, when !intact
  double seconds = 0;
};

// Reads `log` from its start to its end as seen when called. A record that fails its checksum ends
// the walk (the log's error is the report's first_break); a broken link does not (the walk goes on
// counting). Errors: kUnavailable and kInternal from the log; kDataLoss is reported, not returned.
Result<ChainReport> VerifyChain(log::EventLog& log);

}  // namespace ledgerdesk::audit
