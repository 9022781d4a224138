#pragma once

// The answers of writes sent with an Idempotency-Key, so that a retry with the same key and body
// gets the first answer (spec/http-api.md "Conventions"). The events are kept from doubling by the
// write service, which remembers keys in the log itself; this keeps the answer — a confirmation
// token used once, say, would otherwise answer its retry with "already used". In memory, the
// newest `max_entries`; a key used again with another body is a conflict.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tools/http/answer.h"

namespace ledgerdesk::tools::http {

class IdempotentAnswers {
 public:
  explicit IdempotentAnswers(size_t max_entries = 100'000) : max_entries_(max_entries) {}

  // `scope` names who asked what (method, path, credentials, key); `body_digest` the body. The
  // first answer for the same scope and body; a 409 answer when the body differs; nullopt when
  // the key is new. Thread-safe.
  std::optional<Answer> Find(const std::string& scope, const std::string& body_digest) const;
  // Keeps the answer of a finished write (not of a transient failure, which a retry should
  // retry). Thread-safe.
  void Store(const std::string& scope, const std::string& body_digest, const Answer& answer);

 private:
  struct Entry {
    std::string body_digest;
    Answer answer;
  };
  const size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> order_;  // oldest first, for eviction
};

}  // namespace ledgerdesk::tools::http
