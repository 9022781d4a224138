#include "core/common/process_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace ledgerdesk {
namespace {

TEST(ProcessLockTest, OneHolderAtATimeAndTheRefusalNamesIt) {
  testing::TempDir dir;
  const auto file = dir.path() / "LOCK";
  auto first = ProcessLock::Acquire(file, "the thing", "; stop it");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = ProcessLock::Acquire(file, "the thing", "; stop it");
  ASSERT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message(), "the thing is in use by another ledgerdesk process (pid " +
                                           std::to_string(::getpid()) +
                                           ", this very process); stop it");
  *first = ProcessLock();  // released
  EXPECT_TRUE(ProcessLock::Acquire(file, "the thing", "").ok());
}

TEST(ProcessLockTest, AMovedLockStaysHeld) {
  testing::TempDir dir;
  const auto file = dir.path() / "LOCK";
  auto first = ProcessLock::Acquire(file, "it", "");
  ASSERT_TRUE(first.ok());
  ProcessLock moved = std::move(*first);
  EXPECT_FALSE(ProcessLock::Acquire(file, "it", "").ok());
}

TEST(ProcessLockTest, AnUnopenableFileIsAnError) {
  auto lock = ProcessLock::Acquire("/nonexistent-dir/LOCK", "it", "");
  EXPECT_EQ(lock.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(lock.status().message().find("cannot open /nonexistent-dir/LOCK"), std::string::npos);
}

}  // namespace
}  // namespace ledgerdesk
