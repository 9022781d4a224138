#include "tools/smtp_transport.h"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SocketAddress.h>

namespace ledgerdesk::tools {
namespace {

class SmtpTransport : public mail::MailTransport {
 public:
  SmtpTransport(std::string host_port, std::string from)
      : host_port_(std::move(host_port)), from_(std::move(from)) {}

  Status Deliver(const mail::OutgoingMail& mail) override {
    try {
      Poco::Net::MailMessage message;
      message.setSender(from_);
      for (const auto& to : mail.to) {
        message.addRecipient(
            Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, to));
      }
      message.setSubject(Poco::Net::MailMessage::encodeWord(mail.subject, "UTF-8"));
      message.set("Message-ID", "<" + mail.mail_id + "@ledgerdesk>");
      message.setContentType("text/plain; charset=UTF-8");
      message.setContent(mail.body, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
      const Poco::Net::SocketAddress address(host_port_);
      Poco::Net::SMTPClientSession session(address.host().toString(), address.port());
      session.login();
      session.sendMessage(message);
      session.close();
      return OkStatus();
    } catch (const Poco::Exception& e) {
      return Unavailable("SMTP server " + host_port_ +
                         " did not take the mail: " + e.displayText());
    }
  }

  std::string name() const override { return "smtp"; }

 private:
  std::string host_port_;
  std::string from_;
};

}  // namespace

std::unique_ptr<mail::MailTransport> NewSmtpTransport(std::string host_port, std::string from) {
  return std::make_unique<SmtpTransport>(std::move(host_port), std::move(from));
}

}  // namespace ledgerdesk::tools
