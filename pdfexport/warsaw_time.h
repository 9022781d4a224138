#pragma once

// Europe/Warsaw wall-clock time without a tz database (libstdc++ 12 has none): the EU rule since
// 1996. CET (UTC+1), and CEST (UTC+2) from the last Sunday of March 01:00 UTC until the last
// Sunday of October 01:00 UTC. Pure functions.

#include <chrono>
#include <string>

namespace ledgerdesk::pdfexport {

// The offset from UTC in Warsaw at instant `utc`: 1h or 2h.
std::chrono::hours WarsawUtcOffset(std::chrono::system_clock::time_point utc);

// "2026-07-01 12:00 CEST" for 2026-07-01T10:00:00Z.
std::string FormatWarsawTime(std::chrono::system_clock::time_point utc);

}  // namespace ledgerdesk::pdfexport
