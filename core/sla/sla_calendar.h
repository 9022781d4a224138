#pragma once

// When a ticket's first response is due, by the contract's support window.

#include <chrono>

#include "core/sla/polish_holidays.h"
#include "core/sla/warsaw_time.h"
#include "schemas/ledgerdesk/v1/contract_events.pb.h"

namespace ledgerdesk::sla {

enum class SupportWindow {
  k8x5,   // working hours: 09:00-17:00 Europe/Warsaw, Monday to Friday, not on holidays
  k24x7,  // around the clock
};

// The response time every contract promises.
inline constexpr std::chrono::hours kResponseTime{1};

// Working hours in Warsaw for k8x5.
inline constexpr std::chrono::hours kWorkdayStart{9};
inline constexpr std::chrono::hours kWorkdayEnd{17};

// The instant the first response is due for a ticket opened at `opened_at` (UTC):
//  - k24x7: opened_at + 1 hour;
//  - k8x5: one hour of working time, counted only 09:00-17:00 Warsaw time on working days
//    (IsPolishWorkingDay). A ticket opened out of hours is due at 10:00 on the next working day;
//    one opened Friday 16:30 is due Monday 09:30 (30 minutes Friday, 30 Monday); one opened at
//    16:00 is due at 17:00 the same day.
// Pure: no clock calls. Sub-second precision of `opened_at` is kept.
TimePoint ResponseDue(TimePoint opened_at, SupportWindow window);

// The same for the window as events carry it, so that it can be passed where a
// `time_point (*)(time_point, v1::SupportWindow)` is wanted. SUPPORT_WINDOW_8X5 counts working
// hours; SUPPORT_WINDOW_24X7 and, should one ever slip through, SUPPORT_WINDOW_UNSPECIFIED get
// the round-the-clock hour (the earlier due time: never later than any contract promises).
TimePoint ResponseDue(TimePoint opened_at, v1::SupportWindow window);

}  // namespace ledgerdesk::sla
