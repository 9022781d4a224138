#include "tools/http/api_errors.h"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "core/domain/account/account.h"

namespace ledgerdesk::tools::http {
namespace {

// Errors the core has no code of its own for travel as "code: sentence" in a status of the
// nearest kind; these are their HTTP statuses.
struct PrefixedCode {
  std::string_view code;
  int status;
};
constexpr PrefixedCode kPayloadTooLarge{"payload_too_large", 413};
constexpr PrefixedCode kTimeout{"timeout", 504};
constexpr PrefixedCode kReadOnlyReplica{"read_only_replica", 503};
constexpr PrefixedCode kRequestTimeout{"request_timeout", 408};
constexpr PrefixedCode kPrefixedCodes[] = {kPayloadTooLarge, kTimeout, kReadOnlyReplica,
                                           kRequestTimeout};

Status Prefixed(StatusCode kind, const PrefixedCode& code, const std::string& sentence) {
  return Status(kind, std::string(code.code) + ": " + sentence);
}

// "code: sentence" -> the sentence.
std::string WithoutCode(const std::string& message, std::string_view code) {
  if (code.empty() || message.size() <= code.size() + 1) return message;
  std::string rest = message.substr(code.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
  return rest.empty() ? message : rest;
}

}  // namespace

Status PayloadTooLarge(size_t limit_bytes) {
  return Prefixed(StatusCode::kInvalidArgument, kPayloadTooLarge,
                  "the request body is larger than " + std::to_string(limit_bytes) + " bytes");
}

Status BodyTimedOut() {
  return Prefixed(StatusCode::kInvalidArgument, kRequestTimeout,
                  "the request body stopped arriving before its end");
}

Status NotCaughtUp(uint64_t position) {
  return Prefixed(
      StatusCode::kUnavailable, kTimeout,
      "the data up to position " + std::to_string(position) + " is not there yet: try again");
}

Status ReadOnlyReplica(const std::string& writer) {
  return Prefixed(StatusCode::kUnavailable, kReadOnlyReplica,
                  writer.empty() ? "this server is read-only (a replica or a replay): it takes no "
                                   "writes"
                                 : "this server is a read-only replica: send writes to " + writer);
}

HttpError ToHttpError(const Status& status) {
  const std::string_view refusal = domain::RefusalCode(status);
  if (refusal == domain::kAccountLockedCode) {
    return {423, std::string(refusal), WithoutCode(status.message(), refusal)};
  }
  if (refusal == domain::kEmailNotConfirmedCode) {
    return {403, std::string(refusal), WithoutCode(status.message(), refusal)};
  }
  if (!refusal.empty()) {  // totp_required (401), verification_failed (400)
    return {status.code() == StatusCode::kUnauthenticated ? 401 : 400, std::string(refusal),
            WithoutCode(status.message(), refusal)};
  }
  for (const PrefixedCode& code : kPrefixedCodes) {
    if (status.message().rfind(std::string(code.code) + ":", 0) == 0) {
      return {code.status, std::string(code.code), WithoutCode(status.message(), code.code)};
    }
  }
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return {400, "invalid_argument", status.message()};
    case StatusCode::kUnauthenticated:
      return {401, "unauthenticated", status.message()};
    case StatusCode::kPermissionDenied:
      return {403, "forbidden", status.message()};
    case StatusCode::kNotFound:
      return {404, "not_found", status.message()};
    case StatusCode::kAlreadyExists:
      return {409, "already_exists", status.message()};
    case StatusCode::kFailedPrecondition:
      return {409, "conflict", status.message()};
    case StatusCode::kAborted:
      return {409, "conflict", "the data changed meanwhile: try again"};
    case StatusCode::kUnavailable:
      return {503, "unavailable", "the service cannot answer right now: try again later"};
    default:
      // kDataLoss, kInternal: what went wrong stays in the server's log, not in the answer.
      return {500, "internal", "something went wrong on our side"};
  }
}

std::string ErrorJson(const HttpError& error) {
  Poco::JSON::Object inner;
  inner.set("code", error.code);
  inner.set("message", error.message);
  Poco::JSON::Object outer;
  outer.set("error", inner);
  std::ostringstream text;
  outer.stringify(text);
  return text.str();
}

}  // namespace ledgerdesk::tools::http
