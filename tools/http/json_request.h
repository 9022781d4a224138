#pragma once

// Reading request bodies: always read to the end (Poco does not drain an unread body on a
// keep-alive connection), bounded, parsed as one JSON object with a nesting limit; fields read
// with errors that name them.

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <optional>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::tools::http {

inline constexpr size_t kMaxJsonBody = 64 * 1024;

// Whether the request has a body (RFC 9112 §6.3): chunked, or a Content-Length. Without either
// it has none, and its stream must not be read (Poco would read to the connection's end).
bool HasBody(const Poco::Net::HTTPServerRequest& request);

// A Content-Length that says where the body ends: one header (or several that agree) of digits.
// Errors: kInvalidArgument naming what is wrong.
Status CheckFraming(const Poco::Net::HTTPServerRequest& request);

// The whole body ("" when it has none); kInvalidArgument "payload_too_large..." past `limit` (the
// rest is drained); "request_timeout..." (408) when it stopped arriving before its end.
Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& request, size_t limit);

// One JSON object, nested at most 16 deep. Errors: kInvalidArgument "malformed JSON ...".
Result<Poco::JSON::Object::Ptr> ParseObject(const std::string& body);

// A string field. Errors name the field: missing (when required) or not a string.
Result<std::string> StringField(const Poco::JSON::Object& object, const std::string& name);
Result<std::optional<std::string>> OptionalStringField(const Poco::JSON::Object& object,
                                                       const std::string& name);

}  // namespace ledgerdesk::tools::http
