// The store: batches read their own writes, commits are atomic with the checkpoint, the digest
// covers projection rows only.

#include "projections/store.h"

#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "projections/event_counts_projection.h"
#include "projections/memory_rows.h"
#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"
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

std::string Serialized(const std::string& organization, const std::string& opener) {
  rows::TicketSubjectsRow::Opening row;
  row.set_organization_id(organization);
  row.set_opener_account_id(opener);
  return row.SerializeAsString();
}

TEST(ProjectionStore, ARowEditedParsedIsWrittenAsItsSerializationAndStaysParsedAfterCommits) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  StoreBatch batch(*store);
  // Absent and not created: nothing, and nothing staged.
  auto absent =
      rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t", /*create=*/false);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, nullptr);
  EXPECT_EQ(*rows::FindRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t"), nullptr);
  EXPECT_EQ(batch.staged(), 0u);
  // Created, edited in place: Get sees the serialization before any commit.
  auto* row =
      *rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t", /*create=*/true);
  ASSERT_NE(row, nullptr);
  row->set_organization_id("o1");
  EXPECT_EQ(*batch.Get("alpha", "t"), std::optional<std::string>(Serialized("o1", "")));
  ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
  EXPECT_EQ(*store->Get("alpha", "t"), std::optional<std::string>(Serialized("o1", "")));
  // The cached message is edited again after the commit, and written again by the next one.
  auto* again =
      *rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t", /*create=*/false);
  EXPECT_EQ(again, row);
  again->set_opener_account_id("alice");
  EXPECT_EQ(
      (*rows::FindRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t"))->opener_account_id(),
      "alice");
  ASSERT_TRUE(store->Commit(batch, {log::Position{2}, {.applied = 2}}).ok());
  EXPECT_EQ(*store->Get("alpha", "t"), std::optional<std::string>(Serialized("o1", "alice")));
  // Bytes put over it replace it; the next edit parses them.
  ASSERT_TRUE(batch.Put("alpha", "t", Serialized("o2", "bob")).ok());
  auto* reparsed = *rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t", false);
  EXPECT_EQ(reparsed->organization_id(), "o2");
  ASSERT_TRUE(batch.Delete("alpha", "t").ok());
  EXPECT_EQ(*rows::FindRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t"), nullptr);
  ASSERT_TRUE(store->Commit(batch, {log::Position{3}, {.applied = 3}}).ok());
  EXPECT_FALSE(store->Get("alpha", "t")->has_value());
}

TEST(ProjectionStore, FilesHoldCountsTheRowsAndBytesOfTheStoresFiles) {
  // The same commit with and without 1 000 rows of 20-byte keys and 300-byte values: the files
  // differ by exactly those (the checkpoint row is in both).
  auto files_after = [](const std::filesystem::path& dir, int rows) {
    auto store = OpenStore(dir);
    StoreBatch batch(*store);
    for (int i = 0; i < rows; ++i) {
      char key[21];
      std::snprintf(key, sizeof key, "row-%016d", i);
      EXPECT_TRUE(batch.Put(i % 2 == 0 ? "alpha" : "beta", key, std::string(300, 'v')).ok());
    }
    EXPECT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
    EXPECT_EQ(store->FilesHold()->entries, 0u) << "rows still in memtables are not counted";
    EXPECT_TRUE(store->Flush().ok());
    auto held = store->FilesHold();
    EXPECT_TRUE(held.ok()) << held.status().ToString();
    return held.ok() ? *held : Store::FileContents{};
  };
  testing::TempDir dir;
  const Store::FileContents none = files_after(dir.path() / "none", 0);
  const Store::FileContents some = files_after(dir.path() / "some", 1000);
  EXPECT_EQ(some.entries - none.entries, 1000u);
  EXPECT_EQ(some.key_bytes - none.key_bytes, 1000u * 20);
  EXPECT_EQ(some.value_bytes - none.value_bytes, 1000u * 300);
  EXPECT_GT(some.data_bytes, none.data_bytes);
}

TEST(ProjectionStore, ARowAskedForAsTwoTypesOrNotParsingIsAnError) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  StoreBatch batch(*store);
  ASSERT_TRUE(rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "alpha", "t", true).ok());
  auto other = rows::EditRow<rows::PostingsRow>(batch, "alpha", "t", true);
  EXPECT_EQ(other.status().code(), StatusCode::kInternal) << other.status().ToString();
  ASSERT_TRUE(batch.Put("beta", "junk", "\xff\xff").ok());
  auto junk = rows::FindRow<rows::TicketSubjectsRow::Opening>(batch, "beta", "junk");
  EXPECT_EQ(junk.status().code(), StatusCode::kDataLoss) << junk.status().ToString();
  // Asked again, the bytes are still the row: the same error, not a half-parsed message.
  auto again = rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "beta", "junk", false);
  EXPECT_EQ(again.status().code(), StatusCode::kDataLoss) << again.status().ToString();
}

TEST(ProjectionStore, KeysLongerThanTheCachesInlineRoomWork) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path());
  StoreBatch batch(*store);
  const std::string longer(300, 'k');
  ASSERT_TRUE(batch.Put("alpha", longer, "v").ok());
  ASSERT_TRUE(batch.Put("alpha", longer + "2", "w").ok());
  EXPECT_EQ(*batch.Get("alpha", longer), std::optional<std::string>("v"));
  ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
  EXPECT_EQ(*store->Get("alpha", longer + "2"), std::optional<std::string>("w"));
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

// A projection set that no longer has a projection (serve dropped event_counts) opens a store
// written with it: the left-behind column family is neither read nor counted in the digest.
TEST(ProjectionStore, AColumnFamilyNoProjectionOwnsAnyMoreIsLeftOutOfTheDigest) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.path(), {"alpha", "gone"});
    StoreBatch batch(*store);
    ASSERT_TRUE(batch.Put("alpha", "a", "1").ok());
    ASSERT_TRUE(batch.Put("gone", "g", "2").ok());
    ASSERT_TRUE(store->Commit(batch, {log::Position{2}, {.applied = 2}}).ok());
  }
  auto store = OpenStore(dir.path(), {"alpha"});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->column_families(), std::vector<std::string>{"alpha"});
  EXPECT_TRUE(store->incomplete_column_families().empty());
  EXPECT_EQ(*Digest(*store), [] {
    MemoryRows only;
    EXPECT_TRUE(only.Put("alpha", "a", "1").ok());
    return only.Digest({"alpha"});
  }());
  EXPECT_EQ(store->ReadCheckpoint()->next, log::Position{2});
  StoreBatch batch(*store);
  EXPECT_FALSE(batch.Put("gone", "g", "3").ok());  // not one of the store's projection families
  ASSERT_TRUE(batch.Put("alpha", "b", "4").ok());
  EXPECT_TRUE(store->Commit(batch, {log::Position{3}, {.applied = 3}}).ok());
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

TEST(ProjectionStore, ReplaceRowsPutsTheSourcesRowsInPlaceAtOnceAndKeepsTheCheckpoint) {
  testing::TempDir dir;
  auto store = OpenStore(dir.path() / "store");
  auto source = OpenStore(dir.path() / "source", {"alpha"});
  {
    StoreBatch batch(*store);
    for (const char* key : {"changed", "gone", "same"})
      ASSERT_TRUE(batch.Put("alpha", key, "old").ok());
    ASSERT_TRUE(batch.Put("beta", "other", "untouched").ok());
    ASSERT_TRUE(store->Commit(batch, {log::Position{7}, {.applied = 7}}).ok());
  }
  {
    StoreBatch batch(*source);
    ASSERT_TRUE(batch.Put("alpha", "changed", "new").ok());
    ASSERT_TRUE(batch.Put("alpha", "same", "old").ok());
    ASSERT_TRUE(batch.Put("alpha", "added", "new").ok());
    ASSERT_TRUE(source->Commit(batch, {log::Position{7}, {.applied = 7}}).ok());
  }
  auto before = store->Reader();  // a snapshot: the old rows, whatever happens after
  ASSERT_TRUE(store->ReplaceRows(*source, {"alpha"}).ok());
  EXPECT_EQ(*before->Get("alpha", "gone"), std::optional<std::string>("old"));

  auto rows_of = [&](std::string_view cf) {
    std::vector<std::string> rows;
    EXPECT_TRUE(store
                    ->Scan(cf,
                           [&](std::string_view key, std::string_view value) {
                             rows.push_back(std::string(key) + "=" + std::string(value));
                           })
                    .ok());
    return rows;
  };
  EXPECT_EQ(rows_of("alpha"), (std::vector<std::string>{"added=new", "changed=new", "same=old"}));
  EXPECT_EQ(rows_of("beta"), (std::vector<std::string>{"other=untouched"}));
  EXPECT_EQ(store->ReadCheckpoint()->next, log::Position{7});
  EXPECT_TRUE(store->ReplaceRows(*source, {"alpha"}).ok());  // nothing differs: nothing to write
  EXPECT_EQ(rows_of("alpha").size(), 3u);
  EXPECT_EQ(store->ReplaceRows(*source, {"beta"}).code(), StatusCode::kInvalidArgument);

  before.reset();
  store.reset();
  store = OpenStore(dir.path() / "store");  // durable: ingested files, not the WAL
  EXPECT_EQ(rows_of("alpha"), (std::vector<std::string>{"added=new", "changed=new", "same=old"}));
}

// Bulk loading (a rebuild's store): rows stay in the batch across commits and are written as SST
// files; a Reset that drops kept rows makes later commits fail instead of losing them silently.
std::unique_ptr<Store> OpenBulkStore(const std::filesystem::path& dir,
                                     size_t file_bytes = 32u << 20) {
  auto store = Store::Open({.dir = dir,
                            .column_families = {"alpha", "beta"},
                            .bulk_load = true,
                            .bulk_file_bytes = file_bytes});
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

// The budget is memory as the kernel counts it, not the rows' bytes: parsed rows (here postings
// lists of 8 MB each, whose bytes the batch's own count never sees) fill it too.
TEST(ProjectionStore, ABulkLoadWritesItsRowsOutOnceTheProcessMemoryOutgrowsTheBudget) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path());
  constexpr size_t kBudget = 16u << 20;
  StoreBatch batch(*store, kBudget, /*store_starts_empty=*/true);
  ASSERT_TRUE(batch.Put("alpha", "plain", std::string(3u << 20, 'p')).ok());  // over kBudget / 8
  ASSERT_TRUE(store->Commit(batch, {log::Position{1}, {.applied = 1}}).ok());
  EXPECT_FALSE(batch.OverMemoryBudget());
  EXPECT_FALSE(store->Get("alpha", "plain")->has_value());  // kept in the batch

  for (int row = 0; row < 6; ++row) {
    auto postings =
        rows::EditRow<rows::PostingsRow>(batch, "beta", "postings/" + std::to_string(row),
                                         /*create=*/true);
    ASSERT_TRUE(postings.ok()) << postings.status().ToString();
    for (uint32_t offset = 0; offset < (2u << 20); ++offset) (*postings)->add_offsets(offset);
  }
  EXPECT_TRUE(batch.OverMemoryBudget());
  ASSERT_TRUE(store->Commit(batch, {log::Position{2}, {.applied = 2}}).ok());
  EXPECT_EQ(batch.write_outs(), 1u);
  EXPECT_FALSE(batch.OverMemoryBudget());
  EXPECT_EQ(store->Get("alpha", "plain")->value_or("").size(), 3u << 20);
  auto written = store->Get("beta", "postings/5");
  ASSERT_TRUE(written.ok() && written->has_value());
  rows::PostingsRow postings;
  ASSERT_TRUE(postings.ParseFromString(**written));
  EXPECT_EQ(postings.offsets_size(), 2 << 20);
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

TEST(ProjectionStore, ABulkLoadWritesLargeColumnFamiliesAsSeveralFilesInKeyOrder) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path(), /*file_bytes=*/4096);
  StoreBatch batch(*store, 64 << 20, /*store_starts_empty=*/true);
  MemoryRows expected;
  for (int i = 0; i < 3000; ++i) {
    // Keys out of order, long ones among them; rows of all three kinds.
    const std::string key =
        std::to_string((i * 7919) % 3000) + std::string(i % 7 == 0 ? 150 : 8, 'k');
    const std::string value(40, static_cast<char>('a' + i % 26));
    if (i % 3 == 0) {
      ASSERT_TRUE(batch.Put("alpha", key, value).ok());
      ASSERT_TRUE(expected.Put("alpha", key, value).ok());
    } else if (i % 3 == 1) {
      ASSERT_TRUE(batch.PutWriteOnly("alpha", key, value).ok());
      ASSERT_TRUE(expected.Put("alpha", key, value).ok());
    } else {
      auto* row = *rows::EditRow<rows::TicketSubjectsRow::Opening>(batch, "beta", key, true);
      row->set_organization_id(value);
      ASSERT_TRUE(expected.Put("beta", key, row->SerializeAsString()).ok());
    }
  }
  ASSERT_TRUE(store->Commit(batch, {log::Position{3000}, {.applied = 3000}}).ok());
  ASSERT_TRUE(store->IngestStaged(batch).ok());
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    files += entry.path().extension() == ".sst";
  }
  EXPECT_GT(files, 10u);  // about 140 KiB of rows in files of 4 KiB
  MemoryRows got;
  for (const char* cf : {"alpha", "beta"}) {
    ASSERT_TRUE(store
                    ->Scan(cf, [&](std::string_view key,
                                   std::string_view value) { (void)got.Put(cf, key, value); })
                    .ok());
  }
  EXPECT_EQ(got.tables(), expected.tables());
  EXPECT_EQ(Digest(*store).value(), expected.Digest({"alpha", "beta"}));
}

// A bulk load and MemoryRows (the rows Delete + Put give: RowSink's own MoveIndexEntry) taking the
// same steps on owners in "alpha" (TicketSubjectsRow::Opening) and their index entries.
class IndexEntrySteps {
 public:
  explicit IndexEntrySteps(const std::filesystem::path& dir)
      : store_(OpenBulkStore(dir)), batch_(*store_, 64 << 20, /*store_starts_empty=*/true) {}

  void Both(const std::function<Status(RowSink&)>& step) {
    ASSERT_TRUE(step(batch_).ok());
    ASSERT_TRUE(step(expected_).ok());
  }
  void Edit(std::string_view owner, std::string_view organization) {
    Both([=](RowSink& rows) -> Status {
      LD_ASSIGN_OR_RETURN(auto* row, rows::EditRow<rows::TicketSubjectsRow::Opening>(
                                         rows, "alpha", owner, /*create=*/true));
      row->set_organization_id(std::string(organization));
      return OkStatus();
    });
  }
  void Move(std::string_view owner, std::optional<std::string_view> from,
            std::optional<std::string_view> to,
            RowSink::IndexValue value = RowSink::IndexValue::kEmpty) {
    Both([=](RowSink& rows) { return rows.MoveIndexEntry("alpha", owner, from, to, value); });
  }
  // Commits and writes the batch's rows out.
  void WriteOut(uint64_t position) {
    ASSERT_TRUE(store_->Commit(batch_, {log::Position{position}, {.applied = position}}).ok());
    ASSERT_TRUE(store_->IngestStaged(batch_).ok());
  }
  std::string ExpectedDigest() const { return expected_.Digest({"alpha", "beta"}); }

  Store& store() { return *store_; }
  StoreBatch& batch() { return batch_; }

 private:
  std::unique_ptr<Store> store_;
  StoreBatch batch_;
  MemoryRows expected_;
};

// An index entry a bulk load keeps with its owner row ends where the fold last moved it, as the
// same rows Delete + Put give (MemoryRows, the default), also across a write-out, after the owner
// is deleted, and never when moved from where it is not.
TEST(ProjectionStore, ABulkLoadKeepsIndexEntriesWithTheirOwnersAndWritesTheLastOne) {
  testing::TempDir dir;
  IndexEntrySteps steps(dir.path());
  steps.Edit("row/a", "o1");
  steps.Move("row/a", std::nullopt, "index/1/a");
  steps.Edit("row/b", "o1");
  steps.Move("row/b", std::nullopt, "index/1/b");
  steps.Edit("row/a", "o2");
  steps.Move("row/a", "index/1/a", "index/2/a");
  steps.Edit("row/c", "o1");
  steps.Move("row/c", std::nullopt, "index/1/c");
  steps.Move("row/c", "index/1/c", std::nullopt);                           // c has no entry now
  steps.Both([](RowSink& rows) { return rows.Delete("alpha", "row/b"); });  // b's entry stays
  EXPECT_EQ(steps.batch().MoveIndexEntry("alpha", "row/a", "index/1/a", "index/3/a").code(),
            StatusCode::kInternal);
  steps.WriteOut(1);  // the entries are rows now
  EXPECT_EQ(*steps.store().Get("alpha", "index/2/a"), std::optional<std::string>(""));
  EXPECT_EQ(Digest(steps.store()).value(), steps.ExpectedDigest());

  steps.Edit("row/a", "o3");  // read back from the store: its entry is a row of its own
  steps.Move("row/a", "index/2/a", "index/3/a");
  steps.Edit("row/d", "o3");
  steps.Both([](RowSink& rows) { return rows.Delete("alpha", "index/1/b"); });  // the written row
  steps.Move("row/d", std::nullopt, "index/1/b");  // and there again: one row, no delete
  steps.WriteOut(2);
  EXPECT_FALSE(steps.store().Get("alpha", "index/2/a")->has_value());
  EXPECT_EQ(Digest(steps.store()).value(), steps.ExpectedDigest());
}

// An entry that copies its owner row (RowSink::IndexValue::kOwnerRow) holds the owner's bytes as
// of its last move, as Get + Put give: also when the owner is overwritten or deleted afterwards.
TEST(ProjectionStore, ABulkLoadWritesCopyingIndexEntriesAsTheirOwnersWereAtTheirLastMove) {
  testing::TempDir dir;
  IndexEntrySteps steps(dir.path());
  constexpr auto kCopy = RowSink::IndexValue::kOwnerRow;
  steps.Edit("row/a", "o1");
  steps.Move("row/a", std::nullopt, "open/a", kCopy);
  steps.Edit("row/a", "o2");
  steps.Move("row/a", "open/a", "open/a",
             kCopy);  // the same key, the owner changed: the copy follows
  steps.Edit("row/b", "o1");
  steps.Move("row/b", std::nullopt, "open/b", kCopy);
  steps.Both([](RowSink& rows) { return rows.Put("alpha", "row/b", "overwritten"); });
  steps.Edit("row/c", "o1");
  steps.Move("row/c", std::nullopt, "open/c", kCopy);
  steps.Both([](RowSink& rows) { return rows.Delete("alpha", "row/c"); });
  steps.Edit("row/d", "o1");
  steps.Move("row/d", std::nullopt, "open/d", kCopy);
  steps.Move("row/d", "open/d", std::nullopt, kCopy);  // closed: no entry
  steps.WriteOut(1);
  Store& store = steps.store();
  EXPECT_EQ(*store.Get("alpha", "open/a"), std::optional<std::string>(Serialized("o2", "")));
  EXPECT_EQ(*store.Get("alpha", "open/b"), std::optional<std::string>(Serialized("o1", "")));
  EXPECT_EQ(*store.Get("alpha", "open/c"), std::optional<std::string>(Serialized("o1", "")));
  EXPECT_FALSE(store.Get("alpha", "open/d")->has_value());
  EXPECT_EQ(Digest(store).value(), steps.ExpectedDigest());
}

// Random owners editing, moving their entries of both kinds and being deleted, with write-outs
// between: the store ends with the rows Delete + Put give.
TEST(ProjectionStore, ABulkLoadWithWriteOutsMovesIndexEntriesLikeDeleteAndPut) {
  testing::TempDir dir;
  IndexEntrySteps steps(dir.path());
  std::mt19937_64 random(5);
  std::map<std::string, std::optional<std::string>> entry_of;  // owner -> its entry's key
  for (int step = 0; step < 3000; ++step) {
    SCOPED_TRACE(step);
    const std::string owner = "row/" + std::to_string(random() % 40);
    // An owner keeps one kind of entry: the kind follows the owner.
    const auto kind = std::hash<std::string>()(owner) % 2 == 0 ? RowSink::IndexValue::kEmpty
                                                               : RowSink::IndexValue::kOwnerRow;
    std::optional<std::string>& entry = entry_of[owner];
    const uint64_t what = random() % 10;
    const std::string key = "index/" + std::to_string(random() % 4) + "/" + owner;
    if (what == 0) {
      steps.Both([&](RowSink& rows) { return rows.Delete("alpha", owner); });
    } else {
      std::string value = "o";  // not "o" + ...: GCC 12 warns falsely (-Wrestrict) on that
      value += std::to_string(step);
      steps.Edit(owner, value);
      steps.Move(owner, entry, what == 1 ? std::nullopt : std::optional<std::string_view>(key),
                 kind);
    }
    // A deleted owner's entry stays, as a row the owner no longer knows.
    entry = what > 1 ? std::optional<std::string>(key) : std::nullopt;
    if (step % 500 == 499) {
      steps.WriteOut(1);
      ASSERT_EQ(Digest(steps.store()).value(), steps.ExpectedDigest());
    }
  }
}

// The compression of every table file in `dir`, by column family ("NoCompression", "LZ4", ...).
std::map<std::string, std::set<std::string>> CompressionOfFiles(const std::filesystem::path& dir) {
  std::map<std::string, std::set<std::string>> compression;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sst") continue;
    rocksdb::SstFileReader reader{rocksdb::Options()};
    EXPECT_TRUE(reader.Open(entry.path().string()).ok()) << entry.path();
    const auto properties = reader.GetTableProperties();
    compression[properties->column_family_name].insert(properties->compression_name);
  }
  return compression;
}

// Ciphertext is written as it is; rows that repeat themselves are compressed (when RocksDB was
// built with a compression at all), and both read back the same.
TEST(ProjectionStore, ABulkLoadCompressesOnlyTheFilesWhoseRowsCompress) {
  testing::TempDir dir;
  auto store = OpenBulkStore(dir.path(), /*file_bytes=*/64 << 10);
  StoreBatch batch(*store, 64 << 20, /*store_starts_empty=*/true);
  std::mt19937_64 random(7);
  MemoryRows expected;
  for (int i = 0; i < 2000; ++i) {
    std::string ciphertext(300, '\0');
    for (char& byte : ciphertext) byte = static_cast<char>(random());
    const std::string key = "message/" + std::to_string(10000 + i);
    const std::string notice = "engineer_reply ticket 0123456789abcdef " + std::to_string(i % 10);
    ASSERT_TRUE(batch.PutWriteOnly("alpha", key, ciphertext).ok());
    ASSERT_TRUE(batch.PutWriteOnly("beta", key, notice).ok());
    ASSERT_TRUE(expected.Put("alpha", key, ciphertext).ok());
    ASSERT_TRUE(expected.Put("beta", key, notice).ok());
  }
  ASSERT_TRUE(store->Commit(batch, {log::Position{2000}, {.applied = 2000}}).ok());
  ASSERT_TRUE(store->IngestStaged(batch).ok());

  const auto compression = CompressionOfFiles(dir.path());
  EXPECT_EQ(compression.at("alpha"), std::set<std::string>{"NoCompression"});
  const auto supported = rocksdb::GetSupportedCompressions();
  const bool compresses = std::any_of(supported.begin(), supported.end(), [](auto type) {
    return type == rocksdb::kLZ4Compression || type == rocksdb::kSnappyCompression;
  });
  if (compresses) {
    EXPECT_EQ(compression.at("beta").count("NoCompression"), 0u);
  }
  EXPECT_EQ(Digest(*store).value(), expected.Digest({"alpha", "beta"}));
}

TEST(MemoryRows, RowsEditedParsedShowInTheTablesAndBytesPutOverThemWin) {
  MemoryRows rows;
  auto* row = *rows::EditRow<rows::TicketSubjectsRow::Opening>(rows, "alpha", "t", /*create=*/true);
  row->set_organization_id("o1");
  EXPECT_EQ(rows.rows("alpha").at("t"), Serialized("o1", ""));
  row->set_opener_account_id("alice");  // still the sink's message: the next read sees it
  EXPECT_EQ(*rows.Get("alpha", "t"), std::optional<std::string>(Serialized("o1", "alice")));
  ASSERT_TRUE(rows.Put("alpha", "t", Serialized("o2", "")).ok());
  EXPECT_EQ(
      (*rows::FindRow<rows::TicketSubjectsRow::Opening>(rows, "alpha", "t"))->organization_id(),
      "o2");
  EXPECT_EQ(*rows::EditRow<rows::TicketSubjectsRow::Opening>(rows, "beta", "none", false), nullptr);
  EXPECT_FALSE(rows.Holds("beta", "none"));
  EXPECT_TRUE(rows.rows("beta").empty());
}

}  // namespace
}  // namespace ledgerdesk::projections
