#include "projections/task_pool.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace ledgerdesk::projections {
namespace {

TEST(TaskPoolTest, RunsEveryJobOnceAndReturnsWhenAllHaveReturned) {
  TaskPool pool(2);
  std::vector<std::atomic<int>> calls(50);
  std::atomic<int> finished{0};
  pool.Run(calls.size(), [&](size_t i) {
    if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    calls[i].fetch_add(1);
    finished.fetch_add(1);
  });
  EXPECT_EQ(finished.load(), 50);  // every call has returned by then
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << i;
}

TEST(TaskPoolTest, WithoutHelpersTheCallerRunsEveryJobInOrder) {
  TaskPool pool(0);
  std::vector<size_t> order;
  pool.Run(5, [&](size_t i) { order.push_back(i); });
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  pool.Run(0, [&](size_t) { ADD_FAILURE() << "no job to run"; });
}

// A rebuild calls Run once a chunk of records, thousands of times, while its decoding thread
// competes for the cores: whenever the helper gets to run, every job of every round runs once,
// and none of a round that is over (its job is gone by then).
TEST(TaskPoolTest, ManyShortRoundsRunEachJobOnceWhateverTheHelpersTiming) {
  TaskPool pool(1);
  constexpr size_t kRounds = 20'000;
  size_t wrong = 0;
  for (size_t round = 0; round < kRounds; ++round) {
    std::array<std::atomic<int>, 6> calls{};
    const size_t count = round % 7;  // 0 to 6 jobs, as many as projections
    pool.Run(count, [&](size_t i) {
      if (round % 997 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      calls[i].fetch_add(1);
    });
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].load() != (i < count ? 1 : 0)) ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0u);
}

TEST(TaskPoolTest, JobsRunOnTheHelpersToo) {
  TaskPool pool(1);
  std::atomic<int> other_threads{0};
  const auto caller = std::this_thread::get_id();
  // Each job waits long enough that the helper wakes and takes one while the caller is busy.
  pool.Run(4, [&](size_t) {
    if (std::this_thread::get_id() != caller) other_threads.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  EXPECT_GT(other_threads.load(), 0);
}

}  // namespace
}  // namespace ledgerdesk::projections
