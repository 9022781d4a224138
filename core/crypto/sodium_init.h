#pragma once

// libsodium must be initialized once before use; this does it lazily and thread-safely.

#include <cstddef>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::crypto {

// Initializes libsodium on the first call (a function-local static: thread-safe); later calls
// return the remembered outcome. Every function of core/crypto that uses libsodium calls this.
// Errors: kInternal if libsodium cannot initialize (no usable randomness source).
Status EnsureSodium();

// Fills `size` bytes with cryptographically secure random bytes (libsodium's randombytes_buf).
// Returns them as a byte string. Aborts only if EnsureSodium() failed, which leaves no safe way on.
std::string RandomBytes(size_t size);

}  // namespace ledgerdesk::crypto
