#pragma once

// Bearer tokens (sessions, e-mail confirmation, password reset, invitations): 256 random bits,
// handed out as text, stored only as a SHA-256 hash.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk::crypto {

inline constexpr size_t kTokenBytes = 32;       // 256 bits
inline constexpr size_t kTokenTextLength = 43;  // unpadded base64url of 32 bytes

// A fresh token as unpadded base64url text (RFC 4648 section 5: A-Z a-z 0-9 - _), safe in URLs,
// e-mail links and cookies. Thread-safe.
std::string GenerateToken();

// Checks that `text` has the shape GenerateToken() produces (43 base64url characters). Use it
// on tokens from outside before hashing, so junk is rejected as bad input.
// Errors: kInvalidArgument naming the field "token".
Status ValidateTokenText(std::string_view text);

// The SHA-256 of the token text: 32 raw bytes, what events store (`bytes token_hash`). A
// stolen log therefore holds no usable token. Unsalted on purpose: the token has 256 bits of
// entropy, and lookups need a deterministic hash.
std::string HashToken(std::string_view token_text);

// Compares two byte strings in time that depends only on their lengths, not on their contents
// (OpenSSL's CRYPTO_memcmp). Different lengths compare unequal.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Base64url without padding, and back. Decode errors: kInvalidArgument.
std::string Base64UrlEncode(std::string_view bytes);
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ledgerdesk::crypto
