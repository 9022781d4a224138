#pragma once

// What a route answers: a status, a body and its content type. Errors become the spec's error body
// through api_errors.h, so a handler can simply return a Status (LD_ASSIGN_OR_RETURN works).

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <optional>
#include <string>

#include "core/common/status.h"

namespace ledgerdesk::tools::http {

struct Answer {
  Answer() = default;
  Answer(int status_code, std::string body_text, std::string type = "application/json")
      : status(status_code), body(std::move(body_text)), content_type(std::move(type)) {}
  Answer(const Status& error);  // NOLINT: an error answers as the spec says (api_errors.h)

  int status = 200;
  std::string body;  // JSON (empty for 204), or an attachment's bytes
  std::string content_type = "application/json";
  std::string disposition;  // Content-Disposition of an attachment
  std::string allow;        // a 405's Allow header: the methods the path takes
  // A body not worth reading (far too large), or whose end is unknown (a bad Content-Length, a
  // body that stopped arriving: 408): the connection is dropped instead of read for a next request.
  bool close_connection = false;
};

Answer Json(int status, const Poco::JSON::Object& object);
Answer Json(int status, const Poco::JSON::Array& array);
Answer NoContent();

// RFC 3339 UTC to the microsecond at most, as every timestamp in the API.
std::string Rfc3339(std::chrono::system_clock::time_point at);
// The same, or JSON null.
Poco::Dynamic::Var Rfc3339OrNull(const std::optional<std::chrono::system_clock::time_point>& at);

}  // namespace ledgerdesk::tools::http
