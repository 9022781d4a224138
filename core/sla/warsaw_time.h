#pragma once

// Europe/Warsaw civil time, computed from the EU daylight-saving rule.
//
// g++ 12's libstdc++ has the C++20 calendar types (year_month_day, weekday, ...) but not the time
// zone database (std::chrono::zoned_time, locate_zone, current_zone arrive in GCC 14), so the
// rule is implemented here: CET (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC
// until the last Sunday of October 01:00 UTC, as the EU has applied since 1996. Should the EU
// abolish the change, this is the one place to edit. Pure functions: no clock calls.

#include <chrono>
#include <string>

namespace ledgerdesk::sla {

using TimePoint = std::chrono::system_clock::time_point;

// A wall-clock reading in Warsaw: local_time is the system_clock epoch shifted by the offset.
using LocalTime = std::chrono::local_time<std::chrono::system_clock::duration>;

// The UTC offset in Warsaw at `instant`: one hour (CET) or two (CEST).
std::chrono::hours WarsawUtcOffset(TimePoint instant);

// The Warsaw wall-clock time at `instant`.
LocalTime ToWarsawLocal(TimePoint instant);

// The instant at which Warsaw clocks show `local`. For the hour skipped in March (02:00-03:00)
// the offset before the change is used (02:30 -> 01:30 UTC, as if clocks were late); for the
// hour repeated in October (02:00-03:00) the earlier instant, still in CEST. Working hours never
// fall into either.
TimePoint FromWarsawLocal(LocalTime local);

// "2026-07-01 12:00 CEST": Warsaw date and time to the minute (seconds dropped) with the zone's
// abbreviation, for documents people read.
std::string FormatWarsawTime(TimePoint instant);

}  // namespace ledgerdesk::sla
