#pragma once

// Errors to HTTP, in exactly one place: the status code and the spec's body
// {"error": {"code": "machine_readable_code", "message": "human sentence"}}.

#include <string>

#include "core/common/status.h"

namespace ledgerdesk::tools::http {

struct HttpError {
  int status = 500;
  std::string code;     // machine-readable
  std::string message;  // a sentence; internal details never leave the process
};

HttpError ToHttpError(const Status& status);

// The JSON body of an error answer.
std::string ErrorJson(const HttpError& error);

// A request body over the limit (413).
Status PayloadTooLarge(size_t limit_bytes);
// A request body that stopped arriving before its end (408; the connection closes).
Status BodyTimedOut();
// ?min_position=N not reached in time (504).
Status NotCaughtUp(uint64_t position);
// A write sent to a read-only replica (503, naming the writer).
Status ReadOnlyReplica(const std::string& writer);

}  // namespace ledgerdesk::tools::http
