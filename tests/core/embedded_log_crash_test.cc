// Kills a process appending to the embedded log (tests/core/embedded_log_crash_child.cc) with
// SIGKILL at random moments, round after round on the same directory, and checks after each round
// that every append the child saw acknowledged is in the log, exactly, and that the log is well
// formed: dense positions, no event twice, every event its stream's next version, the hash chain
// unbroken.
//
// SIGKILL loses nothing the kernel has accepted, so this tests the logic (acknowledge only what is
// written, recover the tail, continue correctly), not fdatasync itself. To have recovery do real
// work, every third round also cuts the file at a random byte past the last acknowledged record,
// as a power cut could before the unacknowledged appends' fdatasync.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "core/log/embedded_log.h"
#include "core/log/envelope_codec.h"
#include "core/log/stream_validator.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

extern char** environ;

namespace ledgerdesk::log {
namespace {

constexpr uint64_t kRoundFactor = 1'000'000'000;
constexpr uint64_t kThreadFactor = 1'000'000;

struct ChildRun {
  std::string out;  // everything the child printed to stdout
  int status = 0;   // from waitpid
};

// Starts the child, lets it run for `run_for`, kills it with SIGKILL and collects its output.
ChildRun RunAndKill(const std::string& dir, int round, int threads,
                    std::chrono::milliseconds run_for) {
  ChildRun run;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  const std::string program = LD_CRASH_CHILD;
  const std::string round_text = std::to_string(round);
  const std::string threads_text = std::to_string(threads);
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>(dir.c_str()),
                             const_cast<char*>(round_text.c_str()),
                             const_cast<char*>(threads_text.c_str()), nullptr};
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    ADD_FAILURE() << "cannot start " << program << ": " << std::strerror(spawned);
    return run;
  }
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  char buffer[65536];
  bool eof = false;
  while (!eof) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd fd{.fd = pipe_fds[0], .events = POLLIN, .revents = 0};
    if (::poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) eof = true;
    if (got > 0) run.out.append(buffer, static_cast<size_t>(got));
  }
  ::kill(pid, SIGKILL);
  for (;;) {
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof(buffer));
    if (got <= 0) break;
    run.out.append(buffer, static_cast<size_t>(got));
  }
  ::close(pipe_fds[0]);
  ::waitpid(pid, &run.status, 0);
  return run;
}

// Simulates losing what was written but never acknowledged (a power cut before its fdatasync):
// cuts the last segment at a random byte after the append holding the last acknowledged record
// (the Writer shares one log append among several commands, and one fdatasync covers all of it).
// Knows the record header (embedded_log.cc): u32 crc, u32 key length, u32 value length,
// u64 position, u32 index in the append, u32 records in the append.
// Returns the bytes cut.
uint64_t CutUnacknowledgedTail(const std::filesystem::path& dir, uint64_t last_acknowledged,
                               std::mt19937& random) {
  std::filesystem::path last;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && entry.path() > last) last = entry.path();
  }
  std::ifstream in(last, std::ios::binary);
  const std::string data(std::istreambuf_iterator<char>(in), {});
  auto get32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(data[at + i]);
    return v;
  };
  // The whole append holding the last acknowledged record was fdatasync'ed: keep up to its end.
  size_t offset = 8;  // past the segment magic
  size_t keep = 0;
  bool in_acknowledged_append = false;
  while (offset + 28 <= data.size()) {
    uint64_t position = 0;
    for (int i = 7; i >= 0; --i) {
      position = (position << 8) | static_cast<unsigned char>(data[offset + 12 + i]);
    }
    const size_t end = offset + 28 + get32(offset + 4) + get32(offset + 8);
    if (end > data.size()) break;
    if (position == last_acknowledged) in_acknowledged_append = true;
    const bool last_of_append = get32(offset + 20) + 1 == get32(offset + 24);
    if (in_acknowledged_append && last_of_append) {
      keep = end;
      break;
    }
    offset = end;
  }
  if (keep == 0 || keep >= data.size()) return 0;  // acknowledged up to the end, or elsewhere
  const uint64_t cut_at = std::uniform_int_distribution<uint64_t>(keep, data.size() - 1)(random);
  std::filesystem::resize_file(last, cut_at);
  return data.size() - cut_at;
}

// Checks the log in `dir` against what was acknowledged; returns the number of records.
uint64_t CheckLog(const std::string& dir, const std::map<uint64_t, uint64_t>& acknowledged) {
  auto log = EmbeddedLog::Open({.dir = dir});
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return 0;
  if ((*log)->recovery().truncated_bytes > 0)
    std::printf("  %s\n", (*log)->recovery().detail.c_str());
  auto end = (*log)->End();
  EXPECT_TRUE(end.ok());
  auto reader = (*log)->NewReader(Position{0});
  EXPECT_TRUE(reader.ok());
  StreamValidator validator;
  std::set<std::string> ids;
  std::string previous_value;
  uint64_t next = 0;
  auto expected = acknowledged.begin();
  for (;;) {
    auto batch = (*reader)->Read(4096, std::chrono::milliseconds(0));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok() || batch->empty()) break;
    for (const LogRecord& record : *batch) {
      EXPECT_EQ(record.position.value, next) << "positions are not dense";
      auto envelope = DecodeEnvelope(record.value);
      EXPECT_TRUE(envelope.ok()) << "at " << next << ": " << envelope.status().ToString();
      if (!envelope.ok()) return next;
      EXPECT_EQ(record.key, envelope->stream());
      EXPECT_TRUE(ids.insert(envelope->event_id()).second) << "an event twice, at " << next;
      EXPECT_EQ(validator.Admit(*envelope), Verdict::kApply) << "at " << next;
      EXPECT_EQ(envelope->previous_hash(), previous_value.empty() ? "" : Sha256(previous_value))
          << "the hash chain breaks at " << next;
      if (expected != acknowledged.end() && expected->first == next) {
        const uint64_t n = expected->second;
        const uint64_t round = n / kRoundFactor;
        const uint64_t thread = n % kRoundFactor / kThreadFactor;
        EXPECT_EQ(envelope->event_id(), testing::IdFromNumber(n)) << "at " << next;
        EXPECT_EQ(envelope->stream(), "r" + std::to_string(round) + "-t" + std::to_string(thread));
        EXPECT_EQ(envelope->stream_version(), n % kThreadFactor);
        EXPECT_EQ(envelope->ticket_status_changed().changed_by(), "crash-" + std::to_string(n));
        ++expected;
      }
      previous_value = record.value;
      ++next;
    }
  }
  EXPECT_EQ(next, end->value);
  EXPECT_TRUE(expected == acknowledged.end()) << "acknowledged position " << expected->first
                                              << " is missing (the log ends at " << next << ")";
  return next;
}

TEST(EmbeddedLogCrashTest, AKilledWriterLosesNothingAcknowledged) {
  testing::TempDir temp("ledgerdesk-crash");
  const std::string dir = (temp.path() / "log").string();
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  constexpr int kRounds = 24;
  constexpr int kThreads = 6;
  std::map<uint64_t, uint64_t> acknowledged;  // position -> id number
  const auto started = std::chrono::steady_clock::now();
  uint64_t records = 0;
  for (int round = 1; round <= kRounds; ++round) {
    // Mostly while appending; now and then while opening or catching up.
    const int ms = round % 6 == 0 ? std::uniform_int_distribution<int>(0, 30)(random)
                                  : std::uniform_int_distribution<int>(60, 500)(random);
    ChildRun run = RunAndKill(dir, round, kThreads, std::chrono::milliseconds(ms));
    ASSERT_TRUE(WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL)
        << "round " << round << ": the child stopped by itself (status " << run.status << ")";
    // Complete lines only: a line cut short by the kill was not acknowledged to anyone.
    std::istringstream lines(run.out.substr(0, run.out.rfind('\n') + 1));
    uint64_t position;
    uint64_t number;
    int round_acks = 0;
    while (lines >> position >> number) {
      auto [it, inserted] = acknowledged.emplace(position, number);
      ASSERT_TRUE(inserted) << "position " << position << " acknowledged twice (" << it->second
                            << " and " << number << ")";
      ++round_acks;
    }
    uint64_t cut = 0;
    if (round % 3 == 1 && !acknowledged.empty()) {
      cut = CutUnacknowledgedTail(dir, acknowledged.rbegin()->first, random);
    }
    records = CheckLog(dir, acknowledged);
    if (::testing::Test::HasFailure()) {
      FAIL() << "round " << round << " after " << ms << " ms";
    }
    std::printf(
        "round %2d: killed after %3d ms, %5d acknowledged, %6llu unacknowledged bytes cut, "
        "log has %llu records\n",
        round, ms, round_acks, static_cast<unsigned long long>(cut),
        static_cast<unsigned long long>(records));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d rounds in %.1f s, %zu acknowledged events\n", kRounds, seconds,
              acknowledged.size());
  EXPECT_GT(acknowledged.size(), 500u);
}

}  // namespace
}  // namespace ledgerdesk::log
