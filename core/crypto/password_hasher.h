#pragma once

// Password hashing: Argon2id through libsodium's crypto_pwhash_str format.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk::crypto {

// Argon2id cost parameters. The defaults meet OWASP's minimum for Argon2id (19 MiB of memory,
// 2 passes, 1 lane: libsodium always uses one lane); raise them as hardware allows, and
// NeedsRehash() tells the login flow when a stored hash is older than the current setting.
struct PasswordHashParams {
  uint64_t passes = 2;                     // libsodium's opslimit
  size_t memory_bytes = 19 * 1024 * 1024;  // libsodium's memlimit

  // libsodium's floor (1 pass, 8 KiB): cheap enough for unit tests, never for production.
  static PasswordHashParams ForTestsOnly();
};

// Hashes and verifies passwords. Stateless apart from its parameters: safe to use from many
// threads at once (each Hash call allocates `memory_bytes` while it runs).
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashParams params = {});

  // Returns a self-describing string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") with a fresh
  // random salt. Errors: kInvalidArgument if the parameters are outside libsodium's limits;
  // kUnavailable if the memory could not be allocated (retry later).
  Result<std::string> Hash(std::string_view password) const;

  // True if `password` matches `hash` (any valid crypto_pwhash_str string, whatever its
  // parameters). A malformed hash is simply false. Runs in time independent of where a
  // mismatch is.
  bool Verify(std::string_view hash, std::string_view password) const;

  // True if `hash` is not an Argon2id hash with exactly this hasher's parameters, so the login
  // flow should store a fresh Hash() of the password it just verified. Malformed hashes and
  // other algorithms (e.g. Argon2i) need a rehash too.
  bool NeedsRehash(std::string_view hash) const;

  const PasswordHashParams& params() const { return params_; }

 private:
  PasswordHashParams params_;
};

}  // namespace ledgerdesk::crypto
