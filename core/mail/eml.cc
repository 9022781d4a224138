#include "core/mail/eml.h"

#include <cstdio>
#include <ctime>

namespace ledgerdesk::mail {
namespace {

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

bool IsPrintableAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// A header value: as it is when printable ASCII, else RFC 2047 base64 encoded words (each at most
// 75 characters, split on UTF-8 character boundaries).
std::string HeaderText(std::string_view text) {
  if (IsPrintableAscii(text)) return std::string(text);
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + 45);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string RfcDate(std::chrono::system_clock::time_point date) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(date);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

// Header injection is impossible: addresses come validated, but strip line breaks regardless.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

}  // namespace

std::string RenderEml(const OutgoingMail& mail, std::string_view from) {
  std::string to;
  for (const auto& address : mail.to) to += (to.empty() ? "" : ", ") + OneLine(address);
  std::string eml;
  eml += "From: " + OneLine(from) + "\r\n";
  eml += "To: " + to + "\r\n";
  eml += "Subject: " + HeaderText(OneLine(mail.subject)) + "\r\n";
  eml += "Date: " + RfcDate(mail.date) + "\r\n";
  eml += "Message-ID: <" + OneLine(mail.mail_id) + "@ledgerdesk>\r\n";
  eml += "MIME-Version: 1.0\r\n";
  eml += "Content-Type: text/plain; charset=UTF-8\r\n";
  eml += "Content-Transfer-Encoding: base64\r\n\r\n";
  const std::string body = Base64(mail.body);
  for (size_t i = 0; i < body.size(); i += 76) eml += body.substr(i, 76) + "\r\n";
  return eml;
}

std::vector<std::string> EmlRecipients(std::string_view eml) {
  std::vector<std::string> recipients;
  for (size_t line = 0; line < eml.size();) {
    size_t end = eml.find("\r\n", line);
    if (end == std::string_view::npos) end = eml.size();
    const std::string_view header = eml.substr(line, end - line);
    if (header.empty()) break;  // the body starts
    if (header.starts_with("To: ")) {
      std::string_view list = header.substr(4);
      while (!list.empty()) {
        const size_t comma = list.find(',');
        std::string_view address = list.substr(0, comma);
        while (address.starts_with(' ')) address.remove_prefix(1);
        while (address.ends_with(' ')) address.remove_suffix(1);
        if (!address.empty()) recipients.emplace_back(address);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    line = end + 2;
  }
  return recipients;
}

}  // namespace ledgerdesk::mail
