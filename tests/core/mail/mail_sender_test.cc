// The outbox: .eml rendering, delivery at least once, never again once recorded as sent.

#include "core/mail/mail_sender.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/domain/account/account.h"
#include "core/values/phone.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/memory_log.h"
#include "tests/support/scenario.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::mail {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t FilesIn(const std::filesystem::path& dir) {
  size_t n = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.is_regular_file();
  return n;
}

TEST(EmlTest, RendersAnRfc5322MessageWithEncodedSubjectAndBase64Body) {
  OutgoingMail mail{.mail_id = "m1",
                    .to = {"alice@example.pl", "ops@example.pl"},
                    .subject = "Zgłoszenie LD-1: odpowiedź",
                    .body = "Dzień dobry,\nproblem rozwiązany.",
                    .date = testing::Utc("2026-11-23T10:00:00Z")};
  const std::string eml = RenderEml(mail, "ledgerdesk <noreply@ledgerdesk.example>");
  EXPECT_NE(eml.find("From: ledgerdesk <noreply@ledgerdesk.example>\r\n"), std::string::npos);
  EXPECT_NE(eml.find("To: alice@example.pl, ops@example.pl\r\n"), std::string::npos);
  EXPECT_NE(eml.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(eml.find("Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(eml.find("Message-ID: <m1@ledgerdesk>\r\n"), std::string::npos);
  EXPECT_NE(eml.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  // "Dzień dobry,\n" in base64 starts the body.
  EXPECT_NE(eml.find("\r\n\r\nRHppZcWEIGRvYnJ5LApwcm9ibGVt"), std::string::npos) << eml;
  for (size_t start = 0, end; (end = eml.find("\r\n", start)) != std::string::npos;
       start = end + 2) {
    EXPECT_LE(end - start, 998u);
  }
}

TEST(EmlTest, RecipientsAreReadBackFromTheToHeaderOnly) {
  OutgoingMail mail{.mail_id = "m3",
                    .to = {"Alice@Example.pl", "ops@example.pl"},
                    .subject = "To: not@this.pl",
                    .body = "To: nor@this.pl",
                    .date = {}};
  const std::string eml = RenderEml(mail, "noreply@example.pl");
  EXPECT_EQ(EmlRecipients(eml), (std::vector<std::string>{"Alice@Example.pl", "ops@example.pl"}));
  EXPECT_TRUE(EmlRecipients("From: a@b.pl\r\n\r\nTo: x@y.pl\r\n").empty());
  EXPECT_TRUE(EmlRecipients("").empty());
}

TEST(EmlTest, NoHeaderInjectionThroughLineBreaks) {
  OutgoingMail mail{.mail_id = "m2",
                    .to = {"a@example.pl\r\nBcc: evil@example.com"},
                    .subject = "hi\r\nBcc: evil@example.com",
                    .body = "x",
                    .date = {}};
  const std::string eml = RenderEml(mail, "noreply@example.pl");
  EXPECT_EQ(eml.find("\r\nBcc:"), std::string::npos);
}

class MailSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = crypto::NewInMemorySubjectKeyStore();
    personal_ = std::make_unique<app::PersonalData>(*keys_);
    StartService();
    v1::Actor actor;
    actor.set_role(v1::ROLE_CUSTOMER);
    auto registered = service_->Execute(actor, [&](const auto& model, const auto& context) {
      return domain::Decide(model,
                            domain::RegisterAccount{.account_id = "alice",
                                                    .email = testing::EmailOf("alice@example.pl"),
                                                    .email_index = "index-of-alice",
                                                    .password_hash = "$argon2id$placeholder",
                                                    .name = "Alicja Żółć",
                                                    .phone = *values::Phone::Parse("600100200"),
                                                    .nip = testing::NipOf(testing::kNipA),
                                                    .confirmation_token = "TOKEN-123",
                                                    .confirmation_token_hash = "hash-of-token"},
                            context, *personal_);
    });
    ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  }

  void StartService() {
    service_.reset();
    auto service = app::WriteService::Start(log_);
    ASSERT_TRUE(service.ok());
    service_ = std::move(*service);
  }

  size_t Pending() {
    size_t pending = 0;
    service_->Read([&](const domain::Model& model) { pending = model.pending_mails().size(); });
    return pending;
  }

  testing::TempDir dir_;
  testing::MemoryLog log_;
  std::unique_ptr<crypto::SubjectKeyStore> keys_;
  std::unique_ptr<app::PersonalData> personal_;
  std::unique_ptr<app::WriteService> service_;
};

TEST_F(MailSenderTest, DeliversTheConfirmationMailOnceAndRecordsIt) {
  ASSERT_EQ(Pending(), 1u);
  auto transport = NewMaildirTransport(dir_.path() / "mail", "noreply@ledgerdesk.example");
  MailSender sender(*service_, *personal_, *transport);
  auto round = sender.DeliverPending();
  ASSERT_TRUE(round.ok()) << round.status().ToString();
  EXPECT_EQ(round->sent, 1u);
  EXPECT_EQ(Pending(), 0u);
  ASSERT_EQ(FilesIn(dir_.path() / "mail"), 1u);
  const auto file = std::filesystem::directory_iterator(dir_.path() / "mail")->path();
  const std::string eml = ReadFile(file);
  EXPECT_NE(eml.find("To: alice@example.pl"), std::string::npos) << eml;
  // Nothing is delivered twice, by this sender or one started after a restart.
  EXPECT_EQ(sender.DeliverPending()->sent, 0u);
  StartService();
  MailSender restarted(*service_, *personal_, *transport);
  EXPECT_EQ(restarted.DeliverPending()->sent, 0u);
  EXPECT_EQ(FilesIn(dir_.path() / "mail"), 1u);
}

TEST_F(MailSenderTest, AMailDeliveredButNotRecordedIsDeliveredAgainToTheSameFile) {
  // A transport that delivers and then "crashes" before the record: the sender sees a failure.
  class DeliverThenFail : public MailTransport {
   public:
    explicit DeliverThenFail(MailTransport& real) : real_(real) {}
    Status Deliver(const OutgoingMail& mail) override {
      (void)real_.Deliver(mail);
      return Unavailable("crashed after delivering");
    }
    std::string name() const override { return "maildir"; }
    MailTransport& real_;
  };
  auto maildir = NewMaildirTransport(dir_.path() / "mail", "noreply@example.pl");
  DeliverThenFail crashing(*maildir);
  MailSender first(*service_, *personal_, crashing);
  EXPECT_EQ(first.DeliverPending()->failed, 1u);
  EXPECT_EQ(Pending(), 1u);
  MailSender second(*service_, *personal_, *maildir);
  EXPECT_EQ(second.DeliverPending()->sent, 1u);
  EXPECT_EQ(FilesIn(dir_.path() / "mail"), 1u);  // the same mail id, the same file
  EXPECT_EQ(Pending(), 0u);
}

// A mail its server refuses is tried again after 5 s, then 10, 20, ... up to 10 minutes, not on
// every round; once it goes, it is forgotten.
TEST_F(MailSenderTest, AFailingMailIsTriedAgainLessAndLessOften) {
  class Refusing : public MailTransport {
   public:
    Status Deliver(const OutgoingMail&) override {
      ++attempts;
      return refuse ? Unavailable("550 no such mailbox") : OkStatus();
    }
    std::string name() const override { return "smtp"; }
    int attempts = 0;
    bool refuse = true;
  } transport;
  auto now = std::chrono::steady_clock::time_point();
  MailSender sender(*service_, *personal_, transport, [&] { return now; });
  EXPECT_EQ(sender.DeliverPending()->failed, 1u);
  std::vector<int> waited;  // seconds between attempts
  int since = 0;
  for (int second = 1; second <= 1300; ++second) {
    now += std::chrono::seconds(1);
    const int before = transport.attempts;
    ASSERT_TRUE(sender.DeliverPending().ok());
    ++since;
    if (transport.attempts > before) {
      waited.push_back(since);
      since = 0;
    }
  }
  EXPECT_EQ(waited, (std::vector<int>{5, 10, 20, 40, 80, 160, 320, 600}));
  transport.refuse = false;
  now += MailSender::kLongestRetry;
  EXPECT_EQ(sender.DeliverPending()->sent, 1u);
  EXPECT_EQ(Pending(), 0u);
}

TEST_F(MailSenderTest, AnErasedRecipientIsNotWrittenTo) {
  ASSERT_TRUE(keys_->Destroy("alice").ok());
  auto transport = NewMaildirTransport(dir_.path() / "mail", "noreply@example.pl");
  MailSender sender(*service_, *personal_, *transport);
  auto round = sender.DeliverPending();
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(FilesIn(dir_.path() / "mail"), 0u);
  EXPECT_EQ(Pending(), 0u);  // recorded, so it is not retried forever
}

}  // namespace
}  // namespace ledgerdesk::mail
