#include "tools/http/portal_api.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <google/protobuf/util/time_util.h>

#include <sstream>

#include "core/domain/account/account.h"
#include "core/domain/event_builder.h"
#include "core/domain/model.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"

namespace ledgerdesk::tools::http {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct Answer {
  int status = 200;
  std::string body;  // JSON; empty for 204
};

Answer Json(int status, const Poco::JSON::Object& object) {
  std::ostringstream text;
  object.stringify(text);
  return {status, text.str()};
}

Answer Error(const Status& status) {
  const HttpError error = ToHttpError(status);
  return {error.status, ErrorJson(error)};
}

std::string Rfc3339(std::chrono::system_clock::time_point at) {
  return google::protobuf::util::TimeUtil::ToString(domain::ToTimestamp(at));
}

// The session token of "Authorization: Bearer <token>", or "".
std::string BearerToken(const HTTPServerRequest& request) {
  const std::string header = request.get("Authorization", "");
  const std::string prefix = "Bearer ";
  return header.rfind(prefix, 0) == 0 ? header.substr(prefix.size()) : "";
}

class ApiHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ApiHandler(ApiServices services) : services_(services) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    Answer answer;
    try {
      answer = Route(request);
    } catch (const std::exception&) {
      answer = Error(Internal("unexpected"));  // no stack traces or internals in answers
    }
    // Whatever the route did, the body is read to its end before answering (keep-alive).
    request.stream().ignore(std::numeric_limits<std::streamsize>::max());
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    if (answer.status == 204) {
      response.setContentLength(0);
      response.send();
      return;
    }
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
    response.send() << answer.body;
  }

 private:
  Answer Route(HTTPServerRequest& request) {
    const std::string path = request.getURI().substr(0, request.getURI().find('?'));
    const std::string& method = request.getMethod();
    if (path == "/healthz" && method == "GET") return Health();
    if (path == "/api/v1/registrations" && method == "POST") return Register(request);
    if (path == "/api/v1/registrations/confirm" && method == "POST") return Confirm(request);
    if (path == "/api/v1/sessions" && method == "POST") return LogIn(request);
    if (path == "/api/v1/sessions/current" && method == "DELETE") return LogOut(request);
    if (path == "/api/v1/account" && method == "GET") return Account(request);
    return Error(NotFound("no such endpoint: " + method + " " + path));
  }

  Result<Poco::JSON::Object::Ptr> Body(HTTPServerRequest& request) {
    LD_ASSIGN_OR_RETURN(std::string body, ReadBody(request, kMaxJsonBody));
    return ParseObject(body);
  }

  Answer Health() {
    Poco::JSON::Object out;
    out.set("status", services_.projections.last_error().ok() ? "ok" : "degraded");
    out.set("log_position", services_.writes.end().value);
    out.set("projections_position", services_.projections.applied_position().value);
    return Json(200, out);
  }

  Answer Register(HTTPServerRequest& request) {
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    app::RegistrationInput input;
    for (auto [name, field] : {std::pair{"email", &input.email},
                               {"password", &input.password},
                               {"name", &input.name},
                               {"phone", &input.phone},
                               {"nip", &input.nip}}) {
      auto value = StringField(**body, name);
      if (!value.ok()) return Error(value.status());
      *field = *value;
    }
    auto registered = services_.accounts.Register(input, request.get("Idempotency-Key", ""));
    if (!registered.ok()) return Error(registered.status());
    Poco::JSON::Object out;
    out.set("account_id", registered->account_id);
    out.set("position", registered->position.value);
    return Json(201, out);
  }

  Answer Confirm(HTTPServerRequest& request) {
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    auto token = StringField(**body, "token");
    if (!token.ok()) return Error(token.status());
    auto confirmed = services_.accounts.ConfirmEmail(*token);
    if (!confirmed.ok()) return Error(confirmed.status());
    Poco::JSON::Object out;
    out.set("position", confirmed->position.value);
    return Json(200, out);
  }

  Answer LogIn(HTTPServerRequest& request) {
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    auto email = StringField(**body, "email");
    auto password = StringField(**body, "password");
    auto totp = OptionalStringField(**body, "totp_code");
    for (const Status& status : {email.status(), password.status(), totp.status()}) {
      if (!status.ok()) return Error(status);
    }
    std::optional<std::string_view> code;
    if (totp->has_value()) code = **totp;
    auto session = services_.accounts.Login(*email, *password, code);
    if (!session.ok()) return Error(session.status());
    Poco::JSON::Object out;
    out.set("token", session->token);
    out.set("expires_at", Rfc3339(session->expires_at));
    out.set("position", session->position.value);
    return Json(201, out);
  }

  Answer LogOut(HTTPServerRequest& request) {
    auto ended = services_.accounts.Logout(BearerToken(request));
    if (!ended.ok()) return Error(ended.status());
    return {204, ""};
  }

  Answer Account(HTTPServerRequest& request) {
    auto caller = services_.accounts.Authenticate(BearerToken(request));
    if (!caller.ok()) return Error(caller.status());
    Poco::JSON::Object out;
    Status failure;
    services_.writes.Read([&](const domain::Model& model) {
      const domain::AccountState* account = model.FindAccount(caller->account_id);
      if (account == nullptr) {
        failure = NotFound("no such account");
        return;
      }
      auto open = [&](const v1::Sealed& sealed) {
        auto text = services_.personal.Open(sealed);
        if (!text.ok()) failure = text.status();
        return text.ok() ? *text : std::string();
      };
      out.set("account_id", account->account_id);
      out.set("email", open(account->email));
      out.set("name", open(account->name));
      out.set("phone", open(account->phone));
      out.set("nip", account->nip);
      out.set("verified", account->verified());
      out.set("totp_enabled", account->totp_enabled());
      out.set("role", account->role == v1::ROLE_ENGINEER  ? "engineer"
                      : account->role == v1::ROLE_PARTNER ? "partner"
                                                          : "customer");
    });
    if (!failure.ok()) return Error(failure);
    return Json(200, out);
  }

  ApiServices services_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* PortalApi::createRequestHandler(const HTTPServerRequest&) {
  return new ApiHandler(services_);  // Poco takes ownership
}

}  // namespace ledgerdesk::tools::http
