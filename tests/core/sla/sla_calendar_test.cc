#include "core/sla/sla_calendar.h"

#include <gtest/gtest.h>

#include "tests/core/sla/sla_test_time.h"

namespace ledgerdesk::sla {
namespace {

// Expects an 8x5 ticket opened at `opened` to be due at `due` (both instants).
void ExpectDue8x5(TimePoint opened, TimePoint due) {
  const TimePoint actual = ResponseDue(opened, SupportWindow::k8x5);
  EXPECT_EQ(actual, due) << "opened " << Show(opened) << ": expected " << Show(due) << ", got "
                         << Show(actual);
}

TEST(SlaCalendarTest, AroundTheClockIsOneHourAnyTime) {
  for (TimePoint opened :
       {Utc(2026, 3, 27, 15, 30), Utc(2026, 3, 28, 3), Utc(2026, 4, 6, 10), Utc(2025, 12, 24, 23),
        Utc(2026, 3, 29, 0, 30), Utc(2026, 10, 25, 0, 30)}) {
    EXPECT_EQ(ResponseDue(opened, SupportWindow::k24x7), opened + std::chrono::hours(1))
        << Show(opened);
  }
}

TEST(SlaCalendarTest, WithinWorkingHoursIsOneHourLater) {
  ExpectDue8x5(Warsaw(2026, 3, 25, 11, 15), Warsaw(2026, 3, 25, 12, 15));
  ExpectDue8x5(Warsaw(2026, 7, 15, 14), Warsaw(2026, 7, 15, 15));
}

TEST(SlaCalendarTest, OpenedExactlyAtNineIsDueAtTen) {
  ExpectDue8x5(Warsaw(2026, 3, 25, 9), Warsaw(2026, 3, 25, 10));
}

TEST(SlaCalendarTest, OpenedAtFourIsDueAtFiveTheSameDay) {
  ExpectDue8x5(Warsaw(2026, 3, 25, 16), Warsaw(2026, 3, 25, 17));
}

TEST(SlaCalendarTest, OpenedAt1659Spills59MinutesIntoTheNextDay) {
  ExpectDue8x5(Warsaw(2026, 3, 25, 16, 59), Warsaw(2026, 3, 26, 9, 59));
}

TEST(SlaCalendarTest, OpenedFriday1630IsDueMonday0930) {
  ExpectDue8x5(Warsaw(2026, 1, 16, 16, 30), Warsaw(2026, 1, 19, 9, 30));
  ExpectDue8x5(Warsaw(2026, 7, 17, 16, 30), Warsaw(2026, 7, 20, 9, 30));
  // In UTC, winter: Friday 15:30 -> Monday 08:30.
  ExpectDue8x5(Utc(2026, 1, 16, 15, 30), Utc(2026, 1, 19, 8, 30));
}

TEST(SlaCalendarTest, OpenedOutOfHoursIsDueAtTenOnTheNextWorkingDay) {
  ExpectDue8x5(Warsaw(2026, 3, 25, 7), Warsaw(2026, 3, 25, 10));       // early morning
  ExpectDue8x5(Warsaw(2026, 3, 25, 8, 59), Warsaw(2026, 3, 25, 10));   // a minute early
  ExpectDue8x5(Warsaw(2026, 3, 25, 17), Warsaw(2026, 3, 26, 10));      // at closing time
  ExpectDue8x5(Warsaw(2026, 3, 25, 23, 30), Warsaw(2026, 3, 26, 10));  // at night
  ExpectDue8x5(Warsaw(2026, 3, 26, 0, 0), Warsaw(2026, 3, 26, 10));    // at midnight
  ExpectDue8x5(Warsaw(2026, 1, 17, 12), Warsaw(2026, 1, 19, 10));      // Saturday
  ExpectDue8x5(Warsaw(2026, 1, 18, 20), Warsaw(2026, 1, 19, 10));      // Sunday evening
  ExpectDue8x5(Warsaw(2026, 1, 16, 22), Warsaw(2026, 1, 19, 10));      // Friday night
}

TEST(SlaCalendarTest, SkipsEasterMonday2026) {
  // Easter Sunday 5 April 2026, Easter Monday 6 April.
  ExpectDue8x5(Warsaw(2026, 4, 3, 16, 30), Warsaw(2026, 4, 7, 9, 30));  // Good Friday works
  ExpectDue8x5(Warsaw(2026, 4, 3, 12), Warsaw(2026, 4, 3, 13));
  ExpectDue8x5(Warsaw(2026, 4, 4, 10), Warsaw(2026, 4, 7, 10));
  ExpectDue8x5(Warsaw(2026, 4, 6, 11), Warsaw(2026, 4, 7, 10));
}

TEST(SlaCalendarTest, SkipsChristmas2025) {
  // Wednesday 24, Thursday 25, Friday 26 December are holidays, then the weekend.
  ExpectDue8x5(Warsaw(2025, 12, 23, 16, 30), Warsaw(2025, 12, 29, 9, 30));
  ExpectDue8x5(Warsaw(2025, 12, 24, 10), Warsaw(2025, 12, 29, 10));
  ExpectDue8x5(Warsaw(2025, 12, 25, 10), Warsaw(2025, 12, 29, 10));
  ExpectDue8x5(Warsaw(2025, 12, 26, 16, 30), Warsaw(2025, 12, 29, 10));
  ExpectDue8x5(Warsaw(2025, 12, 27, 10), Warsaw(2025, 12, 29, 10));
  ExpectDue8x5(Warsaw(2025, 12, 28, 18), Warsaw(2025, 12, 29, 10));
  // New Year's Day (Thursday) too: Wednesday 31 December 16:30 -> Friday 2 January 09:30.
  ExpectDue8x5(Warsaw(2025, 12, 31, 16, 30), Warsaw(2026, 1, 2, 9, 30));
}

TEST(SlaCalendarTest, ChristmasEve2024WasAWorkingDay) {
  ExpectDue8x5(Warsaw(2024, 12, 24, 10), Warsaw(2024, 12, 24, 11));
}

TEST(SlaCalendarTest, SkipsCorpusChristi2026) {
  // Thursday 4 June 2026.
  ExpectDue8x5(Warsaw(2026, 6, 3, 16, 30), Warsaw(2026, 6, 5, 9, 30));
  ExpectDue8x5(Warsaw(2026, 6, 4, 9, 30), Warsaw(2026, 6, 5, 10));
}

TEST(SlaCalendarTest, SkipsMayHolidays2026) {
  // Friday 1 May, Sunday 3 May.
  ExpectDue8x5(Warsaw(2026, 4, 30, 16, 30), Warsaw(2026, 5, 4, 9, 30));
}

TEST(SlaCalendarTest, CountsAcrossTheSpringDstChange) {
  // Clocks go forward on Sunday 29 March 2026: Friday is in CET, Monday in CEST.
  ExpectDue8x5(Warsaw(2026, 3, 27, 16, 30), Warsaw(2026, 3, 30, 9, 30));
  ExpectDue8x5(Utc(2026, 3, 27, 15, 30), Utc(2026, 3, 30, 7, 30));
  // Opened during the weekend, before and after the change itself (01:00 UTC Sunday).
  ExpectDue8x5(Utc(2026, 3, 29, 0, 30), Utc(2026, 3, 30, 8));
  ExpectDue8x5(Utc(2026, 3, 29, 1, 30), Utc(2026, 3, 30, 8));
  ExpectDue8x5(Warsaw(2026, 3, 28, 12), Warsaw(2026, 3, 30, 10));
  // The first working days in summer time.
  ExpectDue8x5(Utc(2026, 3, 30, 6, 59), Utc(2026, 3, 30, 8));       // 08:59 CEST
  ExpectDue8x5(Utc(2026, 3, 30, 7), Utc(2026, 3, 30, 8));           // 09:00 CEST
  ExpectDue8x5(Utc(2026, 3, 30, 14, 30), Utc(2026, 3, 31, 7, 30));  // 16:30 CEST
}

TEST(SlaCalendarTest, CountsAcrossTheAutumnDstChange) {
  // Clocks go back on Sunday 25 October 2026: Friday is in CEST, Monday in CET.
  ExpectDue8x5(Warsaw(2026, 10, 23, 16, 30), Warsaw(2026, 10, 26, 9, 30));
  ExpectDue8x5(Utc(2026, 10, 23, 14, 30), Utc(2026, 10, 26, 8, 30));
  ExpectDue8x5(Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 26, 9));       // 02:30 CEST, first pass
  ExpectDue8x5(Utc(2026, 10, 25, 1, 30), Utc(2026, 10, 26, 9));       // 02:30 CET, second pass
  ExpectDue8x5(Utc(2026, 10, 26, 7, 59), Utc(2026, 10, 26, 9));       // 08:59 CET
  ExpectDue8x5(Utc(2026, 10, 26, 15, 30), Utc(2026, 10, 27, 8, 30));  // 16:30 CET
}

TEST(SlaCalendarTest, KeepsSubSecondPrecision) {
  const TimePoint opened = Warsaw(2026, 3, 25, 16, 30) + std::chrono::milliseconds(250);
  ExpectDue8x5(opened, Warsaw(2026, 3, 26, 9, 30) + std::chrono::milliseconds(250));
}

TEST(SlaCalendarTest, IsNeverEarlierThanAroundTheClock) {
  for (TimePoint opened = Utc(2025, 12, 20, 0); opened < Utc(2026, 1, 10, 0);
       opened += std::chrono::minutes(37)) {
    const TimePoint due = ResponseDue(opened, SupportWindow::k8x5);
    ASSERT_GE(due, ResponseDue(opened, SupportWindow::k24x7)) << Show(opened);
    // And always inside working hours on a working day.
    const LocalTime local = ToWarsawLocal(due);
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const auto time_of_day = local - day;
    EXPECT_TRUE(IsPolishWorkingDay(
        std::chrono::year_month_day(std::chrono::sys_days(day.time_since_epoch()))))
        << Show(due);
    EXPECT_GT(time_of_day, std::chrono::hours(9)) << Show(due);
    EXPECT_LE(time_of_day, std::chrono::hours(17)) << Show(due);
  }
}

TEST(SlaCalendarTest, AcceptsTheWindowAsEventsCarryIt) {
  const TimePoint opened = Warsaw(2026, 1, 16, 16, 30);
  EXPECT_EQ(ResponseDue(opened, v1::SUPPORT_WINDOW_8X5), Warsaw(2026, 1, 19, 9, 30));
  EXPECT_EQ(ResponseDue(opened, v1::SUPPORT_WINDOW_24X7), opened + std::chrono::hours(1));
  EXPECT_EQ(ResponseDue(opened, v1::SUPPORT_WINDOW_UNSPECIFIED), opened + std::chrono::hours(1));
  using Fn = TimePoint (*)(TimePoint, v1::SupportWindow);
  const Fn fn = &ResponseDue;
  EXPECT_EQ(fn(opened, v1::SUPPORT_WINDOW_8X5), Warsaw(2026, 1, 19, 9, 30));
}

}  // namespace
}  // namespace ledgerdesk::sla
