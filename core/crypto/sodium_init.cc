#include "core/crypto/sodium_init.h"

#include <sodium.h>

#include <cstdlib>
#include <string>

namespace ledgerdesk::crypto {

Status EnsureSodium() {
  // sodium_init() returns 0 on first success, 1 if already initialized, -1 on failure.
  static const int kResult = sodium_init();
  if (kResult < 0) return Internal("libsodium could not be initialized");
  return OkStatus();
}

std::string RandomBytes(size_t size) {
  if (!EnsureSodium().ok()) std::abort();  // no randomness: nothing secure can be made
  std::string out(size, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

}  // namespace ledgerdesk::crypto
