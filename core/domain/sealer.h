#pragma once

// Personal data enters events only sealed with its data subject's key (design.md, "Blobs and
// personal data"). Decide functions seal through this interface; core/crypto implements it with
// AES-256-GCM and the subject key store, tests with a transparent fake.

#include <string>
#include <string_view>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/common.pb.h"

namespace ledgerdesk::domain {

class Sealer {
 public:
  virtual ~Sealer() = default;
  // Seals `plaintext` with the key of `subject_id` (created on first use).
  virtual Result<v1::Sealed> Seal(const std::string& subject_id, std::string_view plaintext) = 0;
  // Opens what Seal sealed, for a decision that compares sealed values (a CC address already on a
  // ticket): an erased subject's value opens as a marker that matches nothing typed. Errors:
  // kDataLoss for a value that does not authenticate.
  virtual Result<std::string> Open(const v1::Sealed& sealed) const = 0;
};

}  // namespace ledgerdesk::domain
