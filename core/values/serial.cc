#include "core/values/serial.h"

#include "core/values/ascii.h"

namespace ledgerdesk::values {

Result<Serial> Serial::Parse(std::string_view text) {
  std::string_view serial = TrimAsciiSpace(text);
  // Legacy rows carry the marker mistyped too ("(h)-", twice): none of it is the serial.
  while (serial.size() >= 3 && serial[0] == '(' && ToAsciiUpper(serial[1]) == 'H' &&
         serial[2] == ')') {
    serial.remove_prefix(3);
    if (serial.starts_with('-')) serial.remove_prefix(1);
    serial = TrimAsciiSpace(serial);
  }
  if (serial.empty()) {
    return InvalidArgument(
        "serial is required: type the device serial number or licence key as printed.");
  }
  if (serial.size() > kMaxLength) {
    return InvalidArgument("serial is too long: at most " + std::to_string(kMaxLength) +
                           " characters.");
  }
  for (char c : serial) {
    if (IsAsciiControl(c)) {
      return InvalidArgument(
          "serial contains a control character (a tab or line break?): type it on one line.");
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      return InvalidArgument(
          "serial may contain only ASCII letters, digits and punctuation: type it as printed.");
    }
  }
  return Serial(std::string(serial));
}

}  // namespace ledgerdesk::values
