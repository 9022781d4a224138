#pragma once

// Turning log records into envelopes and back, with clear errors for anything that is not ours.

#include <string>
#include <string_view>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::log {

// Decodes one record's value. Errors: kDataLoss when the bytes are not an Envelope;
// kInvalidArgument when it is one but carries no payload this build knows (an unknown event type,
// named in the message) or a malformed header field (event id not 16 bytes, version 0, no stream).
Result<v1::Envelope> DecodeEnvelope(std::string_view bytes);
// The same into `envelope` (which may live on an arena: bulk readers decode thousands at once).
Status DecodeEnvelopeInto(std::string_view bytes, v1::Envelope& envelope);

// The full Protobuf name of the envelope's payload ("ledgerdesk.v1.TicketOpened"), or "" if none.
std::string PayloadTypeName(const v1::Envelope& envelope);
// The same, viewing the descriptor's name (valid for the program's life).
std::string_view PayloadTypeNameView(const v1::Envelope& envelope);

// Sets envelope.event_type from its payload. Every envelope is stamped with this before it is
// appended, so that any tool can route on the type without our schemas.
void StampEventType(v1::Envelope& envelope);

// Lower-case hex of bytes, for ids in messages and headers.
std::string Hex(std::string_view bytes);

// SHA-256 of `bytes` (the previous-hash chain).
std::string Sha256(std::string_view bytes);

// A 16-byte random id (event ids, correlation ids).
std::string RandomEventId();

}  // namespace ledgerdesk::log
