#pragma once

// Calendar dates of contracts (v1::Date): parsing, printing, comparing.

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/common.pb.h"

namespace ledgerdesk::domain {

// Parses YYYY-MM-DD (a real calendar day). Errors name `field`.
Result<v1::Date> ParseDate(std::string_view text, std::string_view field);
std::string FormatDate(const v1::Date& date);
std::strong_ordering CompareDates(const v1::Date& a, const v1::Date& b);
v1::Date MakeDate(int year, int month, int day);
// The calendar day in Warsaw at `instant` (contracts run by Polish local dates).
v1::Date WarsawDate(std::chrono::system_clock::time_point instant);

}  // namespace ledgerdesk::domain
