#include "core/values/nip.h"

#include <array>

#include "core/values/ascii.h"

namespace ledgerdesk::values {
namespace {

constexpr std::array<int, 9> kWeights = {6, 5, 7, 2, 3, 4, 5, 6, 7};
constexpr std::string_view kHowToType =
    "type its 10 digits, e.g. 5260250274 (a PL prefix is allowed)";

bool IsSeparator(char c) { return c == '-' || IsAsciiSpace(c); }

}  // namespace

Result<Nip> Nip::Parse(std::string_view text) {
  if (text.empty()) return InvalidArgument("NIP is required: " + std::string(kHowToType) + ".");
  for (char c : text) {
    if (IsSeparator(c)) {
      return InvalidArgument(
          "NIP must be typed without dashes or spaces: " + std::string(kHowToType) + ".");
    }
  }
  std::string_view digits = text;
  if (digits.size() >= 2 && ToAsciiUpper(digits[0]) == 'P' && ToAsciiUpper(digits[1]) == 'L') {
    digits.remove_prefix(2);
  }
  for (char c : digits) {
    if (!IsAsciiDigit(c)) {
      return InvalidArgument("NIP may contain only digits: " + std::string(kHowToType) + ".");
    }
  }
  if (digits.size() != 10) {
    return InvalidArgument("NIP must be exactly 10 digits (" + std::to_string(digits.size()) +
                           " given): " + std::string(kHowToType) + ".");
  }
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) sum += kWeights[i] * (digits[i] - '0');
  const int check = sum % 11;
  if (check == 10 || check != digits[9] - '0') {
    return InvalidArgument(
        "NIP has a wrong check digit, so it contains a typo: compare it with the invoice or "
        "registration document.");
  }
  return Nip(std::string(digits));
}

}  // namespace ledgerdesk::values
