#pragma once

// Keyed hashes (HMAC-SHA256) for lookups by personal data without storing it: the e-mail index.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "core/values/email.h"

namespace ledgerdesk::crypto {

inline constexpr size_t kIndexKeyMinBytes = 32;

// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
// Errors: kInvalidArgument if the key is shorter than kIndexKeyMinBytes.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);

// The index entry for an address (`bytes email_index` in the events): HMAC-SHA256 under the
// deployment's index key of email.LookupKey(), the fully lower-cased address, so lookups
// ignore letter case. Use a key dedicated to this index. Errors: as HmacSha256.
Result<std::string> EmailIndex(std::string_view hmac_key, const values::Email& email);

}  // namespace ledgerdesk::crypto
