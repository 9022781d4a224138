#include "tests/support/test_events.h"

#include "core/log/envelope_codec.h"

namespace ledgerdesk::testing {

v1::Envelope MakeEventWithId(const std::string& stream, uint64_t version, const std::string& id,
                             const std::string& marker) {
  v1::Envelope envelope;
  envelope.set_event_id(id);
  envelope.set_stream(stream);
  envelope.set_stream_version(version);
  envelope.mutable_occurred_at()->set_seconds(1'795'000'000);
  envelope.mutable_actor()->set_role(v1::ROLE_ENGINEER);
  auto* changed = envelope.mutable_ticket_status_changed();
  changed->set_ticket_id(stream);
  changed->set_from(v1::TICKET_STATUS_OPEN);
  changed->set_to(v1::TICKET_STATUS_IN_PROGRESS);
  changed->set_changed_by(marker);
  log::StampEventType(envelope);
  return envelope;
}

v1::Envelope MakeEvent(const std::string& stream, uint64_t version, const std::string& marker) {
  return MakeEventWithId(stream, version, log::RandomEventId(), marker);
}

std::string IdFromNumber(uint64_t n) {
  std::string id(16, '\0');
  for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<char>((n >> (8 * i)) & 0xff);
  id[0] = 'T';
  return id;
}

}  // namespace ledgerdesk::testing
