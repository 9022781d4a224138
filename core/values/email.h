#pragma once

// An e-mail address, validated pragmatically (what real mailboxes use, not all of RFC 5322).

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "core/common/status.h"

namespace ledgerdesk::values {

// A deliverable-looking address. Immutable; safe to share.
//
// Normalization: the domain is lower-cased (DNS is case-insensitive), the local part is kept as
// typed in value(), because RFC 5321 lets a server treat it case-sensitively and the address we
// mail to should be the one the person gave us. For lookups (one account per e-mail, login, the
// HMAC index) use LookupKey(): both parts lower-cased, since no real provider distinguishes
// "Jan.Kowalski@" from "jan.kowalski@" and two accounts for them would be a support incident.
// No other folding (dots, "+tags") is done: those are real, distinct addresses at most providers.
class Email {
 public:
  static constexpr size_t kMaxLength = 254;      // RFC 5321 path limit minus the angle brackets
  static constexpr size_t kMaxLocalLength = 64;  // RFC 5321
  static constexpr size_t kMaxLabelLength = 63;  // RFC 1035

  // Accepts local@domain where:
  //  - the whole address is at most 254 characters, with no spaces, control characters or
  //    non-ASCII bytes (internationalized addresses are not supported);
  //  - there is exactly one '@';
  //  - the local part is 1..64 characters of letters, digits and !#$%&'*+/=?^_`{|}~.- with no
  //    leading, trailing or doubled dot (quoted local parts are not supported);
  //  - the domain has at least two dot-separated labels, each 1..63 letters, digits or hyphens,
  //    not starting or ending with a hyphen (no IP literals, no trailing dot).
  // Errors: kInvalidArgument naming the field "e-mail" and what is wrong.
  static Result<Email> Parse(std::string_view text);

  // The normalized address: local part as typed, domain lower-cased.
  const std::string& value() const { return address_; }
  std::string ToString() const { return address_; }
  // The whole address lower-cased: the key for uniqueness and lookups (see the class comment).
  std::string LookupKey() const;

  std::string_view local_part() const;
  std::string_view domain() const;

  friend bool operator==(const Email&, const Email&) = default;
  friend std::strong_ordering operator<=>(const Email&, const Email&) = default;

 private:
  Email(std::string address, size_t at) : address_(std::move(address)), at_(at) {}

  std::string address_;
  size_t at_;  // index of the '@'
};

}  // namespace ledgerdesk::values
