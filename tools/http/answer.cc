#include "tools/http/answer.h"

#include <google/protobuf/util/time_util.h>

#include <sstream>

#include "core/domain/event_builder.h"
#include "tools/http/api_errors.h"

namespace ledgerdesk::tools::http {

Answer::Answer(const Status& error) {
  const HttpError http = ToHttpError(error);
  status = http.status;
  body = ErrorJson(http);
  close_connection = status == 408;  // the rest of the body may still come: not a next request
}

Answer Json(int status, const Poco::JSON::Object& object) {
  std::ostringstream text;
  object.stringify(text);
  return {status, text.str()};
}

Answer Json(int status, const Poco::JSON::Array& array) {
  std::ostringstream text;
  array.stringify(text);
  return {status, text.str()};
}

Answer NoContent() { return {204, ""}; }

std::string Rfc3339(std::chrono::system_clock::time_point at) {
  // To the microsecond, as the projections keep times: a write's answer and a later read of the
  // same instant give the same text.
  return google::protobuf::util::TimeUtil::ToString(
      domain::ToTimestamp(std::chrono::floor<std::chrono::microseconds>(at)));
}

Poco::Dynamic::Var Rfc3339OrNull(const std::optional<std::chrono::system_clock::time_point>& at) {
  return at ? Poco::Dynamic::Var(Rfc3339(*at)) : Poco::Dynamic::Var();
}

}  // namespace ledgerdesk::tools::http
