// SIGKILL the runner at random moments: after every kill the store holds exactly a prefix of the
// log (rows and counts equal the reference fold up to its checkpoint), and finishing the run gives
// the same digest as a clean rebuild, with exact counts: no event applied twice or skipped.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <thread>

#include "projections/event_counts_projection.h"
#include "projections/rebuild.h"
#include "projections/runner.h"
#include "tests/projections/crash_workload.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::projections {
namespace {

// Starts the child; returns its pid and the read end of its stdout.
std::pair<pid_t, int> SpawnChild(const std::string& store_dir, size_t batch) {
  int out[2];
  if (pipe(out) != 0) return {-1, -1};
  const std::string batch_arg = std::to_string(batch);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(LEDGERDESK_RUNNER_CRASH_CHILD, LEDGERDESK_RUNNER_CRASH_CHILD, store_dir.c_str(),
          batch_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  return {pid, out[0]};
}

TEST(RunnerCrash, SigkillAtRandomMomentsNeverAppliesTwiceNorSkips) {
  testing::TempDir dir;
  const auto store_dir = dir.path() / "projections";
  auto storage = MakeCrashLog();
  const auto& records = storage->records;

  // The reference, advanced as checkpoints advance (they never go back).
  ReferenceFold reference;
  size_t folded = 0;
  std::mt19937_64 random(std::random_device{}());
  int killed_midway = 0;
  uint64_t last_checkpoint = 0;
  bool finished = false;
  // Kill after a random delay in [0, window). The window adapts to the machine's speed: it grows
  // after a round that committed nothing and shrinks after one that went far, so that most kills
  // land while batches are being committed.
  int64_t window_us = 60'000;
  int round = 0;
  for (; round < 80 && killed_midway < 25; ++round) {
    auto [pid, out] = SpawnChild(store_dir.string(), 1 + random() % 400);
    ASSERT_GT(pid, 0);
    char line[16] = {};
    ASSERT_GT(read(out, line, sizeof line - 1), 0) << "the child did not start";
    std::this_thread::sleep_for(std::chrono::microseconds(random() % window_us));
    kill(pid, SIGKILL);
    int wait_status = 0;
    ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
    close(out);
    if (WIFEXITED(wait_status)) {
      ASSERT_EQ(WEXITSTATUS(wait_status), 0) << "the child failed in round " << round;
      finished = true;
    }

    auto store = Store::Open({.dir = store_dir, .column_families = {"event_counts"}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto now = DigestAt(**store);
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    const uint64_t next = now->checkpoint.next.value;
    ASSERT_GE(next, last_checkpoint) << "the checkpoint went back in round " << round;
    ASSERT_LE(next, records.size());
    for (; folded < next; ++folded) reference.Apply(records[folded]);
    ASSERT_EQ(now->checkpoint.counts, reference.counts()) << "round " << round;
    ASSERT_EQ(now->hex, reference.Digest()) << "rows are not the prefix up to " << next;
    if (WIFSIGNALED(wait_status) && next > last_checkpoint && next < records.size()) {
      ++killed_midway;
    }
    if (next == last_checkpoint) {
      window_us = std::min<int64_t>(window_us * 2, 2'000'000);
    } else if (next - last_checkpoint > records.size() / 40) {
      window_us = std::max<int64_t>(window_us / 2, 2'000);
    }
    last_checkpoint = next;
    if (finished) break;
  }
  std::printf("crash test: %d rounds, %d kills landed mid-run; the store stood at %llu of %zu\n",
              round, killed_midway, static_cast<unsigned long long>(last_checkpoint),
              records.size());
  EXPECT_GE(killed_midway, 20) << "too few kills landed while the runner was applying";

  // Finish the run, and compare with a clean rebuild of the same log.
  testing::MemoryLog log(storage);
  const ProjectionSet projections = {std::make_shared<EventCountsProjection>()};
  ApplyCounts live_counts;
  std::string live_digest;
  {
    auto store = Store::Open({.dir = store_dir, .column_families = {"event_counts"}});
    ASSERT_TRUE(store.ok());
    auto runner = ProjectionRunner::Create(log, **store, projections);
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    ASSERT_TRUE((*runner)->CatchUp().ok());
    EXPECT_EQ((*runner)->applied_position(), log::Position{records.size()});
    live_counts = (*runner)->counts();
    live_digest = *Digest(**store);
  }
  for (; folded < records.size(); ++folded) reference.Apply(records[folded]);
  EXPECT_EQ(live_counts, reference.counts());
  EXPECT_EQ(live_digest, reference.Digest());

  auto rebuilt = Rebuild(log, projections, dir.path() / "rebuilt");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->checkpoint.counts, live_counts);
  auto rebuilt_store =
      Store::Open({.dir = dir.path() / "rebuilt", .column_families = {"event_counts"}});
  ASSERT_TRUE(rebuilt_store.ok());
  EXPECT_EQ(*Digest(**rebuilt_store), live_digest);
}

}  // namespace
}  // namespace ledgerdesk::projections
