#include "core/domain/dates.h"

#include <chrono>
#include <cstdio>

#include "core/sla/warsaw_time.h"

namespace ledgerdesk::domain {

Result<v1::Date> ParseDate(std::string_view text, std::string_view field) {
  const auto invalid = [&] {
    return InvalidArgument(std::string(field) + " must be a date written YYYY-MM-DD, not '" +
                           std::string(text.substr(0, 40)) + "'");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = 0; j < lengths[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return invalid();
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day day{std::chrono::year(parts[0]),
                                        std::chrono::month(static_cast<unsigned>(parts[1])),
                                        std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!day.ok() || parts[0] < 1900) return invalid();
  return MakeDate(parts[0], parts[1], parts[2]);
}

std::string FormatDate(const v1::Date& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year(), date.month(), date.day());
  return text;
}

std::strong_ordering CompareDates(const v1::Date& a, const v1::Date& b) {
  if (auto c = a.year() <=> b.year(); c != 0) return c;
  if (auto c = a.month() <=> b.month(); c != 0) return c;
  return a.day() <=> b.day();
}

v1::Date MakeDate(int year, int month, int day) {
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

v1::Date WarsawDate(std::chrono::system_clock::time_point instant) {
  const std::chrono::year_month_day day{
      std::chrono::floor<std::chrono::days>(sla::ToWarsawLocal(instant))};
  return MakeDate(static_cast<int>(day.year()),
                  static_cast<int>(static_cast<unsigned>(day.month())),
                  static_cast<int>(static_cast<unsigned>(day.day())));
}

}  // namespace ledgerdesk::domain
