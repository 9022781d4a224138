#include "core/values/contract_number.h"

#include "core/values/ascii.h"

namespace ledgerdesk::values {

Result<ContractNumber> ContractNumber::Parse(std::string_view text) {
  if (text.empty()) {
    return InvalidArgument(
        "contract number is required: one uppercase letter and six digits, e.g. K123456.");
  }
  bool valid = text.size() == 7 && IsAsciiUpper(text[0]);
  for (size_t i = 1; valid && i < text.size(); ++i) valid = IsAsciiDigit(text[i]);
  if (!valid) {
    return InvalidArgument(
        "contract number must be one uppercase letter and six digits, e.g. K123456.");
  }
  return ContractNumber(std::string(text));
}

Result<ContractNumber> ContractNumber::FromLegacy(std::string_view text) {
  return Parse(AsciiUpper(TrimAsciiSpace(text)));
}

}  // namespace ledgerdesk::values
