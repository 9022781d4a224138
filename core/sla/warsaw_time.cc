#include "core/sla/warsaw_time.h"

#include <cstdio>

namespace ledgerdesk::sla {
namespace {

using std::chrono::hours;
using std::chrono::sys_days;

// 01:00 UTC on the last Sunday of `month` of `year`.
TimePoint LastSundayOneUtc(std::chrono::year year, std::chrono::month month) {
  const sys_days day{year / month / std::chrono::Sunday[std::chrono::last]};
  return TimePoint(day) + hours(1);
}

}  // namespace

std::chrono::hours WarsawUtcOffset(TimePoint instant) {
  const auto day = std::chrono::floor<std::chrono::days>(instant);
  const std::chrono::year year = std::chrono::year_month_day(day).year();
  const TimePoint summer_starts = LastSundayOneUtc(year, std::chrono::March);
  const TimePoint summer_ends = LastSundayOneUtc(year, std::chrono::October);
  return instant >= summer_starts && instant < summer_ends ? hours(2) : hours(1);
}

LocalTime ToWarsawLocal(TimePoint instant) {
  return LocalTime((instant + WarsawUtcOffset(instant)).time_since_epoch());
}

TimePoint FromWarsawLocal(LocalTime local) {
  const TimePoint as_if_utc(local.time_since_epoch());
  // Try summer time first so that a repeated October hour resolves to the earlier instant.
  const TimePoint summer = as_if_utc - hours(2);
  if (WarsawUtcOffset(summer) == hours(2)) return summer;
  // Winter time, or the skipped March hour, read with the winter offset.
  return as_if_utc - hours(1);
}

std::string FormatWarsawTime(TimePoint instant) {
  using namespace std::chrono;
  const hours offset = WarsawUtcOffset(instant);
  const auto local = floor<minutes>(instant) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss<minutes> time(local - day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02d:%02d %s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                offset == hours(2) ? "CEST" : "CET");
  return buffer;
}

}  // namespace ledgerdesk::sla
