#pragma once

// A directory under the system temp dir, removed with everything in it when the object goes.

#include <filesystem>
#include <string>

namespace ledgerdesk::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "ledgerdesk-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ledgerdesk::testing
