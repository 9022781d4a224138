#include "core/app/write_service.h"

#include <mutex>
#include <thread>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::app {

Result<std::unique_ptr<WriteService>> WriteService::Start(log::EventLog& log,
                                                          WriteServiceOptions options) {
  std::unique_ptr<WriteService> service(new WriteService(std::move(options)));
  log::WriterOptions writer_options;
  writer_options.on_apply = [s = service.get()](const v1::Envelope& event, log::Position at) {
    s->Apply(event, at);
  };
  writer_options.follow_every = service->options_.follow_every;
  LD_ASSIGN_OR_RETURN(service->writer_, log::Writer::Start(log, std::move(writer_options)));
  return service;
}

bool WriteService::WaitFor(log::Position position, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (writer_->end() < position) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void WriteService::Apply(const v1::Envelope& event, log::Position position) {
  std::unique_lock lock(model_mutex_);
  model_.Apply(event);
  if (!event.idempotency_key().empty()) {
    by_idempotency_key_[event.idempotency_key()].push_back(position);
  }
}

Result<Outcome> WriteService::Execute(const v1::Actor& actor, const Decision& decide,
                                      const std::string& idempotency_key) {
  return ExecuteRecorded(
      actor,
      [&decide](const domain::Model& model, const domain::CommandContext& context) {
        auto events = decide(model, context);
        if (!events.ok()) return domain::RecordedDecision::Refused(events.status());
        return domain::RecordedDecision::Accepted(std::move(*events));
      },
      idempotency_key);
}

Result<Outcome> WriteService::ExecuteRecorded(const v1::Actor& actor,
                                              const RecordingDecision& decide,
                                              const std::string& idempotency_key) {
  if (idempotency_key.empty()) return ExecuteOnce(actor, decide, idempotency_key);
  {
    std::unique_lock lock(in_flight_mutex_);
    in_flight_done_.wait(lock, [&] { return !in_flight_.contains(idempotency_key); });
    in_flight_.insert(idempotency_key);
  }
  auto outcome = ExecuteOnce(actor, decide, idempotency_key);
  {
    std::lock_guard lock(in_flight_mutex_);
    in_flight_.erase(idempotency_key);
  }
  in_flight_done_.notify_all();
  return outcome;
}

Result<Outcome> WriteService::ExecuteOnce(const v1::Actor& actor, const RecordingDecision& decide,
                                          const std::string& idempotency_key) {
  domain::CommandContext context;
  context.actor = actor;
  context.correlation_id = log::RandomEventId();
  Status last_conflict;
  // First attempts decide and append side by side (sharing group commits) under a shared gate.
  // A command that lost a stream to another decides again holding the gate alone: nothing can
  // overtake it then, so on a log with one writer its second attempt lands.
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    std::shared_lock<std::shared_mutex> side_by_side(gate_, std::defer_lock);
    std::unique_lock<std::shared_mutex> alone(gate_, std::defer_lock);
    if (attempt == 0) {
      side_by_side.lock();
    } else {
      alone.lock();
    }
    context.now = options_.clock();
    domain::RecordedDecision decision;
    {
      std::shared_lock lock(model_mutex_);
      if (!idempotency_key.empty()) {
        auto earlier = by_idempotency_key_.find(idempotency_key);
        if (earlier != by_idempotency_key_.end()) {
          return Outcome{earlier->second, log::Position{earlier->second.back().value + 1}};
        }
      }
      decision = decide(model_, context);
    }
    if (decision.events.empty()) {
      if (decision.refused()) return decision.refusal;
      return Outcome{{}, writer_->end()};
    }
    if (!decision.refused()) {
      for (auto& event : decision.events) event.set_idempotency_key(idempotency_key);
    }
    auto positions = writer_->Append(std::move(decision.events));
    if (positions.ok()) {
      if (decision.refused()) return decision.refusal;
      const log::Position after{positions->back().value + 1};
      return Outcome{std::move(*positions), after};
    }
    if (positions.status().code() != StatusCode::kAborted) return positions.status();
    // Another command changed a stream first: decide again once the writer has confirmed what it
    // still had in flight, so the model includes it.
    last_conflict = positions.status();
    writer_->AwaitConfirmations();
  }
  return last_conflict.WithContext("gave up after " + std::to_string(options_.max_attempts) +
                                   " attempts");
}

void WriteService::Read(const std::function<void(const domain::Model&)>& read) const {
  std::shared_lock lock(model_mutex_);
  read(model_);
}

}  // namespace ledgerdesk::app
