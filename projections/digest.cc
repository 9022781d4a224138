#include "projections/digest.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::projections {

struct RowDigest::Impl {
  struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx{EVP_MD_CTX_new()};

  void Field(std::string_view bytes) {
    uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(bytes.size() >> (56 - 8 * i));
    EVP_DigestUpdate(ctx.get(), length, sizeof length);
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  }
};

RowDigest::RowDigest() : impl_(std::make_unique<Impl>()) {
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1) {
    // Out of memory or a broken libcrypto: nothing sensible can go on.
    std::fputs("ledgerdesk: SHA-256 is not available\n", stderr);
    std::abort();
  }
}

RowDigest::~RowDigest() = default;

void RowDigest::Add(std::string_view cf, std::string_view key, std::string_view value) {
  impl_->Field(cf);
  impl_->Field(key);
  impl_->Field(value);
}

std::string RowDigest::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), digest, &size);
  return log::Hex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace ledgerdesk::projections
