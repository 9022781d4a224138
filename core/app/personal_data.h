#pragma once

// The one accessor for personal data: seals fields with their subject's key when events are made,
// and opens them when a person is answered. A destroyed key (GDPR erasure) reads as "[erased]".

#include <string>
#include <string_view>

#include "core/common/status.h"
#include "core/crypto/subject_key_store.h"
#include "core/domain/sealer.h"

namespace ledgerdesk::app {

inline constexpr std::string_view kErased = "[erased]";

class PersonalData : public domain::Sealer {
 public:
  // `keys` outlives this object.
  explicit PersonalData(crypto::SubjectKeyStore& keys) : keys_(keys) {}

  Result<v1::Sealed> Seal(const std::string& subject_id, std::string_view plaintext) override;

  // The plaintext, kErased when the subject's key was destroyed, "" for a value never sealed (an
  // unset field). Errors: kDataLoss for a value that does not authenticate (tampered or corrupt).
  Result<std::string> Open(const v1::Sealed& sealed) const override;

 private:
  crypto::SubjectKeyStore& keys_;
};

}  // namespace ledgerdesk::app
