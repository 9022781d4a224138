#include "tools/http/idempotent_answers.h"

#include "tools/http/api_errors.h"

namespace ledgerdesk::tools::http {

std::optional<Answer> IdempotentAnswers::Find(const std::string& scope,
                                              const std::string& body_digest) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(scope);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.body_digest != body_digest) {
    return Answer(409, ErrorJson({409, "idempotency_key_reused",
                                  "this Idempotency-Key came before with another body: use a new "
                                  "key for a new request"}));
  }
  return it->second.answer;
}

void IdempotentAnswers::Store(const std::string& scope, const std::string& body_digest,
                              const Answer& answer) {
  if (answer.status >= 500 || answer.status == 429) return;  // transient: a retry tries again
  std::lock_guard lock(mutex_);
  if (!entries_.try_emplace(scope, Entry{body_digest, answer}).second) return;
  order_.push_back(scope);
  while (order_.size() > max_entries_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace ledgerdesk::tools::http
