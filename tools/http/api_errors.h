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

}  // namespace ledgerdesk::tools::http
