#pragma once

// RFC 5322 messages: what the maildir transport writes as .eml files and what SMTP sends.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerdesk::mail {

struct OutgoingMail {
  std::string mail_id;  // also the Message-ID's left part: a redelivery is the same message
  std::vector<std::string> to;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 plain text
  std::chrono::system_clock::time_point date;
};

// The whole message: headers (From, To, Subject as an RFC 2047 encoded word when not ASCII, Date,
// Message-ID, MIME 1.0, text/plain UTF-8) and the body in base64, CRLF line ends, lines <= 76.
std::string RenderEml(const OutgoingMail& mail, std::string_view from);

// The addresses of the To header of a message RenderEml wrote (its headers are enough), as
// written; none when there is no To header.
std::vector<std::string> EmlRecipients(std::string_view eml);

}  // namespace ledgerdesk::mail
