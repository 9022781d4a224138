#pragma once

// A synthetic legacy helpdesk database (spec/legacy-schema.sql) of any size, for the migration
// benchmark: realistic shares of closed tickets, expired and cancelled contracts, attachments,
// windows-1250 bodies and the dirt of legacy-data-rules.md. Deterministic for a seed.

#include <cstdint>
#include <filesystem>

#include "core/common/status.h"

namespace ledgerdesk::tools {

struct LegacyGeneratorOptions {
  int64_t tickets = 100'000;
  int messages_per_ticket = 10;  // on average (1 to 2x-1, uniformly)
  double closed_share = 0.4;
  double attachment_share = 0.05;    // tickets with one or two attachments
  double windows1250_share = 0.10;   // message bodies in windows-1250 instead of UTF-8
  int attachment_bytes = 16 * 1024;  // at most, per attachment
  uint64_t seed = 1;
};

struct LegacyGeneratorCounts {
  int64_t customers = 0, contracts = 0, items = 0, tickets = 0, messages = 0, attachments = 0,
          cc = 0;
};

// Writes a new SQLite database at `path` (replacing one that is there). Errors: kUnavailable for
// SQLite failures, with the statement.
Result<LegacyGeneratorCounts> GenerateLegacyDatabase(const std::filesystem::path& path,
                                                     const LegacyGeneratorOptions& options);

}  // namespace ledgerdesk::tools
