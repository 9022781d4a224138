#pragma once

// The shared fixture of the end-to-end API tests: contracts added by the operator's CLI, the real
// `ledgerdesk serve` started on a free loopback port, HTTP calls, tokens read from the .eml files
// the mail sender writes, and customers taken through registration to a verified session.

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

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

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = (dir_.path() / "data").string();
    AddContracts(data_, {});
    // Staff accounts, created by an operator before the server starts.
    engineer_token_ = AddStaff(
        data_, {"--email", "eng@ledgerdesk.pl", "--name", "Ewa Inżynier", "--role", "engineer"});
    partner_token_ = AddStaff(data_, {"--email", "jan@reseller.pl", "--name", "Jan Partner",
                                      "--role", "partner", "--partner-name", "Reseller"});
    serve_ = StartServe({"--data-dir", data_}, port_);
  }
  void TearDown() override {
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Wait(), 0);
  }

  // Two organizations' contracts, registered on the data dir (`log_args`: which log).
  void AddContracts(const std::string& data, const std::vector<std::string>& log_args) {
    for (auto [nip, number, serial] : {std::tuple{"5260250274", "K123456", "FG100"},
                                       std::tuple{"7251801126", "K654321", "FG900"}}) {
      std::vector<std::string> argv = {
          LD_PROGRAM,   "contracts",     "add",  "--data-dir", data,         "--nip",
          nip,          "--number",      number, "--package",  "SOS",        "--window",
          "8x5",        "--replacement", "NBD",  "--starts",   "2026-01-01", "--ends",
          "2030-12-31", "--item",        serial};
      argv.insert(argv.end(), log_args.begin(), log_args.end());
      auto added = RunProcess(argv);
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
  }

  // `ledgerdesk staff add` with `args`; returns the set-password token it prints.
  static std::string AddStaff(const std::string& data, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {LD_PROGRAM, "staff", "add", "--data-dir", data};
    argv.insert(argv.end(), args.begin(), args.end());
    auto added = RunProcess(argv);
    EXPECT_EQ(added.exit_code, 0) << added.err;
    std::smatch match;
    EXPECT_TRUE(std::regex_search(added.out, match, std::regex(R"(\n([A-Za-z0-9_-]{43})\n)")))
        << added.out;
    return match.size() > 1 ? std::string(match[1]) : "";
  }

  // (Re)starts serve on the fixture's data dir; port_ is where it listens.
  void RestartServe() { serve_ = StartServe({"--data-dir", data_}, port_); }

  // Starts `ledgerdesk serve` with `args` on a free port (returned in `port`).
  static std::unique_ptr<ChildProcess> StartServe(std::vector<std::string> args, int& port) {
    args.insert(args.begin(), {LD_PROGRAM, "serve", "--listen", "127.0.0.1:0"});
    auto serve = std::make_unique<ChildProcess>(args);
    const std::string line = serve->WaitForLine("listening on", std::chrono::seconds(30));
    std::smatch match;
    EXPECT_TRUE(std::regex_search(line, match, std::regex(R"(http://127\.0\.0\.1:(\d+))"))) << line;
    port = match.size() > 1 ? std::stoi(match[1]) : 0;
    return serve;
  }

  // Sets a staff member's first password with the operator's token and logs in.
  std::string StaffSession(const std::string& email, const std::string& set_password_token) {
    const Reply set =
        Call("POST", "/api/v1/password-resets/confirm",
             R"({"token":")" + set_password_token + R"(","new_password":"staff password 1234"})");
    EXPECT_EQ(set.status, 204) << set.body;
    const Reply session = Call("POST", "/api/v1/sessions",
                               R"({"email":")" + email + R"(","password":"staff password 1234"})");
    EXPECT_EQ(session.status, 201) << session.body;
    return session.status == 201 ? session.json()->getValue<std::string>("token") : "";
  }

  // A raw upload (text/plain).
  Reply Upload(const std::string& path, const std::string& bytes, const std::string& token) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token);
    request.setContentType("text/plain");
    request.setContentLength(static_cast<std::streamsize>(bytes.size()));
    session.sendRequest(request) << bytes;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::stringstream text;
    text << in.rdbuf();
    return {static_cast<int>(response.getStatus()), text.str()};
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", const std::string& idempotency_key = "",
             std::string* disposition = nullptr) {
    return CallAt(port_, method, path, body, token, idempotency_key, disposition);
  }

  static Reply CallAt(int port, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "",
                      const std::string& idempotency_key = "", std::string* disposition = nullptr) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
    if (!body.empty()) {
      request.setContentType("application/json");
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

  // The token in the newest mail of the mail dir that contains `phrase` (waits for the sender).
  std::string TokenFromMail(const std::string& phrase) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto mail_dir = std::filesystem::path(data_) / "mail";
      if (std::filesystem::exists(mail_dir)) {
        for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
          std::ifstream file(entry.path());
          std::string eml((std::istreambuf_iterator<char>(file)), {});
          const auto body_start = eml.find("\r\n\r\n");
          if (body_start == std::string::npos) continue;
          std::istringstream encoded(eml.substr(body_start + 4));
          Poco::Base64Decoder decoder(encoded);
          std::string body((std::istreambuf_iterator<char>(decoder)), {});
          if (body.find(phrase) == std::string::npos) continue;
          std::smatch match;
          if (std::regex_search(body, match, std::regex(R"([A-Za-z0-9_-]{43})"))) return match[0];
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }

  // Registers, confirms, logs in and verifies with `number` and `serial`; returns the token.
  std::string VerifiedSession(const std::string& registration, const std::string& number,
                              const std::string& serial) {
    const Reply registered = Call("POST", "/api/v1/registrations", registration);
    EXPECT_EQ(registered.status, 201) << registered.body;
    const std::string email = Poco::JSON::Parser()
                                  .parse(registration)
                                  .extract<Poco::JSON::Object::Ptr>()
                                  ->getValue<std::string>("email");
    std::string token;
    for (int attempt = 0; attempt < 50 && token.empty(); ++attempt) {
      token = TokenFromMailTo(email);
      if (token.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(Call("POST", "/api/v1/registrations/confirm", R"({"token":")" + token + "\"}").status,
              200);
    const Reply session =
        Call("POST", "/api/v1/sessions",
             R"({"email":")" + email + R"(","password":"correct horse battery"})");
    EXPECT_EQ(session.status, 201) << session.body;
    const std::string bearer = session.json()->getValue<std::string>("token");
    EXPECT_EQ(Call("POST", "/api/v1/account/verification",
                   R"({"contract_number":")" + number + R"(","serial":")" + serial + "\"}", bearer)
                  .status,
              200);
    return bearer;
  }

  // The token of the confirmation mail to `email`, or "" when it is not there yet.
  std::string TokenFromMailTo(const std::string& email) {
    const auto mail_dir = std::filesystem::path(data_) / "mail";
    if (!std::filesystem::exists(mail_dir)) return "";
    for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
      std::ifstream file(entry.path());
      std::string eml((std::istreambuf_iterator<char>(file)), {});
      if (eml.find("To: " + email + "\r\n") == std::string::npos) continue;
      const auto body_start = eml.find("\r\n\r\n");
      std::istringstream encoded(eml.substr(body_start + 4));
      Poco::Base64Decoder decoder(encoded);
      std::string body((std::istreambuf_iterator<char>(decoder)), {});
      std::smatch match;
      if (body.find("within 48 hours") != std::string::npos &&
          std::regex_search(body, match, std::regex(R"([A-Za-z0-9_-]{43})"))) {
        return match[0];
      }
    }
    return "";
  }

  TempDir dir_;
  std::string data_;
  std::unique_ptr<ChildProcess> serve_;
  int port_ = 0;
  std::string engineer_token_;  // set-password tokens of the staff SetUp creates
  std::string partner_token_;
};

}  // namespace ledgerdesk::testing
