#pragma once

// The shared fixture of the end-to-end API tests: contracts added by the operator's CLI, the real
// `ledgerdesk serve` started on a free loopback port, HTTP calls, tokens read from the .eml files
// the mail sender writes, and customers taken through registration to a verified session.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/e2e/http_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::testing {

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
  void TearDown() override { StopServe(); }

  // Stops serve (SIGTERM) and expects a clean exit; nothing when none runs.
  void StopServe() {
    if (serve_ == nullptr) return;
    serve_->Signal(SIGTERM);
    EXPECT_EQ(serve_->Wait(), 0);
    serve_.reset();
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
    return HttpCall(port_, "POST", path, bytes, token, "text/plain");
  }

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", const std::string& idempotency_key = "",
             std::string* disposition = nullptr) {
    return CallAt(port_, method, path, body, token, idempotency_key, disposition);
  }

  static Reply CallAt(int port, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "",
                      const std::string& idempotency_key = "", std::string* disposition = nullptr) {
    return HttpCall(port, method, path, body, token, "application/json", idempotency_key,
                    disposition);
  }

  std::filesystem::path MailDir() const { return std::filesystem::path(data_) / "mail"; }

  // The token in a mail of the mail dir that contains `phrase` (waits for the sender).
  std::string TokenFromMail(const std::string& phrase) {
    return MailedToken(MailDir(), "", phrase);
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

  // The token of the confirmation mail to `email` (waits for the sender; "" when none came).
  std::string TokenFromMailTo(const std::string& email) {
    return MailedToken(MailDir(), email, "within 48 hours");
  }

  TempDir dir_;
  std::string data_;
  std::unique_ptr<ChildProcess> serve_;
  int port_ = 0;
  std::string engineer_token_;  // set-password tokens of the staff SetUp creates
  std::string partner_token_;
};

}  // namespace ledgerdesk::testing
