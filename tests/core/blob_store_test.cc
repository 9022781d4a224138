#include "core/blobs/blob_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "core/log/envelope_codec.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::blobs {
namespace {

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = BlobStore::Open(dir_.path() / "blobs");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  testing::TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(BlobStoreTest, StoresByContentAndReadsBack) {
  auto ref = store_->Put("log line 1\nlog line 2\n");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->size, 22u);
  EXPECT_EQ(ref->sha256, log::Sha256("log line 1\nlog line 2\n"));
  EXPECT_TRUE(store_->Contains(ref->sha256));
  EXPECT_EQ(*store_->Get(ref->sha256), "log line 1\nlog line 2\n");
  // The same bytes again: the same blob.
  auto again = store_->Put("log line 1\nlog line 2\n");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256, ref->sha256);
}

TEST_F(BlobStoreTest, RefusesMoreThanTheLimitAndKeepsNothing) {
  std::istringstream big(std::string(1000, 'x'));
  auto refused = store_->Put(big, 999);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("larger than 999 bytes"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "blobs" / "tmp"));
  std::istringstream exact(std::string(999, 'x'));
  EXPECT_TRUE(store_->Put(exact, 999).ok());
}

TEST_F(BlobStoreTest, AnUnknownDigestIsNotFoundAndACorruptBlobIsDataLoss) {
  EXPECT_EQ(store_->Get(std::string(32, '\x01')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("short").status().code(), StatusCode::kInvalidArgument);
  auto ref = store_->Put("precious bytes");
  ASSERT_TRUE(ref.ok());
  std::ofstream(store_->PathOf(ref->sha256), std::ios::binary) << "tampered bytes";
  EXPECT_EQ(store_->Get(ref->sha256).status().code(), StatusCode::kDataLoss);
}

TEST_F(BlobStoreTest, DeleteRemovesTheBytes) {
  auto ref = store_->Put("erase me");
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(store_->Delete(ref->sha256).ok());
  EXPECT_FALSE(store_->Contains(ref->sha256));
  EXPECT_EQ(store_->Get(ref->sha256).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Delete(ref->sha256).ok());  // again: nothing to do
}

TEST_F(BlobStoreTest, ConcurrentPutsOfTheSameAndOtherBytes) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(store_->Put("shared").ok());
        ASSERT_TRUE(store_->Put("own " + std::to_string(t) + "/" + std::to_string(i)).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(*store_->Get(log::Sha256("shared")), "shared");
  EXPECT_EQ(*store_->Get(log::Sha256("own 7/19")), "own 7/19");
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "blobs" / "tmp"));
}

TEST_F(BlobStoreTest, AReplacedBlobAnswersItsReplacementAndItsOldBytesAreGone) {
  const std::string original = "transcript naming Jan Kowalski";
  auto ref = store_->Put(original);
  ASSERT_TRUE(ref.ok());
  auto first = store_->Replace(ref->sha256, "transcript naming [erased]");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->sha256, log::Sha256("transcript naming [erased]"));
  EXPECT_EQ(*store_->Get(ref->sha256), "transcript naming [erased]");
  EXPECT_TRUE(store_->Contains(ref->sha256));
  EXPECT_FALSE(std::filesystem::exists(store_->PathOf(ref->sha256)));  // the old bytes
  // Replaced again: the intermediate bytes go too.
  ASSERT_TRUE(store_->Replace(ref->sha256, "transcript naming [erased] twice").ok());
  EXPECT_EQ(*store_->Get(ref->sha256), "transcript naming [erased] twice");
  EXPECT_FALSE(store_->Contains(first->sha256));
  // Back to the very bytes it was named for: its own file again, no record.
  ASSERT_TRUE(store_->Replace(ref->sha256, original).ok());
  EXPECT_EQ(*store_->Get(ref->sha256), original);
  EXPECT_FALSE(store_->Contains(log::Sha256("transcript naming [erased] twice")));
  // Deleting removes the blob and any record.
  ASSERT_TRUE(store_->Replace(ref->sha256, "other").ok());
  ASSERT_TRUE(store_->Delete(ref->sha256).ok());
  EXPECT_FALSE(store_->Contains(ref->sha256));
  EXPECT_EQ(store_->Get(ref->sha256).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "blobs" / "tmp"));
}

}  // namespace
}  // namespace ledgerdesk::blobs
