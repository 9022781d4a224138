#include "pdfexport/warsaw_time.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ledgerdesk::pdfexport {
namespace {

using namespace std::chrono;

system_clock::time_point Utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(h) + minutes(min);
}

TEST(WarsawTimeTest, SummerIsUtcPlusTwo) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 7, 1, 10)), "2026-07-01 12:00 CEST");
}

TEST(WarsawTimeTest, WinterIsUtcPlusOne) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 1, 15, 10)), "2026-01-15 11:00 CET");
}

TEST(WarsawTimeTest, SwitchesAtOneUtcOnTheLastSundayOfMarch) {
  // 2026-03-29 is the last Sunday of March.
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 3, 29, 0, 59)), "2026-03-29 01:59 CET");
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 3, 29, 1, 0)), "2026-03-29 03:00 CEST");
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 3, 22, 12)), hours(1));  // a Sunday, not the last
}

TEST(WarsawTimeTest, SwitchesBackAtOneUtcOnTheLastSundayOfOctober) {
  // 2026-10-25 is the last Sunday of October; 02:59 CEST is followed by 02:00 CET.
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 10, 25, 0, 59)), "2026-10-25 02:59 CEST");
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 10, 25, 1, 0)), "2026-10-25 02:00 CET");
}

TEST(WarsawTimeTest, CrossesMidnightAndYearEnd) {
  EXPECT_EQ(FormatWarsawTime(Utc(2025, 12, 31, 23, 30)), "2026-01-01 00:30 CET");
  EXPECT_EQ(FormatWarsawTime(Utc(2024, 2, 29, 23, 0)), "2024-03-01 00:00 CET");
}

TEST(WarsawTimeTest, DropsSecondsRatherThanRounding) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 7, 1, 10) + seconds(59)), "2026-07-01 12:00 CEST");
}

}  // namespace
}  // namespace ledgerdesk::pdfexport
