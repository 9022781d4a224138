#pragma once

// The log as it stood at a moment: a read-only view of a log's first records, for `audit replay`
// (rebuild the projections from the prefix) and for `audit verify` beside a running serve
// (rebuild exactly as far as the live projections stand).

#include <chrono>
#include <memory>

#include "core/common/status.h"
#include "core/log/event_log.h"

namespace ledgerdesk::audit {

// The records of `log` before `end`. Appends are refused (kFailedPrecondition). `log` outlives
// the view.
std::unique_ptr<log::EventLog> LogPrefix(log::EventLog& log, log::Position end);

// The position of the first record recorded after `until` (recorded_at, the writer's clock, which
// never goes back within one writer), or the log's end when there is none. Records that do not
// decode are passed over. Errors: the log's.
Result<log::Position> PositionAfter(log::EventLog& log,
                                    std::chrono::system_clock::time_point until);

}  // namespace ledgerdesk::audit
