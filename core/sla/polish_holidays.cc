#include "core/sla/polish_holidays.h"

namespace ledgerdesk::sla {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

year_month_day EasterSunday(std::chrono::year year) {
  const int y = static_cast<int>(year);
  const int a = y % 19;
  const int b = y / 100;
  const int c = y % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return year / std::chrono::month(static_cast<unsigned>(month)) /
         std::chrono::day(static_cast<unsigned>(day));
}

bool IsPolishHoliday(year_month_day date) {
  const int year = static_cast<int>(date.year());
  const unsigned month = static_cast<unsigned>(date.month());
  const unsigned day = static_cast<unsigned>(date.day());
  struct FixedHoliday {
    unsigned month;
    unsigned day;
    int since_year;
  };
  static constexpr FixedHoliday kFixed[] = {
      {1, 1, 0},  {1, 6, 2011}, {5, 1, 0},      {5, 3, 0},   {8, 15, 0},
      {11, 1, 0}, {11, 11, 0},  {12, 24, 2025}, {12, 25, 0}, {12, 26, 0},
  };
  for (const FixedHoliday& holiday : kFixed) {
    if (holiday.month == month && holiday.day == day && year >= holiday.since_year) return true;
  }
  const sys_days easter{EasterSunday(date.year())};
  const sys_days today{date};
  const days after_easter = today - easter;
  return after_easter == days(0) ||   // Easter Sunday
         after_easter == days(1) ||   // Easter Monday
         after_easter == days(49) ||  // Pentecost Sunday
         after_easter == days(60);    // Corpus Christi
}

bool IsPolishWorkingDay(year_month_day date) {
  const std::chrono::weekday weekday{sys_days{date}};
  if (weekday == std::chrono::Saturday || weekday == std::chrono::Sunday) return false;
  return !IsPolishHoliday(date);
}

}  // namespace ledgerdesk::sla
