// The log factory: which subject key store a data dir gets, and clear errors for a KEYS-FROM file
// (an audit replay of a Kafka log names its key topic there) that cannot be used.

#include "core/log/log_factory.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace ledgerdesk::log {
namespace {

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(LogFactoryTest, AnEmbeddedDataDirKeepsItsKeysInFiles) {
  testing::TempDir dir;
  auto keys = OpenSubjectKeyStore({.data_dir = dir.path()});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  auto key = (*keys)->GetOrCreate("account-1");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "keys" / (key->key_id + ".key")));
}

TEST(LogFactoryTest, AKeysFromFileWithAnUnknownSettingOrNoBrokersIsRefusedByName) {
  testing::TempDir dir;
  WriteFile(dir.path() / kKeysFromFile, "brokers 127.0.0.1:9\nkey_topik ledgerdesk.keys\n");
  auto unknown = OpenSubjectKeyStore({.data_dir = dir.path()});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("unknown setting 'key_topik'"), std::string::npos)
      << unknown.status().message();

  WriteFile(dir.path() / kKeysFromFile, "key_topic ledgerdesk.keys\n");
  auto no_brokers = OpenSubjectKeyStore({.data_dir = dir.path()});
  ASSERT_FALSE(no_brokers.ok());
  EXPECT_EQ(no_brokers.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_brokers.status().message().find("names no brokers"), std::string::npos)
      << no_brokers.status().message();
}

TEST(LogFactoryTest, KeysFromNamesTheSourcesKeyTopic) {
  testing::TempDir dir;
  ASSERT_TRUE(
      WriteKeysFrom(
          {.backend = Backend::kKafka, .brokers = "127.0.0.1:9092", .key_topic = "acme.keys"},
          dir.path())
          .ok());
  std::ifstream in(dir.path() / kKeysFromFile);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "brokers 127.0.0.1:9092\nkey_topic acme.keys\n");
}

}  // namespace
}  // namespace ledgerdesk::log
