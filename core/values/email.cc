#include "core/values/email.h"

#include <algorithm>

#include "core/values/ascii.h"

namespace ledgerdesk::values {
namespace {

constexpr std::string_view kExample = "e.g. jan.kowalski@example.pl";

Status EmailError(std::string_view problem) {
  return InvalidArgument("e-mail " + std::string(problem) + ": type one address, " +
                         std::string(kExample) + ".");
}

bool IsLocalChar(char c) {
  return IsAsciiAlnum(c) ||
         std::string_view("!#$%&'*+/=?^_`{|}~.-").find(c) != std::string_view::npos;
}

}  // namespace

Result<Email> Email::Parse(std::string_view text) {
  if (text.empty()) return EmailError("is required");
  for (char c : text) {
    if (IsAsciiSpace(c)) return EmailError("must not contain spaces");
    if (IsAsciiControl(c)) return EmailError("must not contain control characters");
    if (static_cast<unsigned char>(c) >= 0x80) {
      return EmailError(
          "may contain only ASCII characters (international addresses are not supported)");
    }
  }
  if (text.size() > kMaxLength) {
    return EmailError("is too long (at most " + std::to_string(kMaxLength) + " characters)");
  }
  const size_t at = text.find('@');
  if (at == std::string_view::npos) return EmailError("must contain an @");
  if (text.find('@', at + 1) != std::string_view::npos)
    return EmailError("must contain only one @");

  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (local.empty()) return EmailError("needs a name before the @");
  if (local.size() > kMaxLocalLength) {
    return EmailError("has too long a name before the @ (at most " +
                      std::to_string(kMaxLocalLength) + " characters)");
  }
  if (!std::all_of(local.begin(), local.end(), IsLocalChar)) {
    return EmailError("has a character not allowed before the @");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return EmailError("must not start or end with a dot or have two dots in a row before the @");
  }

  if (domain.empty()) return EmailError("needs a domain after the @");
  if (domain.find('.') == std::string_view::npos) {
    return EmailError("needs a domain with a dot after the @");
  }
  size_t start = 0;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty()) return EmailError("has an empty part in its domain (two dots in a row?)");
    if (label.size() > kMaxLabelLength) {
      return EmailError("has too long a part in its domain (at most " +
                        std::to_string(kMaxLabelLength) + " characters between dots)");
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-'; })) {
      return EmailError("has a domain with characters other than letters, digits and hyphens");
    }
    if (label.front() == '-' || label.back() == '-') {
      return EmailError("has a domain part that starts or ends with a hyphen");
    }
    start = end + 1;
  }

  std::string address(local);
  address += '@';
  address += AsciiLower(domain);
  return Email(std::move(address), at);
}

std::string Email::LookupKey() const { return AsciiLower(address_); }

std::string_view Email::local_part() const { return std::string_view(address_).substr(0, at_); }

std::string_view Email::domain() const { return std::string_view(address_).substr(at_ + 1); }

}  // namespace ledgerdesk::values
