#pragma once

// The secret key of the keyed e-mail index (crypto::EmailIndex): lookups by e-mail never need the
// plaintext, and someone holding only the log cannot test guesses. One per data dir.

#include <filesystem>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::app {

// Reads the key from `file`, or creates it there (32 random bytes, mode 0600, written to a temp
// file, fsync'd and renamed) on first use. Errors: kInternal with the path for I/O failures,
// kDataLoss for a file of the wrong size.
Result<std::string> LoadOrCreateIndexKey(const std::filesystem::path& file);

}  // namespace ledgerdesk::app
