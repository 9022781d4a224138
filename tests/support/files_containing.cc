#include "tests/support/files_containing.h"

#include <fstream>
#include <iterator>

namespace ledgerdesk::testing {

std::vector<std::string> FilesContaining(const std::filesystem::path& dir,
                                         const std::string& needle) {
  namespace fs = std::filesystem;
  std::vector<std::string> hits;
  for (const auto& entry :
       fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), {});
    if (bytes.find(needle) != std::string::npos) hits.push_back(entry.path().string());
  }
  return hits;
}

}  // namespace ledgerdesk::testing
