#include "pdfexport/warsaw_time.h"

#include <cstdio>

namespace ledgerdesk::pdfexport {

using std::chrono::floor;
using std::chrono::sys_days;

std::chrono::hours WarsawUtcOffset(std::chrono::system_clock::time_point utc) {
  using namespace std::chrono;
  const year y = year_month_day(floor<days>(utc)).year();
  const auto summer_starts = sys_days(y / March / Sunday[last]) + hours(1);
  const auto summer_ends = sys_days(y / October / Sunday[last]) + hours(1);
  return (utc >= summer_starts && utc < summer_ends) ? hours(2) : hours(1);
}

std::string FormatWarsawTime(std::chrono::system_clock::time_point utc) {
  using namespace std::chrono;
  const hours offset = WarsawUtcOffset(utc);
  const auto local = floor<minutes>(utc) + offset;
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

}  // namespace ledgerdesk::pdfexport
