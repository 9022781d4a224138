// The runner: applies what the log holds exactly once, skips what every reader skips, resumes from
// its checkpoint, follows the log in the background, and answers WaitFor.

#include "projections/runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/log/envelope_codec.h"
#include "projections/event_counts_projection.h"
#include "projections/memory_rows.h"
#include "tests/projections/workload.h"
#include "tests/support/memory_log.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::projections {
namespace {

using std::chrono::milliseconds;
using testing::MakeEvent;

// A log, a store directory and the EventCounts projection, reopened at will.
class RunnerTest : public ::testing::Test {
 protected:
  void Open(RunnerOptions options = {.max_batch_events = 100, .poll_wait = milliseconds(20)},
            ProjectionSet projections = {std::make_shared<EventCountsProjection>()}) {
    runner_.reset();
    store_.reset();
    auto cfs = ColumnFamiliesOf(projections);
    ASSERT_TRUE(cfs.ok());
    auto store = Store::Open({.dir = dir_.path() / "projections", .column_families = *cfs});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto runner = ProjectionRunner::Create(log_, *store_, std::move(projections), options);
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    runner_ = std::move(*runner);
  }

  std::optional<std::string> Row(const std::string& key) {
    auto value = store_->Get("event_counts", key);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : std::nullopt;
  }

  ReferenceFold Reference() {
    ReferenceFold fold;
    std::lock_guard lock(log_.storage()->mutex);
    for (const auto& record : log_.storage()->records) fold.Apply(record);
    return fold;
  }

  testing::TempDir dir_;
  testing::MemoryLog log_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ProjectionRunner> runner_;
};

TEST_F(RunnerTest, AppliesTheEventsOfTheLog) {
  ASSERT_TRUE(log_.Append({MakeEvent("t-1", 1), MakeEvent("t-2", 1), MakeEvent("t-1", 2)}).ok());
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->applied_position(), log::Position{3});
  EXPECT_EQ(runner_->counts(), (ApplyCounts{.applied = 3}));
  EXPECT_EQ(Row("stream/t-1"), "2");
  EXPECT_EQ(Row("stream/t-2"), "1");
  EXPECT_EQ(Row("type/ledgerdesk.v1.TicketStatusChanged"), "3");
}

TEST_F(RunnerTest, SkipsDuplicatesConflictsAndUndecodableRecordsLikeEveryReader) {
  v1::Envelope first = MakeEvent("t", 1);
  ASSERT_TRUE(log_.Append({first, first}).ok());                          // a retried append
  ASSERT_TRUE(log_.Append({MakeEvent("t", 1), MakeEvent("t", 3)}).ok());  // two lost races
  PushRecords(*log_.storage(), {{{}, "junk", "not an envelope"}});
  ASSERT_TRUE(log_.Append({MakeEvent("t", 2)}).ok());
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->counts(),
            (ApplyCounts{.applied = 2, .duplicates = 1, .conflicts = 2, .undecodable = 1}));
  EXPECT_EQ(Row("stream/t"), "2");
  EXPECT_EQ(runner_->applied_position(), log::Position{6});
}

TEST_F(RunnerTest, CountsAndRowsEqualTheReferenceOnARandomLog) {
  RandomWorkload workload(3);
  PushRecords(*log_.storage(), workload.Next(20'000));
  Open({.max_batch_events = 333, .poll_wait = milliseconds(20)});
  ASSERT_TRUE(runner_->CatchUp().ok());
  ReferenceFold reference = Reference();
  EXPECT_EQ(runner_->counts(), reference.counts());
  EXPECT_GT(reference.counts().duplicates, 0u);
  EXPECT_GT(reference.counts().conflicts, 0u);
  EXPECT_GT(reference.counts().undecodable, 0u);
  EXPECT_EQ(*Digest(*store_), reference.Digest());
}

TEST_F(RunnerTest, RestartResumesFromTheCheckpointWithoutCountingTwice) {
  RandomWorkload workload(5);
  PushRecords(*log_.storage(), workload.Next(5'000));
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  const ApplyCounts before = runner_->counts();

  // Restart on the same log: nothing new, nothing again.
  Open();
  EXPECT_EQ(runner_->counts(), before);
  EXPECT_EQ(runner_->applied_position(), log::Position{5'000});
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(runner_->counts(), before);

  // More records (including repeats of old ones) after the restart.
  PushRecords(*log_.storage(), workload.Next(5'000));
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  ReferenceFold reference = Reference();
  EXPECT_EQ(runner_->counts(), reference.counts());
  EXPECT_EQ(*Digest(*store_), reference.Digest());
}

TEST_F(RunnerTest, FollowsTheLogInTheBackgroundAndWaitForAnswers) {
  Open();
  ASSERT_TRUE(runner_->Start().ok());
  EXPECT_EQ(runner_->Start().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(runner_->CatchUp().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(runner_->WaitFor(log::Position{1}, milliseconds(50)));

  std::thread writer([&] {
    for (int version = 1; version <= 50; ++version) {
      ASSERT_TRUE(log_.Append({MakeEvent("followed", version)}).ok());
      if (version % 10 == 0) std::this_thread::sleep_for(milliseconds(5));
    }
  });
  writer.join();
  auto positions = log_.Append({MakeEvent("followed", 51)});
  ASSERT_TRUE(positions.ok());
  const log::Position wanted{(*positions)[0].value + 1};
  ASSERT_TRUE(runner_->WaitFor(wanted, std::chrono::seconds(10)));
  EXPECT_GE(runner_->applied_position(), wanted);
  EXPECT_EQ(Row("stream/followed"), "51");  // read-your-writes once WaitFor said yes
  EXPECT_FALSE(runner_->WaitFor(log::Position{1000}, milliseconds(50)));
  EXPECT_TRUE(runner_->last_error().ok());
  runner_->Stop();
  runner_->Stop();  // idempotent
  EXPECT_EQ(runner_->counts().applied, 51u);
  ASSERT_TRUE(runner_->CatchUp().ok());  // allowed again once stopped
}

// Fails on one stream's events: the runner must stop at the last committed batch.
class FailingProjection : public Projection {
 public:
  std::string_view name() const override { return "failing"; }
  std::vector<std::string> column_families() const override { return {"failing"}; }
  Status Apply(const log::LogRecord&, const v1::Envelope& envelope, RowSink& rows) const override {
    if (envelope.stream() == "poison") return FailedPrecondition("cannot fold poison");
    return rows.Put("failing", envelope.stream(), std::to_string(envelope.stream_version()));
  }
};

TEST_F(RunnerTest, AProjectionErrorCommitsNothingOfItsBatch) {
  for (int version = 1; version <= 10; ++version) {
    ASSERT_TRUE(log_.Append({MakeEvent("fine", version)}).ok());
  }
  ASSERT_TRUE(log_.Append({MakeEvent("fine", 11), MakeEvent("poison", 1)}).ok());
  Open({.max_batch_events = 5, .poll_wait = milliseconds(20)},
       {std::make_shared<EventCountsProjection>(), std::make_shared<FailingProjection>()});
  Status status = runner_->CatchUp();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("failing"), std::string::npos) << status.message();
  EXPECT_EQ(runner_->applied_position(), log::Position{10});  // two full batches, not the third
  EXPECT_EQ(runner_->counts().applied, 10u);
  EXPECT_EQ(Row("stream/fine"), "10");
  // Retrying fails the same way and changes nothing.
  EXPECT_FALSE(runner_->CatchUp().ok());
  EXPECT_EQ(Row("stream/fine"), "10");
}

// Projections applied side by side (apply_threads) fold the same rows, and stop at the same error
// with nothing of its batch committed.
TEST_F(RunnerTest, ProjectionsAppliedSideBySideFoldTheSameAndStopAtTheSameError) {
  RandomWorkload workload(3);
  PushRecords(*log_.storage(), workload.Next(20'000));
  Open({.max_batch_events = 333, .poll_wait = milliseconds(20), .apply_threads = 3},
       {std::make_shared<FailingProjection>(), std::make_shared<EventCountsProjection>()});
  ASSERT_TRUE(runner_->CatchUp().ok());
  ReferenceFold reference = Reference();
  EXPECT_EQ(runner_->counts(), reference.counts());
  MemoryRows counted;
  ASSERT_TRUE(store_
                  ->Scan("event_counts",
                         [&](std::string_view key, std::string_view value) {
                           ASSERT_TRUE(counted.Put("event_counts", key, value).ok());
                         })
                  .ok());
  EXPECT_EQ(counted.Digest({"event_counts"}), reference.Digest());

  ASSERT_TRUE(log_.Append({MakeEvent("poison", 1)}).ok());
  Status status = runner_->CatchUp();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("projection failing at log position 20000"), std::string::npos)
      << status.message();
  EXPECT_EQ(runner_->applied_position(), log::Position{20'000});
}

class TrespassingProjection : public Projection {
 public:
  std::string_view name() const override { return "trespassing"; }
  std::vector<std::string> column_families() const override { return {"mine"}; }
  Status Apply(const log::LogRecord&, const v1::Envelope&, RowSink& rows) const override {
    return rows.Put("event_counts", "type/forged", "1000");
  }
};

TEST_F(RunnerTest, AProjectionCannotWriteAnotherOnesColumnFamily) {
  ASSERT_TRUE(log_.Append({MakeEvent("t", 1)}).ok());
  Open({}, {std::make_shared<EventCountsProjection>(), std::make_shared<TrespassingProjection>()});
  EXPECT_EQ(runner_->CatchUp().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Row("type/forged"), std::nullopt);
}

TEST_F(RunnerTest, ANewProjectionOnAStoreThatAppliedEventsIsRefused) {
  ASSERT_TRUE(log_.Append({MakeEvent("t", 1)}).ok());
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  store_.reset();
  ProjectionSet more = {std::make_shared<EventCountsProjection>(),
                        std::make_shared<FailingProjection>()};
  auto store =
      Store::Open({.dir = dir_.path() / "projections", .column_families = *ColumnFamiliesOf(more)});
  ASSERT_TRUE(store.ok());
  auto runner = ProjectionRunner::Create(log_, **store, more);
  EXPECT_EQ(runner.status().code(), StatusCode::kFailedPrecondition);
  // The column family exists now; the store still knows it lacks the earlier events' rows, on the
  // next open too (whoever opened it first: an audit command, say).
  store->reset();
  store =
      Store::Open({.dir = dir_.path() / "projections", .column_families = *ColumnFamiliesOf(more)});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->created_column_families().empty());
  EXPECT_EQ((*store)->incomplete_column_families(), std::vector<std::string>{"failing"});
  runner = ProjectionRunner::Create(log_, **store, more);
  EXPECT_EQ(runner.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(runner.status().message().find("failing"), std::string::npos);
  // Once its projection is rebuilt into it, it is complete.
  ASSERT_TRUE((*store)->MarkComplete({"failing"}).ok());
  store->reset();
  store =
      Store::Open({.dir = dir_.path() / "projections", .column_families = *ColumnFamiliesOf(more)});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->incomplete_column_families().empty());
  EXPECT_TRUE(ProjectionRunner::Create(log_, **store, more).ok());
}

TEST_F(RunnerTest, AStoreThatAppliedMoreThanTheLogHoldsIsRefusedNotFollowed) {
  ASSERT_TRUE(log_.Append({MakeEvent("t-1", 1), MakeEvent("t-1", 2), MakeEvent("t-2", 1)}).ok());
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());
  runner_.reset();
  {  // another log in its place (a recreated topic): one event only
    std::lock_guard lock(log_.storage()->mutex);
    log_.storage()->records.clear();
    log_.storage()->end = 0;
  }
  ASSERT_TRUE(log_.Append({MakeEvent("u-1", 1)}).ok());
  store_.reset();
  {
    auto store =
        Store::Open({.dir = dir_.path() / "projections", .column_families = {"event_counts"}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto refused =
        ProjectionRunner::Create(log_, **store, {std::make_shared<EventCountsProjection>()});
    ASSERT_EQ(refused.status().code(), StatusCode::kFailedPrecondition)
        << refused.status().ToString();
    const std::string message(refused.status().message());
    EXPECT_NE(message.find("up to log position 2, but in-memory log ends at position 0"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("projections rebuild"), std::string::npos) << message;
    EXPECT_EQ(*(*store)->Get("event_counts", "stream/u-1"), std::nullopt);  // nothing applied
  }
  // Once it holds as much, it is followed (a store cannot tell two logs of one length apart).
  ASSERT_TRUE(log_.Append({MakeEvent("u-1", 2), MakeEvent("u-1", 3)}).ok());
  Open();
  EXPECT_TRUE(runner_->CatchUp().ok());
}

TEST_F(RunnerTest, PositionsWithGapsLikeKafkasTransactionMarkers) {
  log_.storage()->transaction_markers = true;  // every append is followed by a marker position
  ASSERT_TRUE(log_.Append({MakeEvent("k", 1), MakeEvent("k", 2)}).ok());
  ASSERT_TRUE(log_.Append({MakeEvent("k", 3)}).ok());
  Open();
  ASSERT_TRUE(runner_->CatchUp().ok());  // the end lies past a marker: still finishes
  EXPECT_EQ(runner_->counts().applied, 3u);
  const log::Position after_first = runner_->applied_position();

  Open();  // resumes at a position where no record stands
  EXPECT_EQ(runner_->applied_position(), after_first);
  auto positions = log_.Append({MakeEvent("k", 4)});
  ASSERT_TRUE(positions.ok());
  ASSERT_TRUE(runner_->Start().ok());
  EXPECT_TRUE(
      runner_->WaitFor(log::Position{positions->back().value + 1}, std::chrono::seconds(10)));
  runner_->Stop();
  EXPECT_EQ(runner_->counts(), (ApplyCounts{.applied = 4}));
  EXPECT_EQ(Row("stream/k"), "4");
}

TEST_F(RunnerTest, AfterErasuresHearsTheErasedKeysOnceTheirBatchIsCommitted) {
  auto erasure = [](const std::string& account, const std::string& key_id) {
    v1::Envelope event = MakeEvent("subject-" + account, 1);
    event.mutable_subject_erased()->set_subject_id(account);
    event.mutable_subject_erased()->set_key_id(key_id);
    event.clear_event_type();
    log::StampEventType(event);
    return event;
  };
  ASSERT_TRUE(log_.Append({MakeEvent("t", 1), erasure("a", "key-a"), erasure("b", "key-b")}).ok());
  std::vector<std::vector<std::string>> heard;
  log::Position committed_when_heard;
  Open({.max_batch_events = 100,
        .poll_wait = milliseconds(20),
        .after_erasures = [&](const std::vector<std::string>& key_ids) {
          heard.push_back(key_ids);
          committed_when_heard = runner_->applied_position();
        }});
  ASSERT_TRUE(runner_->CatchUp().ok());
  ASSERT_EQ(heard.size(), 1u);  // one call for the batch
  EXPECT_EQ(heard[0], (std::vector<std::string>{"key-a", "key-b"}));
  EXPECT_EQ(committed_when_heard, log::Position{3});
  // Later batches without an erasure: not called again.
  ASSERT_TRUE(log_.Append({MakeEvent("t", 2)}).ok());
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(heard.size(), 1u);
}

TEST_F(RunnerTest, AfterCommitHearsEveryCommittedBatchInOrder) {
  for (uint64_t version = 1; version <= 250; ++version) {
    ASSERT_TRUE(log_.Append({MakeEvent("t", version)}).ok());
  }
  std::vector<uint64_t> heard;
  Open({.max_batch_events = 100,
        .poll_wait = milliseconds(20),
        .after_commit = [&](const Checkpoint& committed) {
          EXPECT_EQ(committed.next, runner_->applied_position());  // committed when heard
          heard.push_back(committed.next.value);
        }});
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(heard, (std::vector<uint64_t>{100, 200, 250}));
  ASSERT_TRUE(runner_->CatchUp().ok());  // nothing new: no commit, nothing heard
  EXPECT_EQ(heard.size(), 3u);
}

TEST_F(RunnerTest, SeveralEventsOfOneBatchOnTheSameRowAllCount) {
  std::vector<v1::Envelope> events;
  for (int version = 1; version <= 500; ++version) events.push_back(MakeEvent("hot", version));
  ASSERT_TRUE(log_.Append(events).ok());
  Open({.max_batch_events = 10'000, .poll_wait = milliseconds(20), .cache_bytes = 0});
  ASSERT_TRUE(runner_->CatchUp().ok());
  EXPECT_EQ(Row("stream/hot"), "500");
}

}  // namespace
}  // namespace ledgerdesk::projections
