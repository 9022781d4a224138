// The store: batches read their own writes, commits are atomic with the checkpoint, the digest
// covers projection rows only.

#include "projections/store.h"

#include <gtest/gtest.h>

#include "projections/event_counts_projection.h"
#include "projections/memory_rows.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::projections {
namespace {

std::unique_ptr<Store> OpenStore(const std::filesystem::path& dir,
                                 std::vector<std::string> cfs = {"alpha", "beta"}) {
  auto store = Store::Open({.dir = dir, .column_families = std::move(cfs)});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(ProjectionStore, ANewStoreStartsAtPositionZero) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path() / "projections");
  ASSERT_NE(store, nullptr);
  auto checkpoint = store->ReadCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, Checkpoint());
  EXPECT_EQ(store->created_column_families(), (std::vector<std::string>{"alpha", "beta"}));
}

TEST(ProjectionStore, ABatchReadsItsOwnUncommittedWrites) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  StoreBatch batch(*store);
  ASSERT_TRUE(batch.Put("alpha", "k", "1").ok());
  auto staged = batch.Get("alpha", "k");
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(*staged, std::optional<std::string>("1"));
  auto committed = store->Get("alpha", "k");
  ASSERT_TRUE(committed.ok());
  EXPECT_FALSE(committed->has_value());  // not committed yet
  ASSERT_TRUE(batch.Put("alpha", "k", "2").ok());
  ASSERT_TRUE(batch.Delete("alpha", "gone").ok());
  EXPECT_FALSE(batch.Get("alpha", "gone")->has_value());
  EXPECT_EQ(*batch.Get("alpha", "k"), std::optional<std::string>("2"));
}

TEST(ProjectionStore, CommitWritesRowsAndCheckpointTogetherAndSurvivesReopen) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.path());
    StoreBatch batch(*store);
    ASSERT_TRUE(batch.Put("alpha", "a", "x").ok());
    ASSERT_TRUE(batch.Put("beta", "b", "y").ok());
    batch.PutValidatorRow("s/stream", std::string(8, '\0'));
    ASSERT_TRUE(store->Commit(batch, {log::Position{42}, {.applied = 3}}).ok());
    EXPECT_EQ(batch.staged(), 0u);
    // Deleted rows go too.
    ASSERT_TRUE(batch.Delete("alpha", "a").ok());
    ASSERT_TRUE(store->Commit(batch, {log::Position{43}, {.applied = 4}}).ok());
  }
  auto store = OpenStore(dir.path());
  EXPECT_TRUE(store->created_column_families().empty());
  auto checkpoint = store->ReadCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->next, log::Position{43});
  EXPECT_EQ(checkpoint->counts.applied, 4u);
  EXPECT_FALSE(store->Get("alpha", "a")->has_value());
  EXPECT_EQ(*store->Get("beta", "b"), std::optional<std::string>("y"));
}

TEST(ProjectionStore, DigestCoversProjectionRowsOnlyAndMatchesMemoryRows) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  MemoryRows memory;
  StoreBatch batch(*store);
  for (int i = 0; i < 100; ++i) {
    const std::string key = "key-" + std::to_string(i * 7919 % 1000);
    const std::string value(static_cast<size_t>(i % 13), static_cast<char>('a' + i % 26));
    const std::string cf = i % 3 == 0 ? "beta" : "alpha";
    ASSERT_TRUE(batch.Put(cf, key, value).ok());
    ASSERT_TRUE(memory.Put(cf, key, value).ok());
  }
  ASSERT_TRUE(store->Commit(batch, {log::Position{100}, {}}).ok());
  auto before = Digest(*store);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, memory.Digest({"beta", "alpha"}));
  EXPECT_EQ(before->size(), 64u);

  // Validator state and checkpoint are not content: the digest stays.
  batch.PutValidatorRow("i/0123456789abcdef", "");
  ASSERT_TRUE(store->Commit(batch, {log::Position{200}, {.duplicates = 1}}).ok());
  auto after = DigestAt(*store);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->hex, *before);
  EXPECT_EQ(after->checkpoint.next, log::Position{200});

  // A row does change it.
  ASSERT_TRUE(batch.Put("alpha", "key-1", "changed").ok());
  ASSERT_TRUE(store->Commit(batch, {log::Position{201}, {}}).ok());
  EXPECT_NE(*Digest(*store), *before);
}

TEST(ProjectionStore, RefusesReservedAndUnknownColumnFamilies) {
  testing::TempDir dir;
  EXPECT_EQ(Store::Open({.dir = dir.path(), .column_families = {"checkpoint"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Store::Open({.dir = dir.path(), .column_families = {"default"}}).status().code(),
            StatusCode::kInvalidArgument);
  auto store = OpenStore(dir.path());
  StoreBatch batch(*store);
  EXPECT_EQ(batch.Put("validator", "k", "v").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(batch.Get("gamma", "k").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Get("checkpoint", "checkpoint").status().code(), StatusCode::kInvalidArgument);
}

TEST(ProjectionStore, ColumnFamiliesOfRefusesTwoOwners) {
  ProjectionSet twice = {std::make_shared<EventCountsProjection>(),
                         std::make_shared<EventCountsProjection>()};
  EXPECT_EQ(ColumnFamiliesOf(twice).status().code(), StatusCode::kInvalidArgument);
  ProjectionSet once = {std::make_shared<EventCountsProjection>()};
  EXPECT_EQ(*ColumnFamiliesOf(once), (std::vector<std::string>{"event_counts"}));
}

TEST(ProjectionStore, ASecondOpenOfTheSameDirectoryIsUnavailable) {
  testing::TempDir dir;
  auto first = OpenStore(dir.path());
  auto second = Store::Open({.dir = dir.path(), .column_families = {"alpha", "beta"}});
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

// Bulk loading (a rebuild's store): rows stay in the batch across commits and are written as SST
// files; a Reset that drops kept rows makes later commits fail instead of losing them silently.
std::unique_ptr<Store> OpenBulkStore(const std::filesystem::path& dir) {
  auto store = Store::Open({.dir = dir, .column_families = {"alpha", "beta"}, .bulk_load = true});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(ProjectionStore, ABulkLoadKeepsRowsUntilIngestedAndDropsRowsDeletedBeforeThat) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path());
  StoreBatch batch(*store, 1 << 20, /*store_starts_empty=*/true);
  ASSERT_TRUE(batch.Put("alpha", "kept", "1").ok());
  ASSERT_TRUE(batch.Put("alpha", "dropped", "x").ok());
  ASSERT_TRUE(batch.PutWriteOnly("beta", "index/2", "b").ok());
  ASSERT_TRUE(batch.PutWriteOnly("beta", "index/1", "old").ok());
  ASSERT_TRUE(batch.PutWriteOnly("beta", "index/1", "new").ok());  // the last write stands
  ASSERT_TRUE(store->Commit(batch, {log::Position{5}, {.applied = 5}}).ok());
  EXPECT_FALSE(store->Get("alpha", "kept")->has_value());  // kept in the batch, not written yet
  ASSERT_TRUE(batch.Delete("alpha", "dropped").ok());
  EXPECT_FALSE(batch.Get("alpha", "dropped")->has_value());
  ASSERT_TRUE(batch.Put("alpha", "kept", "2").ok());
  ASSERT_TRUE(store->Commit(batch, {log::Position{9}, {.applied = 9}}).ok());
  ASSERT_TRUE(store->IngestStaged(batch).ok());

  std::vector<std::string> rows;
  for (const char* cf : {"alpha", "beta"}) {
    ASSERT_TRUE(store
                    ->Scan(cf,
                           [&](std::string_view key, std::string_view value) {
                             rows.push_back(std::string(cf) + ":" + std::string(key) + "=" +
                                            std::string(value));
                           })
                    .ok());
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"alpha:kept=2", "beta:index/1=new", "beta:index/2=b"}));
  EXPECT_EQ(store->ReadCheckpoint()->next, log::Position{9});
}

TEST(ProjectionStore, ABulkLoadDeletesRowsItHadAlreadyWrittenOut) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path());
  StoreBatch batch(*store, 1 << 20, /*store_starts_empty=*/true);
  ASSERT_TRUE(batch.Put("alpha", "a", "1").ok());
  ASSERT_TRUE(batch.Put("alpha", "b", "1").ok());
  ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
  ASSERT_TRUE(store->IngestStaged(batch).ok());
  EXPECT_EQ(*store->Get("alpha", "a"), std::optional<std::string>("1"));
  // Now the batch no longer holds every row: it reads the store, and a delete must reach it.
  EXPECT_EQ(*batch.Get("alpha", "b"), std::optional<std::string>("1"));
  ASSERT_TRUE(batch.Delete("alpha", "a").ok());
  ASSERT_TRUE(store->Commit(batch, {log::Position{2}, {.applied = 2}}).ok());
  ASSERT_TRUE(store->IngestStaged(batch).ok());
  EXPECT_FALSE(store->Get("alpha", "a")->has_value());
  EXPECT_EQ(*store->Get("alpha", "b"), std::optional<std::string>("1"));
}

TEST(ProjectionStore, ABulkLoadRefusesARowWrittenBothWaysAndCommitsAfterLosingRows) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path());
  {
    StoreBatch batch(*store, 1 << 20, /*store_starts_empty=*/true);
    ASSERT_TRUE(batch.Put("alpha", "k", "read").ok());
    ASSERT_TRUE(batch.PutWriteOnly("alpha", "k", "write-only").ok());
    ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
    auto ingested = store->IngestStaged(batch);
    EXPECT_EQ(ingested.code(), StatusCode::kInternal) << ingested.ToString();
  }
  StoreBatch batch(*store, 1 << 20, /*store_starts_empty=*/true);
  ASSERT_TRUE(batch.Put("beta", "k", "v").ok());
  ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
  batch.Reset();  // after a failed batch: the kept row of the committed one is gone
  auto committed = store->Commit(batch, {log::Position{2}, {.applied = 2}});
  EXPECT_EQ(committed.code(), StatusCode::kFailedPrecondition) << committed.ToString();
}

}  // namespace
}  // namespace ledgerdesk::projections
