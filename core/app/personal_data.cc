#include "core/app/personal_data.h"

#include "core/crypto/sealing.h"

namespace ledgerdesk::app {
namespace {

// Binds every sealed value to this schema version: a value cannot be replayed into a system
// that reads it differently.
constexpr std::string_view kAssociatedData = "ledgerdesk.v1";

}  // namespace

Result<v1::Sealed> PersonalData::Seal(const std::string& subject_id, std::string_view plaintext) {
  LD_ASSIGN_OR_RETURN(crypto::SubjectKey key, keys_.GetOrCreate(subject_id));
  LD_ASSIGN_OR_RETURN(crypto::SealedValue sealed, crypto::Seal(key, plaintext, kAssociatedData));
  return crypto::ToProto(sealed);
}

Result<std::string> PersonalData::Open(const v1::Sealed& sealed) const {
  // Nothing was sealed (a staff account has no phone): nothing to open, and nothing erased.
  if (sealed.key_id().empty() && sealed.ciphertext().empty()) return std::string();
  auto plaintext = crypto::OpenSealed(keys_, crypto::FromProto(sealed), kAssociatedData);
  if (!plaintext.ok() && plaintext.status().code() == StatusCode::kNotFound) {
    return std::string(kErased);
  }
  return plaintext;
}

}  // namespace ledgerdesk::app
