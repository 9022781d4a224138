#pragma once

// `grep -rl` without grep: for tests proving that plaintext is gone from a data dir.

#include <filesystem>
#include <string>
#include <vector>

namespace ledgerdesk::testing {

// Every regular file under `dir` (binary ones too) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::filesystem::path& dir,
                                         const std::string& needle);

}  // namespace ledgerdesk::testing
