#include "core/crypto/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

namespace ledgerdesk::crypto {

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  if (key.size() < kIndexKeyMinBytes || key.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidArgument("index key must be at least 32 bytes");
  }
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(mac.data()), &size) == nullptr) {
    return Internal("HMAC-SHA256 failed in OpenSSL");
  }
  mac.resize(size);
  return mac;
}

Result<std::string> EmailIndex(std::string_view hmac_key, const values::Email& email) {
  return HmacSha256(hmac_key, email.LookupKey());
}

}  // namespace ledgerdesk::crypto
