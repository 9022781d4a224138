// How documents show Warsaw time (transcripts, GDPR reports).

#include <gtest/gtest.h>

#include <chrono>

#include "core/sla/warsaw_time.h"

namespace ledgerdesk::sla {
namespace {

using namespace std::chrono;

system_clock::time_point Utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(h) + minutes(min);
}

TEST(WarsawTimeFormatTest, SummerIsUtcPlusTwo) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 7, 1, 10)), "2026-07-01 12:00 CEST");
}

TEST(WarsawTimeFormatTest, WinterIsUtcPlusOne) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 1, 15, 10)), "2026-01-15 11:00 CET");
}

TEST(WarsawTimeFormatTest, SwitchesAtOneUtcOnTheLastSundayOfMarch) {
  // 2026-03-29 is the last Sunday of March.
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 3, 29, 0, 59)), "2026-03-29 01:59 CET");
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 3, 29, 1, 0)), "2026-03-29 03:00 CEST");
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 3, 22, 12)), hours(1));  // a Sunday, not the last
}

TEST(WarsawTimeFormatTest, SwitchesBackAtOneUtcOnTheLastSundayOfOctober) {
  // 2026-10-25 is the last Sunday of October; 02:59 CEST is followed by 02:00 CET.
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 10, 25, 0, 59)), "2026-10-25 02:59 CEST");
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 10, 25, 1, 0)), "2026-10-25 02:00 CET");
}

TEST(WarsawTimeFormatTest, CrossesMidnightAndYearEnd) {
  EXPECT_EQ(FormatWarsawTime(Utc(2025, 12, 31, 23, 30)), "2026-01-01 00:30 CET");
  EXPECT_EQ(FormatWarsawTime(Utc(2024, 2, 29, 23, 0)), "2024-03-01 00:00 CET");
}

TEST(WarsawTimeFormatTest, DropsSecondsRatherThanRounding) {
  EXPECT_EQ(FormatWarsawTime(Utc(2026, 7, 1, 10) + seconds(59)), "2026-07-01 12:00 CEST");
}

}  // namespace
}  // namespace ledgerdesk::sla
