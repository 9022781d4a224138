#pragma once

// An event as an auditor reads it: decoded, every sealed personal field opened through the one
// decrypting accessor (app::PersonalData: a destroyed key reads "[erased]").

#include <set>
#include <string>

#include "core/app/personal_data.h"
#include "core/common/status.h"
#include "core/log/event_log.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::audit {

// What an auditor reads of one event.
struct OpenedEvent {
  uint64_t position = 0;
  std::string type;  // "TicketOpened" (the payload's short name)
  std::string stream;
  std::string time;          // occurred_at, RFC 3339 UTC
  std::string actor;         // "customer a1b2…", "operator", "system"
  std::string payload_json;  // the payload, sealed fields opened (strings), bytes as hex
  // "field: value" lines of the payload's personal (sealed) fields, opened.
  std::vector<std::string> personal;
  // Names of the payload's personal fields ("AccountRegistered.email").
  std::set<std::string> personal_fields;
};

// Opens `envelope`. Security secrets (password and token hashes, the TOTP secret, the body of an
// account mail with its one-time link) read "[withheld: security secret]". Errors: kDataLoss
// when a sealed field does not authenticate.
Result<OpenedEvent> OpenEvent(const log::LogRecord& record, const v1::Envelope& envelope,
                              const app::PersonalData& personal);

// One JSON object: position, type, stream, version, time, actor, event_id, payload.
std::string EventJsonLine(const OpenedEvent& event, const v1::Envelope& envelope);

// `text` as a JSON string literal.
std::string JsonString(std::string_view text);

}  // namespace ledgerdesk::audit
