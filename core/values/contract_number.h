#pragma once

// A contract number: one uppercase letter and six digits, e.g. "K123456".

#include <compare>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/status.h"

namespace ledgerdesk::values {

// A syntactically valid contract number (^[A-Z][0-9]{6}$). Immutable; safe to share.
class ContractNumber {
 public:
  // Parses the number exactly as given: no trimming, no case folding (the portal and the API
  // show the canonical form, so a person types it that way).
  // Errors: kInvalidArgument naming the field "contract number" and its shape.
  static Result<ContractNumber> Parse(std::string_view text);

  // For the migrator: legacy rows carry padding and lowercase letters. Trims ASCII whitespace
  // and upper-cases, then parses as above.
  static Result<ContractNumber> FromLegacy(std::string_view text);

  const std::string& value() const { return text_; }
  std::string ToString() const { return text_; }

  friend bool operator==(const ContractNumber&, const ContractNumber&) = default;
  friend std::strong_ordering operator<=>(const ContractNumber&, const ContractNumber&) = default;

 private:
  explicit ContractNumber(std::string text) : text_(std::move(text)) {}

  std::string text_;
};

}  // namespace ledgerdesk::values
