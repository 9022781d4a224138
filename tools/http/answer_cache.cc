#include "tools/http/answer_cache.h"

#include <mutex>

namespace ledgerdesk::tools::http {

std::optional<std::string> AnswerCache::Find(const std::string& key, uint64_t position) const {
  std::shared_lock lock(mutex_);
  if (position != position_) return std::nullopt;
  auto it = answers_.find(key);
  if (it == answers_.end()) return std::nullopt;
  return it->second;
}

void AnswerCache::Store(const std::string& key, uint64_t position, std::string answer) {
  if (answer.size() + key.size() > max_bytes_) return;
  std::unique_lock lock(mutex_);
  if (position < position_) return;  // already stale
  if (position > position_ || bytes_ + answer.size() + key.size() > max_bytes_) {
    answers_.clear();
    bytes_ = 0;
    position_ = position;
  }
  auto [it, inserted] = answers_.try_emplace(key, std::move(answer));
  if (inserted) bytes_ += key.size() + it->second.size();
}

}  // namespace ledgerdesk::tools::http
