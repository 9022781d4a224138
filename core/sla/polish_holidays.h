#pragma once

// Polish public holidays (days off work under the Act of 18 January 1951, as amended).

#include <chrono>

namespace ledgerdesk::sla {

// Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus, Jones and
// Butcher); valid for every year from 1583 on.
std::chrono::year_month_day EasterSunday(std::chrono::year year);

// True on a Polish public holiday: 1 January, 6 January (from 2011), Easter Sunday and Monday,
// 1 May, 3 May, Pentecost Sunday, Corpus Christi (Easter + 60 days), 15 August, 1 November,
// 11 November, 24 December (from 2025), 25 and 26 December. Several fall on Sundays, which are
// days off anyway; no substitute days are modelled (employers grant those individually).
bool IsPolishHoliday(std::chrono::year_month_day date);

// Monday to Friday and not a public holiday.
bool IsPolishWorkingDay(std::chrono::year_month_day date);

}  // namespace ledgerdesk::sla
