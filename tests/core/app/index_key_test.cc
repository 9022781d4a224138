#include "core/app/index_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace ledgerdesk::app {
namespace {

TEST(IndexKeyTest, CreatedOnceThenReadBack) {
  testing::TempDir dir;
  const auto file = dir.path() / "keys" / "email-index.key";
  auto first = LoadOrCreateIndexKey(file);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 32u);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto again = LoadOrCreateIndexKey(file);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
}

TEST(IndexKeyTest, AKeyFileOfTheWrongSizeIsDataLoss) {
  testing::TempDir dir;
  const auto file = dir.path() / "email-index.key";
  std::ofstream(file) << "short";
  EXPECT_EQ(LoadOrCreateIndexKey(file).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledgerdesk::app
