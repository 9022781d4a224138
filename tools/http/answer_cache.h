#pragma once

// Rendered answers of reads, reused while the projections stay where they were read.
//
// Everything an answer shows comes from the projections, and the projections change only by
// applying events, each of which moves their applied position. So an answer rendered for a
// caller (key) at applied position P is exactly what rendering again would give as long as the
// position is still P: the moment it moves, every entry is dropped. Callers are authenticated
// on every request before the cache is asked; the key carries everything the answer depends on
// besides the position (who asks, what is asked).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace ledgerdesk::tools::http {

class AnswerCache {
 public:
  // Holds at most `max_bytes` of answers (all are dropped when the next would pass it).
  explicit AnswerCache(size_t max_bytes = size_t{64} << 20) : max_bytes_(max_bytes) {}

  // The answer stored for `key` at exactly `position`, if any. Thread-safe.
  std::optional<std::string> Find(const std::string& key, uint64_t position) const;
  // Stores `answer`, read at `position` (the projections' applied position read BEFORE the
  // snapshot the answer came from). Answers of positions older than the newest stored are
  // dropped. Thread-safe.
  void Store(const std::string& key, uint64_t position, std::string answer);

 private:
  const size_t max_bytes_;
  mutable std::shared_mutex mutex_;
  uint64_t position_ = 0;  // the position of every entry
  size_t bytes_ = 0;
  std::unordered_map<std::string, std::string> answers_;
};

}  // namespace ledgerdesk::tools::http
