#include "tests/support/test_postgres.h"

#include <cstdlib>
#include <fstream>

namespace ledgerdesk::testing {

std::string TestPostgresUri(const std::string& env_file) {
  const char* set = std::getenv("LEDGERDESK_TEST_POSTGRES_URI");
  if (set != nullptr && *set != '\0') return set;
  std::ifstream env(env_file);
  const std::string prefix = "export LEDGERDESK_TEST_POSTGRES_URI=";
  for (std::string line; std::getline(env, line);) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

}  // namespace ledgerdesk::testing
