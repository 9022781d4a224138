#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/mail/mail_transport.h"

namespace ledgerdesk::mail {
namespace {

class MaildirTransport : public MailTransport {
 public:
  MaildirTransport(std::filesystem::path dir, std::string from)
      : dir_(std::move(dir)), from_(std::move(from)) {}

  Status Deliver(const OutgoingMail& mail) override {
    std::error_code error;
    std::filesystem::create_directories(dir_, error);
    if (error) return Unavailable("cannot create the mail dir " + dir_.string());
    const std::string eml = RenderEml(mail, from_);
    const auto target = dir_ / (mail.mail_id + ".eml");
    const auto temp = dir_ / ("." + mail.mail_id + ".tmp");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return Unavailable("cannot write " + temp.string() + ": " + std::strerror(errno));
    bool ok = true;
    for (size_t done = 0; ok && done < eml.size();) {
      const ssize_t n = ::write(fd, eml.data() + done, eml.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
      std::filesystem::remove(temp, error);
      return Unavailable("cannot write " + target.string() + ": " + std::strerror(errno));
    }
    return OkStatus();
  }

  std::string name() const override { return "maildir"; }

 private:
  std::filesystem::path dir_;
  std::string from_;
};

}  // namespace

std::unique_ptr<MailTransport> NewMaildirTransport(std::filesystem::path dir, std::string from) {
  return std::make_unique<MaildirTransport>(std::move(dir), std::move(from));
}

}  // namespace ledgerdesk::mail
