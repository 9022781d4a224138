#include "core/sla/warsaw_time.h"

#include <gtest/gtest.h>

#include "tests/core/sla/sla_test_time.h"

namespace ledgerdesk::sla {
namespace {

using std::chrono::hours;

TEST(WarsawTimeTest, IsCetInWinterAndCestInSummer) {
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 1, 15, 12)), hours(1));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 7, 15, 12)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2025, 12, 31, 23, 59)), hours(1));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 1, 1, 0)), hours(1));
}

TEST(WarsawTimeTest, SwitchesToSummerTimeOnTheLastSundayOfMarchAt0100Utc) {
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 3, 29, 0, 59, 59)), hours(1));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 3, 29, 1)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 3, 22, 12)), hours(1));  // the Sunday before
  EXPECT_EQ(WarsawUtcOffset(Utc(2025, 3, 30, 0, 59)), hours(1));
  EXPECT_EQ(WarsawUtcOffset(Utc(2025, 3, 30, 1)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2027, 3, 28, 1)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2027, 3, 27, 23)), hours(1));
}

TEST(WarsawTimeTest, SwitchesBackOnTheLastSundayOfOctoberAt0100Utc) {
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 10, 25, 0, 59, 59)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 10, 25, 1)), hours(1));
  EXPECT_EQ(WarsawUtcOffset(Utc(2026, 10, 18, 12)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2025, 10, 26, 0, 59)), hours(2));
  EXPECT_EQ(WarsawUtcOffset(Utc(2025, 10, 26, 1)), hours(1));
}

TEST(WarsawTimeTest, ConvertsToLocalTime) {
  const LocalTime local = ToWarsawLocal(Utc(2026, 3, 27, 15, 30));
  EXPECT_EQ(local, std::chrono::local_days(std::chrono::year(2026) / 3 / 27) + hours(16) +
                       std::chrono::minutes(30));
  EXPECT_EQ(ToWarsawLocal(Utc(2026, 6, 30, 22, 30)),
            std::chrono::local_days(std::chrono::year(2026) / 7 / 1) + std::chrono::minutes(30));
}

TEST(WarsawTimeTest, ConvertsFromLocalTime) {
  EXPECT_EQ(Warsaw(2026, 1, 15, 9), Utc(2026, 1, 15, 8));
  EXPECT_EQ(Warsaw(2026, 7, 15, 9), Utc(2026, 7, 15, 7));
  EXPECT_EQ(Warsaw(2026, 3, 29, 1, 59), Utc(2026, 3, 29, 0, 59));
  EXPECT_EQ(Warsaw(2026, 3, 29, 3), Utc(2026, 3, 29, 1));
  EXPECT_EQ(Warsaw(2026, 10, 25, 1, 59), Utc(2026, 10, 24, 23, 59));
  EXPECT_EQ(Warsaw(2026, 10, 25, 3), Utc(2026, 10, 25, 2));
  EXPECT_EQ(Warsaw(2026, 1, 1, 0, 30), Utc(2025, 12, 31, 23, 30));
}

TEST(WarsawTimeTest, ResolvesTheSkippedAndTheRepeatedHour) {
  // 02:30 does not exist on 29 March 2026: read with the winter offset.
  EXPECT_EQ(Warsaw(2026, 3, 29, 2, 30), Utc(2026, 3, 29, 1, 30));
  // 02:30 happens twice on 25 October 2026: the first one, still in summer time.
  EXPECT_EQ(Warsaw(2026, 10, 25, 2, 30), Utc(2026, 10, 25, 0, 30));
}

TEST(WarsawTimeTest, RoundTripsEveryQuarterHourOfAYear) {
  // Except the second pass of the repeated October hour, which reads back as the first.
  const TimePoint repeated_from = Utc(2026, 10, 25, 1);
  const TimePoint repeated_to = Utc(2026, 10, 25, 2);
  for (TimePoint t = Utc(2026, 1, 1, 0); t < Utc(2027, 1, 1, 0); t += std::chrono::minutes(15)) {
    if (t >= repeated_from && t < repeated_to) {
      EXPECT_EQ(FromWarsawLocal(ToWarsawLocal(t)), t - hours(1)) << Show(t);
    } else {
      ASSERT_EQ(FromWarsawLocal(ToWarsawLocal(t)), t) << Show(t);
    }
  }
}

}  // namespace
}  // namespace ledgerdesk::sla
