#pragma once

// NIP, the Polish tax identification number: ten digits whose last one is a mod-11 check digit.

#include <compare>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/status.h"

namespace ledgerdesk::values {

// A NIP with a valid check digit, held in its canonical form: exactly ten digits, no prefix.
// Immutable and cheap to copy; safe to share between threads.
class Nip {
 public:
  // Parses a NIP as typed by a person or read from legacy data:
  //  - ten digits, e.g. "5260250274";
  //  - optionally prefixed by the EU VAT country code "PL" in any letter case ("PL", "pl", "Pl":
  //    people type it lowercase, and the prefix carries no information we would lose);
  //  - no dashes, spaces or other separators anywhere (not even around it): those are rejected
  //    with a message that says to type the number without them;
  //  - the check digit must match: the first nine digits weighted 6 5 7 2 3 4 5 6 7, summed,
  //    modulo 11 equals the tenth digit; a remainder of 10 never makes a valid NIP.
  // Errors: kInvalidArgument with one sentence naming the field "NIP" and how to type it.
  static Result<Nip> Parse(std::string_view text);

  // The ten digits.
  const std::string& value() const { return digits_; }
  std::string ToString() const { return digits_; }

  friend bool operator==(const Nip&, const Nip&) = default;
  friend std::strong_ordering operator<=>(const Nip&, const Nip&) = default;

 private:
  explicit Nip(std::string digits) : digits_(std::move(digits)) {}

  std::string digits_;
};

}  // namespace ledgerdesk::values
