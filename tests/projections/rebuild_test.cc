// Rebuild and digest: a live store and a rebuild from the same log have the same digest.

#include "projections/rebuild.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "projections/default_projections.h"
#include "projections/event_counts_projection.h"
#include "projections/rebuild_bench.h"
#include "projections/runner.h"
#include "projections/subject_index_projection.h"
#include "projections/tickets_projection.h"
#include "tests/projections/workload.h"
#include "tests/support/memory_log.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::projections {
namespace {

using std::chrono::milliseconds;

const ProjectionSet& Projections() {
  static const ProjectionSet projections = {std::make_shared<EventCountsProjection>()};
  return projections;
}

std::unique_ptr<Store> OpenStore(const std::filesystem::path& dir) {
  auto store = Store::Open({.dir = dir, .column_families = {"event_counts"}});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

ReferenceFold Reference(testing::MemoryLog& log) {
  ReferenceFold fold;
  std::lock_guard lock(log.storage()->mutex);
  for (const auto& record : log.storage()->records) fold.Apply(record);
  return fold;
}

TEST(Rebuild, LiveDigestEqualsRebuiltDigestAfterALongRandomWorkload) {
  testing::TempDir dir;
  testing::MemoryLog log;
  auto live = OpenStore(dir.path() / "live");
  auto runner = ProjectionRunner::Create(log, *live, Projections(),
                                         {.max_batch_events = 256, .poll_wait = milliseconds(5)});
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  ASSERT_TRUE((*runner)->Start().ok());

  // Records arrive in bursts of random sizes while the runner follows.
  RandomWorkload workload(20240601);
  std::mt19937_64 random(99);
  size_t total = 0;
  while (total < 150'000) {
    const size_t burst = 1 + random() % 3000;
    PushRecords(*log.storage(), workload.Next(burst));
    total += burst;
    if (random() % 4 == 0) std::this_thread::sleep_for(milliseconds(random() % 5));
  }
  ASSERT_TRUE((*runner)->WaitFor(log::Position{total}, std::chrono::seconds(120)));
  (*runner)->Stop();
  EXPECT_TRUE((*runner)->last_error().ok()) << (*runner)->last_error().ToString();

  const ReferenceFold reference = Reference(log);
  EXPECT_EQ((*runner)->counts(), reference.counts());
  EXPECT_GT(reference.counts().duplicates, 1000u);
  EXPECT_GT(reference.counts().conflicts, 1000u);
  EXPECT_GT(reference.counts().undecodable, 1000u);
  auto live_digest = Digest(*live);
  ASSERT_TRUE(live_digest.ok());
  EXPECT_EQ(*live_digest, reference.Digest());

  auto rebuilt = Rebuild(log, Projections(), dir.path() / "rebuilt");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->checkpoint.next, log::Position{total});
  EXPECT_EQ(rebuilt->checkpoint.counts, reference.counts());
  EXPECT_GT(rebuilt->records_per_second, 0);
  EXPECT_GT(rebuilt->fold_seconds, 0);
  EXPECT_GT(rebuilt->write_seconds, 0);
  EXPECT_LE(rebuilt->fold_seconds + rebuilt->write_seconds, rebuilt->seconds);
  auto rebuilt_store = OpenStore(dir.path() / "rebuilt");
  EXPECT_EQ(*Digest(*rebuilt_store), *live_digest);
}

TEST(Rebuild, ReplacesAnExistingStoreAndALiveRunnerContinuesFromIt) {
  testing::TempDir dir;
  testing::MemoryLog log;
  RandomWorkload workload(8);
  PushRecords(*log.storage(), workload.Next(3'000));
  const auto path = dir.path() / "projections";
  {  // a store with rows that a rebuild must not keep
    auto store = OpenStore(path);
    StoreBatch batch(*store);
    ASSERT_TRUE(batch.Put("event_counts", "stream/stale", "7").ok());
    ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {}}).ok());
  }
  auto rebuilt = Rebuild(log, Projections(), path, {.batch_events = 500});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(RebuildScratchDir(path)));
  EXPECT_FALSE(std::filesystem::exists(RebuiltDir(path)));

  PushRecords(*log.storage(), workload.Next(3'000));
  auto store = OpenStore(path);
  EXPECT_FALSE(store->Get("event_counts", "stream/stale")->has_value());
  auto runner = ProjectionRunner::Create(log, *store, Projections());
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  EXPECT_EQ((*runner)->applied_position(), log::Position{3'000});
  ASSERT_TRUE((*runner)->CatchUp().ok());
  const ReferenceFold reference = Reference(log);
  EXPECT_EQ((*runner)->counts(), reference.counts());
  EXPECT_EQ(*Digest(*store), reference.Digest());
}

TEST(Rebuild, SmallBatchesAndATinyRowCacheGiveTheSameStore) {
  testing::TempDir dir;
  testing::MemoryLog log;
  PushRecords(*log.storage(), RandomWorkload(12).Next(20'000));
  // A cache cleared after every batch: rows come back from RocksDB, not from memory.
  struct Told {
    uint64_t done, total;
    std::string phase;
  };
  std::vector<Told> progress;
  auto rebuilt = Rebuild(log, Projections(), dir.path() / "p",
                         {.batch_events = 777,
                          .memory_bytes = 1,
                          .progress = [&](uint64_t done, uint64_t total, const std::string& phase) {
                            progress.push_back({done, total, phase});
                          }});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  // After every batch (of 777 records, or fewer where a batch over its budget ended early), in
  // order, then once before the rows are written at the end.
  ASSERT_GE(progress.size(), 20'000u / 777 + 2);
  for (size_t i = 0; i + 1 < progress.size(); ++i) {
    EXPECT_EQ(progress[i].phase, "folding");
    EXPECT_EQ(progress[i].total, 20'000u);
    EXPECT_LE(progress[i].done, i == 0 ? 777u : progress[i - 1].done + 777);
    if (i > 0) {
      EXPECT_GT(progress[i].done, progress[i - 1].done);
    }
  }
  EXPECT_EQ(progress[progress.size() - 2].done, 20'000u);
  EXPECT_EQ(progress.back().done, 20'000u);
  EXPECT_EQ(progress.back().phase, "writing the sorted files");
  const ReferenceFold reference = Reference(log);
  EXPECT_EQ(rebuilt->checkpoint.counts, reference.counts());
  auto store = OpenStore(dir.path() / "p");
  EXPECT_EQ(*Digest(*store), reference.Digest());
}

// Every real projection, whose rebuild writes read rows, write-only rows and deletes as sorted
// SST files (store.h, bulk loading): a live runner (rows through memtables, batch by batch) and
// rebuilds that write everything at the end or spill every few hundred events (deletes of rows
// already written out become tombstones) all give the same rows.
TEST(Rebuild, BulkLoadedRowsEqualTheLiveRunnersForEveryProjection) {
  testing::TempDir dir;
  testing::MemoryLog log;
  PushRecords(*log.storage(), GenerateServiceDeskRecords(30'000));
  auto column_families = ColumnFamiliesOf(DefaultProjections());
  ASSERT_TRUE(column_families.ok());
  auto digest_of = [&](const std::filesystem::path& path) {
    auto store = Store::Open({.dir = path, .column_families = *column_families});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    auto digest = Digest(**store);
    EXPECT_TRUE(digest.ok());
    return *digest;
  };
  {
    auto live = Store::Open({.dir = dir.path() / "live", .column_families = *column_families});
    ASSERT_TRUE(live.ok());
    auto runner = ProjectionRunner::Create(log, **live, DefaultProjections(),
                                           {.max_batch_events = 500, .cache_bytes = 1 << 20});
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    ASSERT_TRUE((*runner)->CatchUp().ok());
    EXPECT_EQ((*runner)->counts().applied, 30'000u);
  }
  const std::string live = digest_of(dir.path() / "live");

  auto whole = Rebuild(log, DefaultProjections(), dir.path() / "whole", {.apply_threads = 1});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(digest_of(dir.path() / "whole"), live);
  EXPECT_EQ(whole->write_outs, 0u);  // the default budget holds these rows

  auto spilled = Rebuild(log, DefaultProjections(), dir.path() / "spilled",
                         {.batch_events = 333, .memory_bytes = 256 << 10, .apply_threads = 3});
  ASSERT_TRUE(spilled.ok()) << spilled.status().ToString();
  EXPECT_EQ(digest_of(dir.path() / "spilled"), live);
  EXPECT_GT(spilled->write_outs, 10u);

  auto only = RebuildOnly(log, DefaultProjections(), "tickets", dir.path() / "live",
                          {.batch_events = 333, .memory_bytes = 256 << 10});
  ASSERT_TRUE(only.ok()) << only.status().ToString();
  EXPECT_EQ(digest_of(dir.path() / "live"), live);
}

TEST(Rebuild, AnEmptyLogGivesAnEmptyStoreAtPositionZero) {
  testing::TempDir dir;
  testing::MemoryLog log;
  auto rebuilt = Rebuild(log, Projections(), dir.path() / "p");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->checkpoint, Checkpoint());
  auto store = OpenStore(dir.path() / "p");
  EXPECT_EQ(*Digest(*store), MemoryRows().Digest({"event_counts"}));
}

TEST(Rebuild, OpenFinishesAnInstallationThatACrashInterrupted) {
  testing::TempDir dir;
  testing::MemoryLog log;
  PushRecords(*log.storage(), RandomWorkload(4).Next(1'000));
  const auto path = dir.path() / "projections";
  ASSERT_TRUE(Rebuild(log, Projections(), path).ok());
  const std::string expected = Reference(log).Digest();
  // As if the process died between "rebuilt is complete" and "rebuilt is in place": the old store
  // still sits at `path`.
  std::filesystem::rename(path, RebuiltDir(path));
  std::filesystem::create_directories(path);
  { std::ofstream(path / "old-store-marker") << "old"; }
  auto store = OpenStore(path);
  EXPECT_FALSE(std::filesystem::exists(path / "old-store-marker"));
  EXPECT_EQ(*Digest(*store), expected);
  EXPECT_FALSE(std::filesystem::exists(RebuiltDir(path)));
}

// A second projection beside EventCounts, so that "only one" has others to leave alone: the last
// admitted version of every stream.
class LastVersionProjection : public Projection {
 public:
  std::string_view name() const override { return "last_version"; }
  std::vector<std::string> column_families() const override { return {"last_version"}; }
  Status Apply(const log::LogRecord&, const v1::Envelope& envelope, RowSink& rows) const override {
    return rows.Put("last_version", envelope.stream(), std::to_string(envelope.stream_version()));
  }
};

std::map<std::string, std::string> Rows(const Store& store, std::string_view cf) {
  std::map<std::string, std::string> rows;
  EXPECT_TRUE(
      store
          .Scan(cf, [&](std::string_view key, std::string_view value) { rows.emplace(key, value); })
          .ok());
  return rows;
}

TEST(Rebuild, OnlyOneProjectionUpToWhereTheOthersStandLeavingThemAlone) {
  testing::TempDir dir;
  testing::MemoryLog log;
  RandomWorkload workload(77);
  PushRecords(*log.storage(), workload.Next(5'000));
  const ReferenceFold reference = Reference(log);  // the first 5 000 records
  const ProjectionSet two = {std::make_shared<EventCountsProjection>(),
                             std::make_shared<LastVersionProjection>()};
  const auto path = dir.path() / "projections";
  Checkpoint stands_at;
  std::map<std::string, std::string> last_versions;
  {
    auto store = Store::Open({.dir = path, .column_families = {"event_counts", "last_version"}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    {
      auto runner = ProjectionRunner::Create(log, **store, two, {.max_batch_events = 700});
      ASSERT_TRUE(runner.ok()) << runner.status().ToString();
      ASSERT_TRUE((*runner)->CatchUp().ok());
    }
    stands_at = *(*store)->ReadCheckpoint();
    ASSERT_EQ(stands_at.next, log::Position{5'000});
    // Damage both projections: a stale row in each and a lost row of event_counts.
    StoreBatch batch(**store);
    ASSERT_TRUE(batch.Put("event_counts", "stream/stale", "7").ok());
    ASSERT_TRUE(
        batch.Delete("event_counts", reference.rows().rows("event_counts").begin()->first).ok());
    ASSERT_TRUE(batch.Put("last_version", "stale", "9").ok());
    ASSERT_TRUE((*store)->Commit(batch, stands_at).ok());
    last_versions = Rows(**store, "last_version");
  }
  // The log grew since: the rebuilt projection must still stop where the others stand.
  PushRecords(*log.storage(), workload.Next(2'000));

  auto rebuilt = RebuildOnly(log, two, "event_counts", path, {.batch_events = 300});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->checkpoint, stands_at);
  EXPECT_GT(rebuilt->fold_seconds, 0);
  EXPECT_GT(rebuilt->write_seconds, 0);
  EXPECT_LE(rebuilt->fold_seconds + rebuilt->write_seconds, rebuilt->seconds);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".only-event_counts"));

  auto store = Store::Open({.dir = path, .column_families = {"event_counts", "last_version"}});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->ReadCheckpoint(), stands_at);
  const auto& table = reference.rows().rows("event_counts");
  const std::map<std::string, std::string> expected(table.begin(), table.end());
  EXPECT_EQ(Rows(**store, "event_counts"), expected);
  EXPECT_EQ(Rows(**store, "last_version"), last_versions);  // stale row and all
  EXPECT_EQ(Rows(**store, "last_version").count("stale"), 1u);
}

TEST(Rebuild, OnlyANewProjectionMakesItsColumnFamilyCompleteForTheRunner) {
  testing::TempDir dir;
  testing::MemoryLog log;
  RandomWorkload workload(78);
  PushRecords(*log.storage(), workload.Next(1'000));
  const auto path = dir.path() / "projections";
  {  // a store made before last_version existed
    auto store = Store::Open({.dir = path, .column_families = {"event_counts"}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto runner =
        ProjectionRunner::Create(log, **store, {std::make_shared<EventCountsProjection>()});
    ASSERT_TRUE(runner.ok() && (*runner)->CatchUp().ok());
  }
  const ProjectionSet two = {std::make_shared<EventCountsProjection>(),
                             std::make_shared<LastVersionProjection>()};
  auto rebuilt = RebuildOnly(log, two, "last_version", path);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  auto store = Store::Open({.dir = path, .column_families = {"event_counts", "last_version"}});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->incomplete_column_families().empty());
  EXPECT_FALSE(Rows(**store, "last_version").empty());
  EXPECT_TRUE(ProjectionRunner::Create(log, **store, two).ok());
}

TEST(Rebuild, OnlyAnUnknownProjectionNamesTheKnownOnes) {
  testing::TempDir dir;
  testing::MemoryLog log;
  auto rebuilt = RebuildOnly(log, Projections(), "tickets_typo", dir.path() / "projections");
  ASSERT_FALSE(rebuilt.ok());
  EXPECT_EQ(rebuilt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rebuilt.status().message().find("event_counts"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "projections"));
}

TEST(Rebuild, BenchmarkLogFeedsEveryProjectionAndRebuildsDeterministically) {
  const auto records = GenerateServiceDeskRecords(20'000);
  ASSERT_EQ(records.size(), 20'000u);
  testing::TempDir first;
  testing::TempDir second;
  auto a = RunRebuildBench(records, DefaultProjections(), first.path());
  auto b = RunRebuildBench(records, DefaultProjections(), second.path());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->events, 20'000u);
  EXPECT_GT(a->events_per_second, 0);
  EXPECT_EQ(a->digest, b->digest);
  EXPECT_GE(a->system_seconds, 0);
  EXPECT_LE(a->system_seconds, a->cpu_seconds + 0.1);  // clock() and getrusage() tick apart
  // The store's files: a few hundred bytes an event (sealed titles, descriptions and bodies).
  EXPECT_GT(a->store_bytes, 20'000u * 200);
  EXPECT_LT(a->store_bytes, 20'000u * 2'000);

  // Every event was admitted, and the views hold what such a log makes of them.
  auto column_families = ColumnFamiliesOf(DefaultProjections());
  ASSERT_TRUE(column_families.ok());
  auto store =
      Store::Open({.dir = first.path() / "projections", .column_families = *column_families});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto checkpoint = (*store)->ReadCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->counts.applied, 20'000u);
  auto count = [&](std::string_view cf, std::string_view prefix) {
    size_t rows = 0;
    EXPECT_TRUE((*store)
                    ->ScanPrefix(cf, prefix,
                                 [&](std::string_view, std::string_view) {
                                   ++rows;
                                   return true;
                                 })
                    .ok());
    return rows;
  };
  EXPECT_GT(count(TicketsProjection::kColumnFamily, "ticket/"), 1000u);
  EXPECT_GT(count(TicketsProjection::kColumnFamily, "message/"), 2500u);
  // Postings: a row per subject and block (20 000 positions are all in block 0): the 2 020
  // accounts and the CC contacts the log made known (a customer's colleague, once each).
  size_t contacts = 0;
  for (const auto& record : records) {
    v1::Envelope envelope;
    ASSERT_TRUE(envelope.ParseFromString(record.value));
    if (envelope.has_subject_key_created()) ++contacts;
  }
  EXPECT_GT(contacts, 100u);
  EXPECT_LE(contacts, 2'000u);
  EXPECT_EQ(count(kSubjectIndexColumnFamily, "account/"), 2'020u + contacts);
  EXPECT_EQ(count(kSubjectIndexColumnFamily, "org/"), 200u);
  EXPECT_EQ(count(kSubjectIndexColumnFamily, "contract/"), 200u);  // each one's holder
  // A ticket's events are posted under it (its opener's and organization's postings name it).
  EXPECT_EQ(count(kSubjectIndexColumnFamily, "ticket/"),
            count(TicketsProjection::kColumnFamily, "ticket/"));
  EXPECT_EQ(count("accounts", "member/"), 2000u);
}

}  // namespace
}  // namespace ledgerdesk::projections
