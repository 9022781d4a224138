#pragma once

// Readable instants for the SLA tests.

#include <chrono>
#include <cstdio>
#include <string>

#include "core/sla/warsaw_time.h"

namespace ledgerdesk::sla {

// An instant given in UTC.
inline TimePoint Utc(int y, unsigned m, unsigned d, int hour, int minute = 0, int second = 0) {
  return TimePoint(std::chrono::sys_days(std::chrono::year(y) / m / d)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

// The instant at which Warsaw clocks show this time.
inline TimePoint Warsaw(int y, unsigned m, unsigned d, int hour, int minute = 0, int second = 0) {
  const LocalTime local = std::chrono::local_days(std::chrono::year(y) / m / d) +
                          std::chrono::hours(hour) + std::chrono::minutes(minute) +
                          std::chrono::seconds(second);
  return FromWarsawLocal(local);
}

// "2026-03-27 16:30:00 UTC" for failure messages (libstdc++ 12 cannot stream time points).
inline std::string Show(TimePoint instant) {
  const auto day = std::chrono::floor<std::chrono::days>(instant);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(std::chrono::floor<std::chrono::seconds>(instant - day));
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02ld:%02ld:%02ld UTC",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
                static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return text;
}

}  // namespace ledgerdesk::sla
