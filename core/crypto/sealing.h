#pragma once

// Sealing personal fields (names, e-mail addresses, phone numbers, message bodies) with their
// data subject's key: AES-256-GCM through OpenSSL. Destroying the key (crypto-shredding) makes
// every value sealed with it unreadable, which is how erasure works on an append-only log.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/common.pb.h"

namespace ledgerdesk::crypto {

inline constexpr size_t kSealKeyBytes = 32;    // AES-256
inline constexpr size_t kSealNonceBytes = 12;  // the GCM standard nonce
inline constexpr size_t kSealTagBytes = 16;

// 256 bits of key material, wiped from memory when the object goes. Copyable (each copy wipes
// its own bytes).
class SealKey {
 public:
  // A fresh random key (libsodium's randombytes_buf). Thread-safe.
  static SealKey Generate();
  // Errors: kInvalidArgument unless `bytes` is exactly kSealKeyBytes long.
  static Result<SealKey> FromBytes(std::string_view bytes);

  SealKey(const SealKey& other) = default;
  SealKey& operator=(const SealKey& other) = default;
  ~SealKey();

  const unsigned char* data() const { return bytes_.data(); }
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  SealKey() = default;

  std::array<unsigned char, kSealKeyBytes> bytes_{};
};

// A data subject's key and the id that sealed values name it by.
struct SubjectKey {
  std::string key_id;
  SealKey key;
};

// A sealed field; mirrors ledgerdesk.v1.Sealed. `ciphertext` ends with the 16-byte GCM tag.
struct SealedValue {
  std::string key_id;
  std::string nonce;       // kSealNonceBytes
  std::string ciphertext;  // plaintext size + kSealTagBytes

  friend bool operator==(const SealedValue&, const SealedValue&) = default;
};

v1::Sealed ToProto(const SealedValue& sealed);
SealedValue FromProto(const v1::Sealed& sealed);

// Encrypts `plaintext` under `key` with a fresh random nonce. `associated_data` is
// authenticated but not stored: pass what the value belongs to (e.g. "account/<id>/email"), and
// pass the same to Open, so a sealed value cannot be moved to another field or record unnoticed.
// Errors: kInternal if OpenSSL fails (a bug or a broken library).
Result<SealedValue> Seal(const SubjectKey& key, std::string_view plaintext,
                         std::string_view associated_data);

// Decrypts and authenticates. Errors: kInvalidArgument if `key` is not the key the value names;
// kDataLoss if the nonce or ciphertext is malformed or the tag does not match (tampered,
// corrupt, or other associated data).
Result<std::string> Open(const SubjectKey& key, const SealedValue& sealed,
                         std::string_view associated_data);

}  // namespace ledgerdesk::crypto
