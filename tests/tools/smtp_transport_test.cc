// The SMTP transport against a small SMTP server on loopback that records what it receives.

#include "tools/smtp_transport.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <thread>

namespace ledgerdesk::tools {
namespace {

// Accepts one connection and speaks just enough SMTP: greets, says 250 to every command, 354 to
// DATA, collects the message until the lone dot. `code` answers RCPT (550 refuses it).
class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(int rcpt_code = 250)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), rcpt_code_(rcpt_code) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeSmtpServer() { Join(); }

  std::string address() const { return "127.0.0.1:" + std::to_string(socket_.address().port()); }
  // Waits for the session to end; the transcript is complete afterwards.
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  const std::string& transcript() const { return transcript_; }

 private:
  void Serve() {
    Poco::Net::StreamSocket client = socket_.acceptConnection();
    Poco::Net::SocketStream stream(client);
    stream << "220 fake ESMTP\r\n" << std::flush;
    std::string line;
    bool in_data = false;
    while (std::getline(stream, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      transcript_ += line + "\n";
      if (in_data) {
        if (line == ".") {
          in_data = false;
          stream << "250 queued\r\n" << std::flush;
        }
        continue;
      }
      if (line.rfind("DATA", 0) == 0) {
        in_data = true;
        stream << "354 go on\r\n" << std::flush;
      } else if (line.rfind("RCPT", 0) == 0) {
        stream << rcpt_code_ << (rcpt_code_ == 250 ? " ok\r\n" : " no such user\r\n") << std::flush;
      } else if (line.rfind("QUIT", 0) == 0) {
        stream << "221 bye\r\n" << std::flush;
        break;
      } else {
        stream << "250 ok\r\n" << std::flush;
      }
    }
  }

  Poco::Net::ServerSocket socket_;
  int rcpt_code_;
  std::string transcript_;
  std::thread thread_;
};

mail::OutgoingMail Mail() {
  return {.mail_id = "m-42",
          .to = {"alice@example.pl"},
          .subject = "Zgłoszenie LD-7",
          .body = "Dzień dobry, odpowiedź inżyniera.",
          .date = std::chrono::system_clock::now()};
}

TEST(SmtpTransportTest, SendsTheMailToTheServer) {
  FakeSmtpServer server;
  auto transport = NewSmtpTransport(server.address(), "noreply@ledgerdesk.example");
  const Status sent = transport->Deliver(Mail());
  EXPECT_TRUE(sent.ok()) << sent.ToString();
  EXPECT_EQ(transport->name(), "smtp");
  server.Join();
  const std::string& transcript = server.transcript();
  EXPECT_NE(transcript.find("MAIL FROM: <noreply@ledgerdesk.example>"), std::string::npos)
      << transcript;
  EXPECT_NE(transcript.find("RCPT TO: <alice@example.pl>"), std::string::npos);
  EXPECT_NE(transcript.find("Message-ID: <m-42@ledgerdesk>"), std::string::npos);
  EXPECT_NE(transcript.find("Subject: =?UTF-8?"), std::string::npos);
  EXPECT_NE(transcript.find("QUIT"), std::string::npos);
}

TEST(SmtpTransportTest, ARefusedRecipientIsUnavailableWithTheServersWords) {
  FakeSmtpServer server(550);
  auto transport = NewSmtpTransport(server.address(), "noreply@ledgerdesk.example");
  const Status refused = transport->Deliver(Mail());
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find(server.address()), std::string::npos) << refused.ToString();
}

TEST(SmtpTransportTest, NoServerIsUnavailable) {
  auto transport = NewSmtpTransport("127.0.0.1:1", "noreply@ledgerdesk.example");
  EXPECT_EQ(transport->Deliver(Mail()).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ledgerdesk::tools
