#pragma once

// Given / When / Then for the domain: a model folded from given events, a fixed clock and id
// source, and a sealer whose "ciphertext" is readable so tests can check what was sealed.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/event_builder.h"
#include "core/domain/model.h"
#include "core/domain/sealer.h"

namespace ledgerdesk::testing {

class TransparentSealer : public domain::Sealer {
 public:
  Result<v1::Sealed> Seal(const std::string& subject_id, std::string_view plaintext) override;
  Result<std::string> Open(const v1::Sealed& sealed) const override;
};

// What TransparentSealer sealed.
std::string Unsealed(const v1::Sealed& sealed);

// "2026-11-20T16:30:00Z" as a time point (test input: aborts on a typo).
std::chrono::system_clock::time_point Utc(std::string_view rfc3339);

class Scenario {
 public:
  Scenario();

  // Sets the command time.
  Scenario& At(std::string_view rfc3339);
  // Applies events as the log would (in order).
  Scenario& Given(const std::vector<v1::Envelope>& events);
  // Applies the events of a decision that must have succeeded.
  Scenario& Given(const Result<std::vector<v1::Envelope>>& decided);

  domain::Model model;
  domain::CommandContext context;
  TransparentSealer sealer;

 private:
  uint64_t next_id_ = 1;
};

}  // namespace ledgerdesk::testing
