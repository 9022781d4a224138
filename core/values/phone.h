#pragma once

// A Polish phone number: nine digits, no country code.

#include <compare>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/status.h"

namespace ledgerdesk::values {

// Nine digits. Immutable; safe to share.
class Phone {
 public:
  // Accepts exactly nine ASCII digits, e.g. "600100200". A "+48"/"0048" country code, spaces,
  // dashes and other separators are rejected with a message that says to type nine digits
  // without the +48 country code; nothing is silently stripped (the number a person sees on
  // their account is the one they typed).
  // Errors: kInvalidArgument naming the field "phone".
  static Result<Phone> Parse(std::string_view text);

  const std::string& value() const { return digits_; }
  std::string ToString() const { return digits_; }

  friend bool operator==(const Phone&, const Phone&) = default;
  friend std::strong_ordering operator<=>(const Phone&, const Phone&) = default;

 private:
  explicit Phone(std::string digits) : digits_(std::move(digits)) {}

  std::string digits_;
};

}  // namespace ledgerdesk::values
