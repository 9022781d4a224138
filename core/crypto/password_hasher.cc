#include "core/crypto/password_hasher.h"

#include <sodium.h>

#include <array>
#include <cstring>

#include "core/crypto/sodium_init.h"

namespace ledgerdesk::crypto {
namespace {

using HashBuffer = std::array<char, crypto_pwhash_STRBYTES>;

// crypto_pwhash_str strings are NUL-terminated C strings in a fixed-size buffer.
bool CopyHash(std::string_view hash, HashBuffer& buffer) {
  if (hash.size() >= buffer.size() || hash.find('\0') != std::string_view::npos) return false;
  buffer.fill('\0');
  std::memcpy(buffer.data(), hash.data(), hash.size());
  return true;
}

}  // namespace

PasswordHashParams PasswordHashParams::ForTestsOnly() {
  return {.passes = crypto_pwhash_argon2id_OPSLIMIT_MIN,
          .memory_bytes = crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

PasswordHasher::PasswordHasher(PasswordHashParams params) : params_(params) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  LD_RETURN_IF_ERROR(EnsureSodium());
  if (params_.passes < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params_.passes > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
      params_.memory_bytes < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params_.memory_bytes > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return InvalidArgument("password hash parameters are outside libsodium's Argon2id limits");
  }
  if (password.size() > crypto_pwhash_argon2id_PASSWD_MAX) {
    return InvalidArgument("password is too long");
  }
  HashBuffer out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params_.passes,
                            params_.memory_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("hashing the password failed: not enough memory, try again later");
  }
  return std::string(out.data());
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) const {
  if (!EnsureSodium().ok()) return false;
  HashBuffer buffer;
  if (!CopyHash(hash, buffer)) return false;
  return crypto_pwhash_str_verify(buffer.data(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
  if (!EnsureSodium().ok()) return true;
  HashBuffer buffer;
  if (!CopyHash(hash, buffer)) return true;
  // The Argon2id-specific check: 1 = other parameters, -1 = not an Argon2id string at all
  // (crypto_pwhash_str_needs_rehash would accept an Argon2i string with matching parameters).
  return crypto_pwhash_argon2id_str_needs_rehash(buffer.data(), params_.passes,
                                                 params_.memory_bytes) != 0;
}

}  // namespace ledgerdesk::crypto
