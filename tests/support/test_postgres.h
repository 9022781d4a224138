#pragma once

// Where the PostgreSQL server of the legacy-source tests is.

#include <string>

namespace ledgerdesk::testing {

// LEDGERDESK_TEST_POSTGRES_URI if set, else the URI of the export line ctest's PostgresStart wrote
// into `env_file` (tools/start-test-postgres.sh); "" when there is none (the test skips).
std::string TestPostgresUri(const std::string& env_file);

}  // namespace ledgerdesk::testing
