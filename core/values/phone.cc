#include "core/values/phone.h"

#include <algorithm>

#include "core/values/ascii.h"

namespace ledgerdesk::values {
namespace {

constexpr std::string_view kHowToType =
    "nine digits without the +48 country code, spaces or dashes, e.g. 600100200";

Status PhoneError(std::string_view problem) {
  return InvalidArgument("phone " + std::string(problem) + ": type " + std::string(kHowToType) +
                         ".");
}

}  // namespace

Result<Phone> Phone::Parse(std::string_view text) {
  if (text.empty()) return PhoneError("is required");
  // "00" dials abroad only before more than nine digits: "001234567" is nine digits of its own.
  if (text.starts_with("+") || (text.starts_with("00") && text.size() > 9)) {
    return PhoneError("must not include a country code");
  }
  if (std::any_of(text.begin(), text.end(), [](char c) {
        return IsAsciiSpace(c) || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
      })) {
    return PhoneError("must not contain spaces or separators");
  }
  if (!std::all_of(text.begin(), text.end(), IsAsciiDigit)) {
    return PhoneError("may contain only digits");
  }
  if (text.size() == 11 && text.starts_with("48")) {
    return PhoneError("must not include the 48 country code");
  }
  if (text.size() != 9) {
    return PhoneError("must be exactly nine digits (" + std::to_string(text.size()) + " given)");
  }
  return Phone(std::string(text));
}

}  // namespace ledgerdesk::values
