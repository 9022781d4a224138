#pragma once

// What the end-to-end tests do as a client of the real `serve`: HTTP calls on loopback, and the
// mails the mail sender wrote as .eml files (base64 bodies) with the tokens in them.

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ledgerdesk::testing {

struct Reply {
  int status = 0;
  std::string body;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string error_code() const {
    return json()->getObject("error")->getValue<std::string>("code");
  }
};

// One request to 127.0.0.1:`port`; `disposition` (optional) receives the Content-Disposition.
inline Reply HttpCall(int port, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "",
                      const std::string& content_type = "application/json",
                      const std::string& idempotency_key = "", std::string* disposition = nullptr) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) request.set("Authorization", "Bearer " + token);
  if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
  if (!body.empty()) {
    request.setContentType(content_type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::stringstream text;
  text << in.rdbuf();
  if (disposition != nullptr) *disposition = response.get("Content-Disposition", "");
  return {static_cast<int>(response.getStatus()), text.str()};
}

struct Mail {
  std::string to;    // the To header's value
  std::string body;  // decoded
};

// Every mail in `mail_dir` as it stands (none when the dir is not there yet).
inline std::vector<Mail> ReadMails(const std::filesystem::path& mail_dir) {
  std::vector<Mail> mails;
  if (!std::filesystem::exists(mail_dir)) return mails;
  for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
    std::ifstream file(entry.path());
    const std::string eml((std::istreambuf_iterator<char>(file)), {});
    const auto to = eml.find("To: ");
    const auto body_start = eml.find("\r\n\r\n");
    if (to == std::string::npos || body_start == std::string::npos) continue;
    std::istringstream encoded(eml.substr(body_start + 4));
    Poco::Base64Decoder decoder(encoded);
    mails.push_back({eml.substr(to + 4, eml.find("\r\n", to) - to - 4),
                     std::string((std::istreambuf_iterator<char>(decoder)), {})});
  }
  return mails;
}

// The 43-character token of a mail addressed to `to` (any address when empty) whose body holds
// `phrase`, waiting up to 10 s for the sender; "" when none came.
inline std::string MailedToken(const std::filesystem::path& mail_dir, const std::string& to,
                               const std::string& phrase) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (const Mail& mail : ReadMails(mail_dir)) {
      if (mail.to.find(to) == std::string::npos) continue;
      if (mail.body.find(phrase) == std::string::npos) continue;
      std::smatch match;
      if (std::regex_search(mail.body, match, std::regex(R"([A-Za-z0-9_-]{43})"))) {
        return match[0];
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

}  // namespace ledgerdesk::testing
