#pragma once

// The self-validating read (design.md, "The log"). Kafka cannot append "only if this stream is at
// version N", so every reader decides the same way whether a record applies: only if it is its
// stream's next version and its event id was not applied before. Everything else is skipped and
// counted, identically by the write side and every projection, so racing writers, zombies and
// retried produces leave every reader with the same state.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::log {

enum class Verdict {
  kApply,      // the stream's next version, a new event id
  kDuplicate,  // this event id was applied before (a retried or repeated append)
  kConflict,   // a new id at a version that is not the stream's next (another writer got there)
};

struct ValidationCounts {
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t conflicts = 0;
  uint64_t undecodable = 0;  // records that are not envelopes this build can read (skipped)
};

class StreamValidator {
 public:
  // Decides whether `envelope` applies and, if so, records it as the stream's new version.
  Verdict Admit(const v1::Envelope& envelope);

  // The version of the last applied event of `stream`, 0 when none.
  uint64_t StreamVersion(const std::string& stream) const;

  // Counts a record that did not decode: every reader skips it the same way.
  void SkipUndecodable() { ++counts_.undecodable; }

  const ValidationCounts& counts() const { return counts_; }

 private:
  std::unordered_map<std::string, uint64_t> versions_;
  std::unordered_set<std::string> applied_ids_;
  ValidationCounts counts_;
};

std::string_view VerdictName(Verdict verdict);

}  // namespace ledgerdesk::log
