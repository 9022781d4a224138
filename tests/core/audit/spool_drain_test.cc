// core/audit/spool_drain: serve appends spooled audit records, each exactly once, even when a crash
// comes between the append and the removal of its file.

#include "core/audit/spool_drain.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "core/audit/audit_record.h"
#include "core/log/envelope_codec.h"
#include "tests/support/memory_log.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::audit {
namespace {

namespace fs = std::filesystem;
using testing::MemoryLog;

v1::Envelope Record(const std::string& command) {
  return AuditEnvelope({.command = command, .actor = "dpo"}, std::chrono::system_clock::now());
}

// The audit commands in the log, in log order.
std::vector<std::string> RecordedCommands(MemoryLog& log) {
  std::vector<std::string> commands;
  std::lock_guard lock(log.storage()->mutex);
  for (const auto& record : log.storage()->records) {
    auto envelope = log::DecodeEnvelope(record.value);
    if (envelope.ok() && envelope->has_audit_command_recorded()) {
      commands.push_back(envelope->audit_command_recorded().command());
    }
  }
  return commands;
}

class SpoolDrainTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }

  // A serve (re)starting on the same log: a new write service reads it all.
  void Restart() {
    service_.reset();
    log_ = std::make_unique<MemoryLog>(storage_);
    auto service = app::WriteService::Start(*log_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
  }

  testing::TempDir dir_;
  fs::path spool_ = dir_.path() / kSpoolDirName;
  std::shared_ptr<testing::MemoryLogStorage> storage_ =
      std::make_shared<testing::MemoryLogStorage>();
  std::unique_ptr<MemoryLog> log_;
  std::unique_ptr<app::WriteService> service_;
};

TEST_F(SpoolDrainTest, AppendsSpooledRecordsOldestFirstAndRemovesThem) {
  ASSERT_TRUE(Spool(spool_, Record("history")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(Spool(spool_, Record("verify")).ok());
  auto round = DrainSpool(spool_, AppendThrough(*service_));
  ASSERT_TRUE(round.ok()) << round.status().ToString();
  EXPECT_EQ(round->appended, 2u);
  EXPECT_EQ(RecordedCommands(*log_), (std::vector<std::string>{"history", "verify"}));
  EXPECT_TRUE(fs::is_empty(spool_));
  // Nothing left: a second round appends nothing.
  EXPECT_EQ(DrainSpool(spool_, AppendThrough(*service_))->appended, 0u);
  EXPECT_EQ(RecordedCommands(*log_).size(), 2u);
}

TEST_F(SpoolDrainTest, ARecordAppendedBeforeACrashIsNotAppendedAgain) {
  ASSERT_TRUE(Spool(spool_, Record("history")).ok());
  const fs::path file = SpooledFiles(spool_).front();
  const fs::path copy = dir_.path() / "copy.pb";
  fs::copy_file(file, copy);
  ASSERT_EQ(DrainSpool(spool_, AppendThrough(*service_))->appended, 1u);
  const uint64_t end = log_->End()->value;

  // The crash: serve appended the record but its file is still there; serve starts again.
  fs::copy_file(copy, file);
  Restart();
  auto round = DrainSpool(spool_, AppendThrough(*service_));
  ASSERT_TRUE(round.ok()) << round.status().ToString();
  EXPECT_EQ(round->appended, 1u);  // done with: removed
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(log_->End()->value, end);  // nothing appended
  EXPECT_EQ(RecordedCommands(*log_), std::vector<std::string>{"history"});

  // Nor by the next audit command that writes the log itself.
  fs::copy_file(copy, file);
  service_.reset();
  std::vector<v1::Envelope> events;
  events.push_back(Record("verify"));
  auto appended = AppendWithSpool(*log_, spool_, std::move(events));
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(RecordedCommands(*log_), (std::vector<std::string>{"history", "verify"}));
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(SpoolDrainTest, AFileThatIsNoRecordIsSetAsideAndTheRestAppended) {
  fs::create_directories(spool_);
  std::ofstream(spool_ / "0-garbage.pb") << "not a protobuf \xff\xff\xff";
  ASSERT_TRUE(Spool(spool_, Record("history")).ok());
  auto round = DrainSpool(spool_, AppendThrough(*service_));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->appended, 1u);
  EXPECT_EQ(round->unreadable, 1u);
  EXPECT_TRUE(fs::exists(spool_ / "0-garbage.unreadable"));
  EXPECT_EQ(RecordedCommands(*log_), std::vector<std::string>{"history"});
}

TEST_F(SpoolDrainTest, AFailedAppendKeepsTheRecordForTheNextRound) {
  ASSERT_TRUE(Spool(spool_, Record("history")).ok());
  int calls = 0;
  AppendRecord failing = [&](const v1::Envelope&) -> Result<log::Position> {
    ++calls;
    return Unavailable("disk full");
  };
  auto round = DrainSpool(spool_, failing);
  EXPECT_EQ(round.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(SpooledFiles(spool_).size(), 1u);
  EXPECT_EQ(DrainSpool(spool_, AppendThrough(*service_))->appended, 1u);
}

TEST_F(SpoolDrainTest, TheRunningDrainAppendsAtStartAndWhenARecordAppears) {
  ASSERT_TRUE(Spool(spool_, Record("history")).ok());
  std::vector<std::string> reports;
  std::mutex reports_mutex;
  // A long poll interval: a record that appears is seen through inotify, not a poll.
  auto drain = SpoolDrain::Start(
      spool_, AppendThrough(*service_),
      {.poll_every = std::chrono::seconds(60), .report = [&](const std::string& line) {
         std::lock_guard lock(reports_mutex);
         reports.push_back(line);
       }});
  ASSERT_TRUE(drain.ok()) << drain.status().ToString();
  auto wait_for = [&](size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (RecordedCommands(*log_).size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return RecordedCommands(*log_);
  };
  EXPECT_EQ(wait_for(1), std::vector<std::string>{"history"});
  ASSERT_TRUE(Spool(spool_, Record("verify")).ok());
  EXPECT_EQ(wait_for(2), (std::vector<std::string>{"history", "verify"}));
  drain->reset();  // stops at once, though the poll interval is long
  EXPECT_TRUE(SpooledFiles(spool_).empty());
  std::lock_guard lock(reports_mutex);
  ASSERT_FALSE(reports.empty());
  EXPECT_NE(reports.front().find("appended 1 spooled audit record"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk::audit
