#include "core/crypto/subject_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/log/kafka_key_store.h"
#include "core/log/kafka_mock_cluster.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::crypto {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::set<std::string> FileNames(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

mode_t Mode(const fs::path& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

// The contract every store keeps, run against the in-memory, the file-backed and the Kafka one.
class SubjectKeyStoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      store_ = NewInMemorySubjectKeyStore();
    } else if (GetParam() == "kafka") {
      auto cluster = log::MockKafkaCluster::Start(1);
      ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
      cluster_ = std::move(*cluster);
      ASSERT_TRUE(cluster_->CreateTopic("keys", 1).ok());
      auto store = log::OpenKafkaSubjectKeyStore({.brokers = cluster_->bootstrap_servers(),
                                                  .topic = "keys",
                                                  .timeout = std::chrono::milliseconds(5000),
                                                  .kek_file = dir_.path() / "kek.key"});
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      store_ = std::move(*store);
    } else {
      Result<std::unique_ptr<SubjectKeyStore>> store =
          OpenFileSubjectKeyStore(dir_.path() / "keys");
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      store_ = std::move(*store);
    }
  }

  ledgerdesk::testing::TempDir dir_;
  std::unique_ptr<log::MockKafkaCluster> cluster_;
  std::unique_ptr<SubjectKeyStore> store_;  // last: goes before the cluster
};

TEST_P(SubjectKeyStoreContractTest, CreatesAKeyOnFirstUseAndReturnsItAfterwards) {
  Result<SubjectKey> first = store_->GetOrCreate("account-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->key_id.size(), 32u);
  EXPECT_EQ(first->key_id.find_first_not_of("0123456789abcdef"), std::string::npos);
  Result<SubjectKey> again = store_->GetOrCreate("account-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key_id, first->key_id);
  EXPECT_EQ(again->key.bytes(), first->key.bytes());
}

TEST_P(SubjectKeyStoreContractTest, GivesEachSubjectItsOwnKey) {
  const SubjectKey one = *store_->GetOrCreate("account-1");
  const SubjectKey two = *store_->GetOrCreate("account-2");
  EXPECT_NE(one.key_id, two.key_id);
  EXPECT_NE(one.key.bytes(), two.key.bytes());
}

TEST_P(SubjectKeyStoreContractTest, FindsKeysById) {
  const SubjectKey key = *store_->GetOrCreate("account-1");
  Result<SubjectKey> found = store_->Get(key.key_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->key.bytes(), key.key.bytes());
  EXPECT_EQ(store_->Get("0123456789abcdef0123456789abcdef").status().code(), StatusCode::kNotFound);
}

TEST_P(SubjectKeyStoreContractTest, SealsAndOpensThroughTheStore) {
  const SubjectKey key = *store_->GetOrCreate("account-1");
  const SealedValue sealed = *Seal(key, "Jan Kowalski", "account-1/name");
  Result<std::string> opened = OpenSealed(*store_, sealed, "account-1/name");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "Jan Kowalski");
}

TEST_P(SubjectKeyStoreContractTest, DestroyingTheKeyErasesTheData) {
  const SubjectKey key = *store_->GetOrCreate("account-1");
  const SubjectKey other = *store_->GetOrCreate("account-2");
  const SealedValue sealed = *Seal(key, "Jan Kowalski", "");
  const SealedValue kept = *Seal(other, "Anna Nowak", "");
  ASSERT_TRUE(store_->Destroy("account-1").ok());

  Result<std::string> opened = OpenSealed(*store_, sealed, "");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(opened.status().message(), HasSubstr("destroyed"));
  EXPECT_EQ(store_->Get(key.key_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*OpenSealed(*store_, kept, ""), "Anna Nowak");  // others are untouched
}

TEST_P(SubjectKeyStoreContractTest, DestroyTwiceReportsNotFound) {
  ASSERT_TRUE(store_->GetOrCreate("account-1").ok());
  ASSERT_TRUE(store_->Destroy("account-1").ok());
  EXPECT_EQ(store_->Destroy("account-1").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Destroy("never-seen").code(), StatusCode::kNotFound);
}

TEST_P(SubjectKeyStoreContractTest, ANewKeyAfterDestructionHasANewId) {
  const SubjectKey old_key = *store_->GetOrCreate("account-1");
  const SealedValue sealed = *Seal(old_key, "Jan", "");
  ASSERT_TRUE(store_->Destroy("account-1").ok());
  const SubjectKey new_key = *store_->GetOrCreate("account-1");
  EXPECT_NE(new_key.key_id, old_key.key_id);
  // The old value still reads as erased, not as corrupt.
  EXPECT_EQ(OpenSealed(*store_, sealed, "").status().code(), StatusCode::kNotFound);
}

TEST_P(SubjectKeyStoreContractTest, AKeyMarkedDestroyedElsewhereReadsAsErased) {
  const SubjectKey key = *store_->GetOrCreate("account-1");
  const SubjectKey other = *store_->GetOrCreate("account-2");
  store_->MarkDestroyed(key.key_id);
  EXPECT_EQ(store_->Get(key.key_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Get(other.key_id).ok());
  // The erasure that marked it then destroys it where the keys live: still found for that.
  EXPECT_TRUE(store_->Destroy("account-1").ok());
  if (GetParam() == "file") {
    EXPECT_FALSE(FileNames(dir_.path() / "keys").contains(key.key_id + ".key"));
  }
  EXPECT_NE(store_->GetOrCreate("account-1")->key_id, key.key_id);
  // Another key id that never existed: nothing to forget, still not found.
  store_->MarkDestroyed("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(store_->Get("0123456789abcdef0123456789abcdef").status().code(), StatusCode::kNotFound);
}

TEST_P(SubjectKeyStoreContractTest, ValidatesIds) {
  for (const std::string& subject : {std::string(""), std::string("a b"), std::string("a\nb"),
                                     std::string(201, 'a'), std::string("konto-ł")}) {
    EXPECT_EQ(store_->GetOrCreate(subject).status().code(), StatusCode::kInvalidArgument)
        << subject;
    EXPECT_EQ(store_->Destroy(subject).code(), StatusCode::kInvalidArgument) << subject;
  }
  EXPECT_TRUE(store_->GetOrCreate(std::string(200, 'a')).ok());
  for (const char* key_id : {"", "../../etc/passwd", "0123456789ABCDEF0123456789ABCDEF",
                             "0123456789abcdef0123456789abcde"}) {
    EXPECT_EQ(store_->Get(key_id).status().code(), StatusCode::kInvalidArgument) << key_id;
  }
}

TEST_P(SubjectKeyStoreContractTest, CreatesOneKeyPerSubjectUnderConcurrency) {
  std::vector<std::string> key_ids(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < key_ids.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<SubjectKey> key = store_->GetOrCreate("account-shared");
      key_ids[i] = key.ok() ? key->key_id : "error";
      ASSERT_TRUE(store_->GetOrCreate("account-" + std::to_string(i)).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::set<std::string>(key_ids.begin(), key_ids.end()).size(), 1u);
  EXPECT_NE(key_ids[0], "error");
}

INSTANTIATE_TEST_SUITE_P(Stores, SubjectKeyStoreContractTest,
                         ::testing::Values("memory", "file", "kafka"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

class FileSubjectKeyStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SubjectKeyStore> Open() {
    Result<std::unique_ptr<SubjectKeyStore>> store = OpenFileSubjectKeyStore(keys_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  ledgerdesk::testing::TempDir dir_;
  const fs::path keys_ = dir_.path() / "data" / "keys";
};

TEST_F(FileSubjectKeyStoreTest, KeepsKeysAcrossReopening) {
  SealedValue sealed;
  std::string key_id;
  {
    auto store = Open();
    const SubjectKey key = *store->GetOrCreate("account-1");
    key_id = key.key_id;
    sealed = *Seal(key, "jan@example.pl", "");
  }
  auto store = Open();
  EXPECT_EQ(*OpenSealed(*store, sealed, ""), "jan@example.pl");
  EXPECT_EQ(store->GetOrCreate("account-1")->key_id, key_id);
}

TEST_F(FileSubjectKeyStoreTest, WritesOnePrivateFilePerKeyInAPrivateDirectory) {
  auto store = Open();
  const SubjectKey one = *store->GetOrCreate("account-1");
  const SubjectKey two = *store->GetOrCreate("account-2");
  EXPECT_EQ(FileNames(keys_), (std::set<std::string>{one.key_id + ".key", two.key_id + ".key"}));
  EXPECT_EQ(Mode(keys_), 0700u);
  EXPECT_EQ(Mode(keys_ / (one.key_id + ".key")), 0600u);
}

TEST_F(FileSubjectKeyStoreTest, DestroyRemovesTheFileForGood) {
  const SealedValue sealed = [&] {
    auto store = Open();
    const SubjectKey key = *store->GetOrCreate("account-1");
    EXPECT_TRUE(store->GetOrCreate("account-2").ok());
    SealedValue value = *Seal(key, "Jan", "");
    EXPECT_TRUE(store->Destroy("account-1").ok());
    EXPECT_FALSE(fs::exists(keys_ / (key.key_id + ".key")));
    EXPECT_EQ(FileNames(keys_).size(), 1u);
    return value;
  }();
  auto store = Open();
  EXPECT_EQ(OpenSealed(*store, sealed, "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Destroy("account-1").code(), StatusCode::kNotFound);
}

TEST_F(FileSubjectKeyStoreTest, RemovesLeftoverTemporaryFilesOnOpen) {
  { auto store = Open(); }
  std::ofstream(keys_ / "0123456789abcdef0123456789abcdef.key.tmp") << "half written";
  auto store = Open();
  EXPECT_TRUE(FileNames(keys_).empty());
}

TEST_F(FileSubjectKeyStoreTest, IgnoresUnrelatedFiles) {
  { auto store = Open(); }
  std::ofstream(keys_ / "README") << "keys live here";
  auto store = Open();
  EXPECT_TRUE(store->GetOrCreate("account-1").ok());
}

TEST_F(FileSubjectKeyStoreTest, ReportsAMalformedKeyFileAsDataLoss) {
  std::string key_id;
  {
    auto store = Open();
    key_id = store->GetOrCreate("account-1")->key_id;
  }
  std::ofstream(keys_ / (key_id + ".key"), std::ios::trunc)
      << "ledgerdesk-subject-key 1\nid " << key_id << "\nsubject x\nkey 00\n";
  Result<std::unique_ptr<SubjectKeyStore>> store = OpenFileSubjectKeyStore(keys_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
}

TEST_F(FileSubjectKeyStoreTest, ReportsAKeyFileUnderAnotherNameAsDataLoss) {
  std::string key_id;
  {
    auto store = Open();
    key_id = store->GetOrCreate("account-1")->key_id;
  }
  fs::rename(keys_ / (key_id + ".key"), keys_ / "00000000000000000000000000000000.key");
  Result<std::unique_ptr<SubjectKeyStore>> store = OpenFileSubjectKeyStore(keys_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
}

TEST_F(FileSubjectKeyStoreTest, ReportsAnUnusableDirectoryAsUnavailable) {
  std::ofstream(dir_.path() / "a-file") << "not a directory";
  Result<std::unique_ptr<SubjectKeyStore>> store =
      OpenFileSubjectKeyStore(dir_.path() / "a-file" / "keys");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ledgerdesk::crypto
