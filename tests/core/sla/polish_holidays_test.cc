#include "core/sla/polish_holidays.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace ledgerdesk::sla {
namespace {

using std::chrono::year;
using std::chrono::year_month_day;

year_month_day Date(int y, unsigned m, unsigned d) { return year(y) / m / d; }

TEST(PolishHolidaysTest, ComputesEaster) {
  EXPECT_EQ(EasterSunday(year(2024)), Date(2024, 3, 31));
  EXPECT_EQ(EasterSunday(year(2025)), Date(2025, 4, 20));
  EXPECT_EQ(EasterSunday(year(2026)), Date(2026, 4, 5));
  EXPECT_EQ(EasterSunday(year(2027)), Date(2027, 3, 28));
  EXPECT_EQ(EasterSunday(year(2038)), Date(2038, 4, 25));  // the latest possible date
  EXPECT_EQ(EasterSunday(year(2285)), Date(2285, 3, 22));  // the earliest possible date
  EXPECT_EQ(EasterSunday(year(2000)), Date(2000, 4, 23));
  EXPECT_EQ(EasterSunday(year(1961)), Date(1961, 4, 2));
}

TEST(PolishHolidaysTest, EasterIsAlwaysASundayBetweenMarch22AndApril25) {
  for (int y = 1900; y <= 2200; ++y) {
    const year_month_day easter = EasterSunday(year(y));
    ASSERT_TRUE(easter.ok()) << y;
    EXPECT_EQ(std::chrono::weekday(std::chrono::sys_days(easter)), std::chrono::Sunday) << y;
    EXPECT_GE(easter, Date(y, 3, 22)) << y;
    EXPECT_LE(easter, Date(y, 4, 25)) << y;
  }
}

TEST(PolishHolidaysTest, KnowsEveryHolidayOf2026) {
  const std::vector<year_month_day> holidays = {
      Date(2026, 1, 1),   Date(2026, 1, 6),  Date(2026, 4, 5),   Date(2026, 4, 6),
      Date(2026, 5, 1),   Date(2026, 5, 3),  Date(2026, 5, 24),  Date(2026, 6, 4),
      Date(2026, 8, 15),  Date(2026, 11, 1), Date(2026, 11, 11), Date(2026, 12, 24),
      Date(2026, 12, 25), Date(2026, 12, 26)};
  int count = 0;
  for (std::chrono::sys_days day{Date(2026, 1, 1)};
       day <= std::chrono::sys_days{Date(2026, 12, 31)}; day += std::chrono::days(1)) {
    const year_month_day date(day);
    const bool expected = std::find(holidays.begin(), holidays.end(), date) != holidays.end();
    EXPECT_EQ(IsPolishHoliday(date), expected)
        << static_cast<int>(date.year()) << "-" << static_cast<unsigned>(date.month()) << "-"
        << static_cast<unsigned>(date.day());
    if (IsPolishHoliday(date)) ++count;
  }
  EXPECT_EQ(count, 14);
}

TEST(PolishHolidaysTest, MovableFeastsFollowEaster) {
  // 2025: Easter 20 April.
  EXPECT_TRUE(IsPolishHoliday(Date(2025, 4, 20)));
  EXPECT_TRUE(IsPolishHoliday(Date(2025, 4, 21)));   // Easter Monday
  EXPECT_TRUE(IsPolishHoliday(Date(2025, 6, 8)));    // Pentecost
  EXPECT_TRUE(IsPolishHoliday(Date(2025, 6, 19)));   // Corpus Christi
  EXPECT_FALSE(IsPolishHoliday(Date(2025, 4, 18)));  // Good Friday is a working day
  EXPECT_FALSE(IsPolishHoliday(Date(2025, 6, 9)));   // no Whit Monday in Poland
  // 2026: Easter 5 April, Corpus Christi 4 June.
  EXPECT_TRUE(IsPolishHoliday(Date(2026, 6, 4)));
  EXPECT_FALSE(IsPolishHoliday(Date(2026, 6, 5)));
}

TEST(PolishHolidaysTest, ChristmasEveIsAHolidayFrom2025On) {
  EXPECT_FALSE(IsPolishHoliday(Date(2024, 12, 24)));
  EXPECT_TRUE(IsPolishHoliday(Date(2025, 12, 24)));
  EXPECT_TRUE(IsPolishHoliday(Date(2030, 12, 24)));
}

TEST(PolishHolidaysTest, EpiphanyIsAHolidayFrom2011On) {
  EXPECT_FALSE(IsPolishHoliday(Date(2010, 1, 6)));
  EXPECT_TRUE(IsPolishHoliday(Date(2011, 1, 6)));
}

TEST(PolishHolidaysTest, WorkingDaysAreWeekdaysThatAreNotHolidays) {
  EXPECT_TRUE(IsPolishWorkingDay(Date(2026, 3, 27)));    // Friday
  EXPECT_FALSE(IsPolishWorkingDay(Date(2026, 3, 28)));   // Saturday
  EXPECT_FALSE(IsPolishWorkingDay(Date(2026, 3, 29)));   // Sunday
  EXPECT_TRUE(IsPolishWorkingDay(Date(2026, 3, 30)));    // Monday
  EXPECT_FALSE(IsPolishWorkingDay(Date(2026, 4, 6)));    // Easter Monday
  EXPECT_FALSE(IsPolishWorkingDay(Date(2025, 12, 24)));  // Wednesday, Christmas Eve
  EXPECT_TRUE(IsPolishWorkingDay(Date(2024, 12, 24)));   // Tuesday, before the change
  EXPECT_FALSE(IsPolishWorkingDay(Date(2026, 11, 11)));  // Wednesday, Independence Day
  EXPECT_FALSE(IsPolishWorkingDay(Date(2026, 8, 15)));   // Saturday and a holiday
}

}  // namespace
}  // namespace ledgerdesk::sla
