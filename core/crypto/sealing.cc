#include "core/crypto/sealing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>
#include <memory>

#include "core/crypto/sodium_init.h"

namespace ledgerdesk::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

SealKey SealKey::Generate() {
  SealKey key;
  std::string random = RandomBytes(kSealKeyBytes);
  std::memcpy(key.bytes_.data(), random.data(), kSealKeyBytes);
  OPENSSL_cleanse(random.data(), random.size());
  return key;
}

Result<SealKey> SealKey::FromBytes(std::string_view bytes) {
  if (bytes.size() != kSealKeyBytes) {
    return InvalidArgument("a seal key must be exactly 32 bytes");
  }
  SealKey key;
  std::memcpy(key.bytes_.data(), bytes.data(), kSealKeyBytes);
  return key;
}

SealKey::~SealKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

v1::Sealed ToProto(const SealedValue& sealed) {
  v1::Sealed proto;
  proto.set_key_id(sealed.key_id);
  proto.set_nonce(sealed.nonce);
  proto.set_ciphertext(sealed.ciphertext);
  return proto;
}

SealedValue FromProto(const v1::Sealed& sealed) {
  return {.key_id = sealed.key_id(), .nonce = sealed.nonce(), .ciphertext = sealed.ciphertext()};
}

Result<SealedValue> Seal(const SubjectKey& key, std::string_view plaintext,
                         std::string_view associated_data) {
  if (plaintext.size() > static_cast<size_t>(INT_MAX) - kSealTagBytes ||
      associated_data.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("value to seal is too large");
  }
  SealedValue sealed{.key_id = key.key_id, .nonce = RandomBytes(kSealNonceBytes)};
  sealed.ciphertext.resize(plaintext.size() + kSealTagBytes);
  auto* out = reinterpret_cast<unsigned char*>(sealed.ciphertext.data());

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.key.data(),
                         Bytes(sealed.nonce)) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), out, &length, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), out + plaintext.size(), &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealTagBytes, out + plaintext.size()) !=
          1) {
    return Internal("AES-256-GCM encryption failed in OpenSSL");
  }
  return sealed;
}

Result<std::string> Open(const SubjectKey& key, const SealedValue& sealed,
                         std::string_view associated_data) {
  if (sealed.key_id != key.key_id) {
    return InvalidArgument("sealed value names key " + sealed.key_id + ", not " + key.key_id);
  }
  if (sealed.nonce.size() != kSealNonceBytes || sealed.ciphertext.size() < kSealTagBytes ||
      sealed.ciphertext.size() > static_cast<size_t>(INT_MAX) ||
      associated_data.size() > static_cast<size_t>(INT_MAX)) {
    return DataLoss("sealed value is malformed: wrong nonce or ciphertext size");
  }
  const size_t plaintext_size = sealed.ciphertext.size() - kSealTagBytes;
  std::string plaintext(plaintext_size, '\0');
  // OpenSSL wants a mutable tag buffer.
  std::array<unsigned char, kSealTagBytes> tag;
  std::memcpy(tag.data(), sealed.ciphertext.data() + plaintext_size, kSealTagBytes);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.key.data(),
                         Bytes(sealed.nonce)) != 1 ||
      (!associated_data.empty() &&
       EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      (plaintext_size > 0 &&
       EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &length,
                         Bytes(sealed.ciphertext), static_cast<int>(plaintext_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealTagBytes, tag.data()) != 1) {
    return Internal("AES-256-GCM decryption failed in OpenSSL");
  }
  unsigned char final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &length) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return DataLoss(
        "sealed value failed authentication: it was altered, is corrupt, or belongs to another "
        "field");
  }
  return plaintext;
}

}  // namespace ledgerdesk::crypto
