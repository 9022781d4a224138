// core/audit: the hash-chain walk, the log prefix, audit records (appended and spooled), and
// events opened for an auditor.

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <thread>

#include "core/app/personal_data.h"
#include "core/audit/audit_record.h"
#include "core/audit/chain.h"
#include "core/audit/event_json.h"
#include "core/audit/log_prefix.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/envelope_codec.h"
#include "core/log/writer.h"
#include "tests/support/memory_log.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::audit {
namespace {

using testing::MakeEvent;
using testing::MemoryLog;

// `count` events appended through the writer (which chains them).
void Fill(log::EventLog& log, int count, const std::string& stream = "ticket-a") {
  auto writer = log::Writer::Start(log);
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < count; ++i) {
    const uint64_t version = (*writer)->StreamVersion(stream) + 1;
    ASSERT_TRUE((*writer)->Append({MakeEvent(stream, version)}).ok());
  }
}

TEST(VerifyChainTest, AWriterChainIsIntact) {
  MemoryLog log;
  Fill(log, 20);
  auto report = VerifyChain(log);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->intact) << report->first_break;
  EXPECT_EQ(report->records, 20u);
}

TEST(VerifyChainTest, NamesThePositionWhereTheChainBreaks) {
  MemoryLog log;
  Fill(log, 10);
  {
    // Someone rewrites record 6 (a valid envelope, but not the one that was chained).
    std::lock_guard lock(log.storage()->mutex);
    auto envelope = log::DecodeEnvelope(log.storage()->records[6].value);
    ASSERT_TRUE(envelope.ok());
    envelope->mutable_ticket_status_changed()->set_changed_by("mallory");
    log.storage()->records[6].value = envelope->SerializeAsString();
  }
  auto report = VerifyChain(log);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  // Record 6 still names record 5's hash; record 7 names the original record 6's.
  EXPECT_NE(report->first_break.find("log position 7"), std::string::npos) << report->first_break;
}

TEST(VerifyChainTest, AFirstRecordWithAPreviousHashIsABreak) {
  MemoryLog log;
  v1::Envelope event = MakeEvent("s", 1);
  event.set_previous_hash(std::string(32, 'x'));
  ASSERT_TRUE(log.Append({event}).ok());
  auto report = VerifyChain(log);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_NE(report->first_break.find("log position 0"), std::string::npos);
}

TEST(LogPrefixTest, ShowsOnlyTheRecordsBeforeItsEndAndRefusesAppends) {
  MemoryLog log;
  Fill(log, 10);
  auto prefix = LogPrefix(log, log::Position{4});
  EXPECT_EQ(prefix->End()->value, 4u);
  auto reader = prefix->NewReader(log::Position{0});
  ASSERT_TRUE(reader.ok());
  size_t seen = 0;
  for (;;) {
    auto records = (*reader)->Read(3, std::chrono::milliseconds(10));
    ASSERT_TRUE(records.ok());
    if (records->empty()) break;
    for (const auto& record : *records) EXPECT_LT(record.position.value, 4u);
    seen += records->size();
  }
  EXPECT_EQ(seen, 4u);
  EXPECT_EQ(prefix->Append({MakeEvent("s", 1)}).status().code(), StatusCode::kFailedPrecondition);
}

TEST(LogPrefixTest, PositionAfterFindsTheFirstRecordRecordedLater) {
  MemoryLog log;
  Fill(log, 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto between = std::chrono::system_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Fill(log, 2, "ticket-b");
  EXPECT_EQ(PositionAfter(log, between)->value, 3u);
  EXPECT_EQ(PositionAfter(log, between - std::chrono::hours(1))->value, 0u);
  EXPECT_EQ(PositionAfter(log, between + std::chrono::hours(1))->value, 5u);
}

TEST(AuditRecordTest, AppendedRecordsKeepTheChainAndSpooledOnesComeFirst) {
  testing::TempDir dir;
  MemoryLog log;
  Fill(log, 3);
  const auto spool = dir.path() / "audit-spool";
  AuditRequest early{.command = "history", .actor = "ola", .subject_index = std::string(32, 'h')};
  ASSERT_TRUE(Spool(spool, AuditEnvelope(early, std::chrono::system_clock::now())).ok());
  AuditRequest late{.command = "verify", .actor = "ola", .arguments = "result=intact"};
  std::vector<v1::Envelope> events;
  events.push_back(AuditEnvelope(late, std::chrono::system_clock::now()));
  auto positions = AppendWithSpool(log, spool, std::move(events));
  ASSERT_TRUE(positions.ok()) << positions.status().message();
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ(positions->front().value, 4u);
  EXPECT_TRUE(std::filesystem::is_empty(spool));
  auto report = VerifyChain(log);
  EXPECT_TRUE(report->intact) << report->first_break;
  std::lock_guard lock(log.storage()->mutex);
  auto first = log::DecodeEnvelope(log.storage()->records[3].value);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->audit_command_recorded().command(), "history");
  EXPECT_EQ(first->audit_command_recorded().subject_index(), std::string(32, 'h'));
  EXPECT_EQ(first->audit_command_recorded().arguments(), "actor=ola");
  EXPECT_EQ(first->actor().role(), v1::ROLE_AUDITOR);
  auto second = log::DecodeEnvelope(log.storage()->records[4].value);
  EXPECT_EQ(second->audit_command_recorded().arguments(), "actor=ola result=intact");
}

TEST(OpenEventTest, OpensSealedFieldsAndShowsErasedOnesAsErased) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  app::PersonalData personal(*keys);
  v1::Envelope event = MakeEvent("account-a", 1);
  auto* registered = event.mutable_account_registered();
  registered->set_account_id("a");
  *registered->mutable_email() = *personal.Seal("a", "ala@example.pl");
  *registered->mutable_name() = *personal.Seal("a", "Ala \"Kot\"");
  registered->set_email_index(std::string("\x01\x02", 2));
  log::StampEventType(event);
  const log::LogRecord record{log::Position{7}, event.stream(), event.SerializeAsString()};

  auto opened = OpenEvent(record, event, personal);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->type, "AccountRegistered");
  EXPECT_EQ(opened->position, 7u);
  const std::string line = EventJsonLine(*opened, event);
  EXPECT_NE(line.find(R"("email":"ala@example.pl")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("name":"Ala \"Kot\"")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("email_index":"0102")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("position":7,"type":"ledgerdesk.v1.AccountRegistered")"),
            std::string::npos)
      << line;
  EXPECT_EQ(opened->personal_fields.count("AccountRegistered.email"), 1u);

  ASSERT_TRUE(keys->Destroy("a").ok());
  auto erased = OpenEvent(record, event, personal);
  ASSERT_TRUE(erased.ok());
  const std::string erased_line = EventJsonLine(*erased, event);
  EXPECT_EQ(erased_line.find("ala@example.pl"), std::string::npos);
  EXPECT_NE(erased_line.find(R"("email":"[erased]")"), std::string::npos) << erased_line;
}

TEST(OpenEventTest, SecuritySecretsAreWithheldAndTicketMailsShown) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  app::PersonalData personal(*keys);
  auto open = [&](v1::Envelope event) {
    log::StampEventType(event);
    const log::LogRecord record{log::Position{1}, event.stream(), event.SerializeAsString()};
    auto opened = OpenEvent(record, event, personal);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? EventJsonLine(*opened, event) : std::string();
  };
  v1::Envelope registration = MakeEvent("account-a", 1);
  auto* registered = registration.mutable_account_registered();
  registered->set_account_id("a");
  *registered->mutable_email() = *personal.Seal("a", "ala@example.pl");
  registered->set_password_hash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
  registered->set_confirmation_token_hash("secret-hash-bytes");
  const std::string line = open(registration);
  EXPECT_NE(line.find(R"("email":"ala@example.pl")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("password_hash":"[withheld: security secret]")"), std::string::npos)
      << line;
  EXPECT_NE(line.find(R"("confirmation_token_hash":"[withheld: security secret]")"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("argon2"), std::string::npos) << line;

  v1::Envelope enrollment = MakeEvent("account-a", 2);
  enrollment.mutable_totp_enrollment_started()->set_account_id("a");
  *enrollment.mutable_totp_enrollment_started()->mutable_secret() =
      *personal.Seal("a", "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(open(enrollment).find("JBSWY3DPEHPK3PXP"), std::string::npos);

  v1::Envelope reset = MakeEvent("account-a", 3);
  reset.mutable_email_queued()->set_template_("password_reset");
  *reset.mutable_email_queued()->mutable_subject() = *personal.Seal("a", "Reset");
  *reset.mutable_email_queued()->mutable_body() = *personal.Seal("a", "code 123456");
  const std::string reset_line = open(reset);
  EXPECT_EQ(reset_line.find("123456"), std::string::npos) << reset_line;
  EXPECT_NE(reset_line.find(R"("subject":"Reset")"), std::string::npos) << reset_line;
  v1::Envelope update = reset;
  update.mutable_email_queued()->set_template_("ticket_update");
  EXPECT_NE(open(update).find("code 123456"), std::string::npos);  // no secret in it
}

}  // namespace
}  // namespace ledgerdesk::audit
