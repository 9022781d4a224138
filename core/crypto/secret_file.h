#pragma once

// Small secrets kept in files of their own (the e-mail index key, the key-encryption key of the
// Kafka key topic): exactly N random bytes, mode 0600, written to a temporary file, fsynced and
// renamed into place.

#include <filesystem>
#include <optional>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::crypto {

// The secret in `file`, or nullopt when there is no such file. `what` names it in errors
// ("the e-mail index key"). Errors: kInternal when it cannot be read, kDataLoss for a file that
// is not `bytes` long.
Result<std::optional<std::string>> ReadSecretFile(const std::filesystem::path& file, size_t bytes,
                                                  const std::string& what);

// Creates `file` (and its directory) holding `bytes` fresh random bytes and returns them.
// Errors: kInternal with the path for I/O failures.
Result<std::string> CreateSecretFile(const std::filesystem::path& file, size_t bytes,
                                     const std::string& what);

}  // namespace ledgerdesk::crypto
