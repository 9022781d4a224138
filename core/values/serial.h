#pragma once

// A device serial number or a licence key, as it appears on a contract item.

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/status.h"

namespace ledgerdesk::values {

// A serial in its compared form. Immutable; safe to share.
class Serial {
 public:
  static constexpr size_t kMaxLength = 128;

  // Normalizes and validates a serial:
  //  - leading and trailing ASCII whitespace is trimmed;
  //  - a leading "(H)-" or "(H)" marker (the legacy system's "hardware" tag) is stripped, and
  //    whitespace after it trimmed again; so is a mistyped one ("(h)-") and a repeated one;
  //  - everything else is kept as typed: dashes (licence keys), inner spaces and letter case.
  //    Serials compare exactly after this normalization.
  // The result must be 1..kMaxLength printable ASCII characters: control characters and
  // non-ASCII bytes are rejected (serials and keys are printed in ASCII; anything else is a
  // copy-paste accident or corrupt legacy data).
  // Errors: kInvalidArgument naming the field "serial".
  static Result<Serial> Parse(std::string_view text);

  const std::string& value() const { return text_; }
  std::string ToString() const { return text_; }

  friend bool operator==(const Serial&, const Serial&) = default;
  friend std::strong_ordering operator<=>(const Serial&, const Serial&) = default;

 private:
  explicit Serial(std::string text) : text_(std::move(text)) {}

  std::string text_;
};

}  // namespace ledgerdesk::values
