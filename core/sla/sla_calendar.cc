#include "core/sla/sla_calendar.h"

namespace ledgerdesk::sla {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::year_month_day;

TimePoint ResponseDue(TimePoint opened_at, SupportWindow window) {
  if (window == SupportWindow::k24x7) return opened_at + kResponseTime;

  TimePoint::duration remaining = kResponseTime;
  LocalTime now = ToWarsawLocal(opened_at);
  // A working day has eight hours, so at most a few holiday-and-weekend days are skipped; the
  // bound only guards against a calendar bug turning into an endless loop.
  for (int day_count = 0; day_count < 366; ++day_count) {
    const local_days today = std::chrono::floor<days>(now);
    const year_month_day date{std::chrono::sys_days(today.time_since_epoch())};
    const LocalTime start = today + kWorkdayStart;
    const LocalTime end = today + kWorkdayEnd;
    if (IsPolishWorkingDay(date) && now < end) {
      const LocalTime from = now > start ? now : start;
      if (end - from >= remaining) return FromWarsawLocal(from + remaining);
      remaining -= end - from;
    }
    now = today + days(1) + kWorkdayStart;
  }
  // Unreachable with a sane calendar: fall back to the 24x7 rule rather than never.
  return opened_at + kResponseTime;
}

TimePoint ResponseDue(TimePoint opened_at, v1::SupportWindow window) {
  return ResponseDue(opened_at,
                     window == v1::SUPPORT_WINDOW_8X5 ? SupportWindow::k8x5 : SupportWindow::k24x7);
}

}  // namespace ledgerdesk::sla
