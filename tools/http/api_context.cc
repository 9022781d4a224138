#include "tools/http/api_context.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/String.h>

#include <charconv>
#include <limits>
#include <optional>

#include "core/log/envelope_codec.h"
#include "core/values/ascii.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"

namespace ledgerdesk::tools::http {
namespace {

constexpr auto kCatchUpTimeout = std::chrono::seconds(5);

// ?min_position=N: N, the log position of an event the read must see; nullopt when absent.
Result<std::optional<uint64_t>> MinPosition(const ApiRequest& request) {
  const std::string text = request.Query("min_position");
  if (text.empty()) return std::optional<uint64_t>();
  uint64_t position = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), position);
  if (error != std::errc() || end != text.data() + text.size() ||
      position == std::numeric_limits<uint64_t>::max()) {
    return InvalidArgument("min_position must be a whole number");
  }
  return std::optional<uint64_t>(position);
}

// What has to be applied for the event at `position` to be seen (the applied position is the
// next one to apply).
log::Position Through(uint64_t position) { return log::Position{position + 1}; }

}  // namespace

std::string BearerToken(const Poco::Net::HTTPServerRequest& request) {
  const std::string header = request.get("Authorization", "");
  // The scheme's name in any case (RFC 9110 §11.1), then the token.
  static const std::string kScheme = "bearer ";
  if (header.size() <= kScheme.size() || Poco::icompare(header, 0, kScheme.size(), kScheme) != 0) {
    return "";
  }
  return std::string(values::TrimAsciiSpace(std::string_view(header).substr(kScheme.size())));
}

Result<domain::Caller> ApiContext::Caller(const ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(const std::optional<uint64_t> position, MinPosition(request));
  if (position && !services.writes.WaitFor(Through(*position), kCatchUpTimeout)) {
    return NotCaughtUp(*position);
  }
  return services.accounts.Authenticate(BearerToken(request.http));
}

Result<domain::Caller> ApiContext::Engineer(const ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, Caller(request));
  if (caller.role != v1::ROLE_ENGINEER) return PermissionDenied("only engineers may do this");
  return caller;
}

Result<Poco::JSON::Object::Ptr> ApiContext::Body(ApiRequest& request) {
  if (request.body) return ParseObject(*request.body);
  LD_ASSIGN_OR_RETURN(std::string body, ReadBody(request.http, kMaxJsonBody));
  return ParseObject(body);
}

Result<std::map<std::string, std::string>> ApiContext::RequiredFields(
    ApiRequest& request, std::initializer_list<const char*> names) {
  LD_ASSIGN_OR_RETURN(Poco::JSON::Object::Ptr body, Body(request));
  std::map<std::string, std::string> fields;
  for (const char* name : names) {
    LD_ASSIGN_OR_RETURN(fields[name], StringField(*body, name));
  }
  return fields;
}

Status ApiContext::CaughtUp(const ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(const std::optional<uint64_t> position, MinPosition(request));
  if (position && !services.projections.WaitFor(Through(*position), kCatchUpTimeout)) {
    return NotCaughtUp(*position);
  }
  return OkStatus();
}

std::string ApiContext::RequestKey(const ApiRequest& request, std::string_view caller_id) {
  const std::string key = request.http.get("Idempotency-Key", "");
  if (key.empty()) return "";
  std::string identity = request.http.getMethod() + ' ' + request.http.getURI();
  for (std::string_view part :
       {caller_id, std::string_view(key), std::string_view(request.content_sha256)}) {
    identity.append(1, '\0').append(part);
  }
  return log::Hex(log::Sha256(identity).substr(0, 16));
}

Result<app::Outcome> ApiContext::Execute(const ApiRequest& request, const domain::Caller& caller,
                                         const app::Decision& decide) {
  return services.writes.Execute(ActorOf(caller), decide, RequestKey(request, caller.account_id));
}

Answer ApiContext::Written(const Result<app::Outcome>& outcome, int status) {
  if (!outcome.ok()) return outcome.status();
  Poco::JSON::Object out;
  out.set("position", LastPosition(outcome->position));
  return Json(status, out);
}

uint64_t LastPosition(log::Position after) { return after.value == 0 ? 0 : after.value - 1; }

std::string ApiContext::Open(const v1::Sealed& sealed) const {
  auto text = services.personal.Open(sealed);
  return text.ok() ? *text : std::string(app::kErased);
}

std::string ApiContext::IdFor(const ApiRequest& request, const domain::Caller& caller,
                              std::string_view what) {
  std::string seed = RequestKey(request, caller.account_id);
  if (seed.empty()) return log::Hex(log::RandomEventId());
  seed.append(1, '\0').append(what);
  return log::Hex(log::Sha256(seed).substr(0, 16));
}

v1::Actor ApiContext::ActorOf(const domain::Caller& caller) {
  return domain::ActorOf(caller.role, caller.account_id);
}

}  // namespace ledgerdesk::tools::http
