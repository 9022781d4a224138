#pragma once

// A directory under the system temp dir, removed with everything in it when the object goes.
// It is made inside a directory of its own, which goes too: what code puts beside a directory it is
// given (the projection store's `.lock`, a rebuild's `.rebuilding`) must not outlive the test.

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
  std::filesystem::path root_;  // holds path_ and whatever is put beside it
  std::filesystem::path path_;
};

}  // namespace ledgerdesk::testing
