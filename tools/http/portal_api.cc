#include "tools/http/portal_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <google/protobuf/util/time_util.h>

#include <charconv>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/domain/account/account.h"
#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/event_builder.h"
#include "core/domain/model.h"
#include "core/domain/ticket/ticket.h"
#include "core/log/envelope_codec.h"
#include "core/sla/sla_calendar.h"
#include "core/values/contract_number.h"
#include "core/values/email.h"
#include "core/values/serial.h"
#include "projections/queries.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"

namespace ledgerdesk::tools::http {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct Answer {
  int status = 200;
  std::string body;  // JSON (empty for 204), or an attachment's bytes
  std::string content_type = "application/json";
  std::string disposition;  // Content-Disposition of an attachment
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

// What an answer cached for `caller` is keyed by: everything of the caller that decides what it
// may see, and what it asked for.
std::string CacheKey(const domain::Caller& caller, std::string_view what, std::string_view id) {
  std::string key = std::to_string(caller.role);
  for (std::string_view part :
       {std::string_view(caller.account_id), std::string_view(caller.organization_id),
        std::string_view(caller.partner_name), what, id}) {
    key.append(1, '\0').append(part);
  }
  return key;
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
  ApiHandler(ApiServices services, AnswerCache& answers) : services_(services), answers_(answers) {}

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
    response.setContentType(answer.content_type);
    if (!answer.disposition.empty()) response.set("Content-Disposition", answer.disposition);
    response.sendBuffer(answer.body.data(), answer.body.size());  // one write, not 4 KiB pieces
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
    if (path == "/api/v1/account/verification" && method == "POST") return Verify(request);
    if (path == "/api/v1/account/totp" && method == "POST") return StartTotp(request);
    if (path == "/api/v1/account/totp/confirm" && method == "POST") return ConfirmTotp(request);
    if (path == "/api/v1/account/password" && method == "PUT") return ChangePassword(request);
    if (path == "/api/v1/password-resets" && method == "POST") return RequestReset(request);
    if (path == "/api/v1/password-resets/confirm" && method == "POST")
      return CompleteReset(request);
    if (path == "/api/v1/contracts" && method == "GET") return Contracts(request, "");
    if (path == "/api/v1/tickets" && method == "POST") return OpenTicket(request);
    if (path == "/api/v1/tickets" && method == "GET") return ListTickets(request);
    const std::string ticket_prefix = "/api/v1/tickets/";
    if (path.rfind(ticket_prefix, 0) == 0) {
      const std::string rest = path.substr(ticket_prefix.size());
      const std::string id = rest.substr(0, rest.find('/'));
      const std::string action = rest.size() > id.size() ? rest.substr(id.size() + 1) : "";
      if (action.empty() && method == "GET") return Ticket(request, id);
      if (action == "messages" && method == "POST") return PostMessage(request, id);
      if (action == "attachments" && method == "POST") return Upload(request, id);
      const std::string attachments = "attachments/";
      if (action.rfind(attachments, 0) == 0 && method == "GET") {
        return Download(request, id, action.substr(attachments.size()));
      }
      if ((action == "close" || action == "reopen") && method == "POST") {
        return CloseOrReopen(request, id, action == "close");
      }
    }
    const std::string contract_prefix = "/api/v1/contracts/";
    if (path.rfind(contract_prefix, 0) == 0 && method == "GET") {
      return Contracts(request, path.substr(contract_prefix.size()));
    }
    return Error(NotFound("no such endpoint: " + method + " " + path));
  }

  Result<Poco::JSON::Object::Ptr> Body(HTTPServerRequest& request) {
    LD_ASSIGN_OR_RETURN(std::string body, ReadBody(request, kMaxJsonBody));
    return ParseObject(body);
  }

  // The body's required string fields, by name; the first missing or mistyped one is the error.
  Result<std::map<std::string, std::string>> RequiredFields(
      HTTPServerRequest& request, std::initializer_list<const char*> names) {
    LD_ASSIGN_OR_RETURN(Poco::JSON::Object::Ptr body, Body(request));
    std::map<std::string, std::string> fields;
    for (const char* name : names) {
      LD_ASSIGN_OR_RETURN(fields[name], StringField(*body, name));
    }
    return fields;
  }

  Result<domain::Caller> Caller(const HTTPServerRequest& request) {
    return services_.accounts.Authenticate(BearerToken(request));
  }

  static v1::Actor ActorOf(const domain::Caller& caller) {
    v1::Actor actor;
    actor.set_role(caller.role);
    actor.set_account_id(caller.account_id);
    return actor;
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
    auto fields = RequiredFields(request, {"token"});
    if (!fields.ok()) return Error(fields.status());
    return Written(services_.accounts.ConfirmEmail((*fields)["token"]), 200);
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
    auto caller = Caller(request);
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

  Answer Verify(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto fields = RequiredFields(request, {"contract_number", "serial"});
    if (!fields.ok()) return Error(fields.status());
    auto verified = services_.accounts.Verify(caller->account_id, (*fields)["contract_number"],
                                              (*fields)["serial"]);
    if (!verified.ok()) return Error(verified.status());
    auto now_caller = Caller(request);
    if (!now_caller.ok()) return Error(now_caller.status());
    // The projections answer once they have applied the verification.
    services_.projections.WaitFor(verified->position, std::chrono::seconds(5));
    auto contracts = ContractsJson(*now_caller);
    if (!contracts.ok()) return Error(contracts.status());
    Poco::JSON::Object out;
    out.set("organization_nip", now_caller->organization_id);
    out.set("contracts", *contracts);
    out.set("position", verified->position.value);
    return Json(200, out);
  }

  Answer StartTotp(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto setup = services_.accounts.StartTotp(caller->account_id);
    if (!setup.ok()) return Error(setup.status());
    Poco::JSON::Object out;
    out.set("secret", setup->secret_base32);
    out.set("otpauth_uri", setup->otpauth_uri);
    return Json(201, out);
  }

  Answer ConfirmTotp(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto fields = RequiredFields(request, {"code"});
    if (!fields.ok()) return Error(fields.status());
    return Written(services_.accounts.ConfirmTotp(caller->account_id, (*fields)["code"]), 200);
  }

  Answer ChangePassword(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto fields = RequiredFields(request, {"current_password", "new_password"});
    if (!fields.ok()) return Error(fields.status());
    auto changed = services_.accounts.ChangePassword(
        caller->account_id, (*fields)["current_password"], (*fields)["new_password"]);
    if (!changed.ok()) return Error(changed.status());
    return {204, ""};
  }

  Answer RequestReset(HTTPServerRequest& request) {
    auto fields = RequiredFields(request, {"email"});
    if (!fields.ok()) return Error(fields.status());
    // 202 always for a well-formed address: the answer tells nobody whether it has an account.
    auto requested = services_.accounts.RequestPasswordReset((*fields)["email"]);
    if (!requested.ok() && requested.status().code() == StatusCode::kInvalidArgument) {
      return Error(requested.status());
    }
    return Json(202, Poco::JSON::Object());
  }

  Answer CompleteReset(HTTPServerRequest& request) {
    auto fields = RequiredFields(request, {"token", "new_password"});
    if (!fields.ok()) return Error(fields.status());
    auto completed =
        services_.accounts.CompletePasswordReset((*fields)["token"], (*fields)["new_password"]);
    if (!completed.ok()) return Error(completed.status());
    return {204, ""};
  }

  // Waits for ?min_position=N (read-your-writes); false when the projections did not get there.
  Result<bool> WaitForMinPosition(const HTTPServerRequest& request) {
    const std::string& uri = request.getURI();
    const auto at = uri.find("min_position=");
    if (at == std::string::npos) return true;
    uint64_t position = 0;
    const std::string text = uri.substr(at + 13, uri.find('&', at) - at - 13);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), position);
    if (error != std::errc() || end != text.data() + text.size()) {
      return InvalidArgument("min_position must be a whole number");
    }
    return services_.projections.WaitFor(log::Position{position}, std::chrono::seconds(5));
  }

  static Poco::JSON::Object ContractJson(const projections::ContractView& c) {
    Poco::JSON::Object out;
    out.set("number", c.number);
    out.set("package", std::string(domain::PackageName(c.package)));
    out.set("support_window", std::string(domain::SupportWindowName(c.support_window)));
    const std::string replacement(domain::ReplacementName(c.replacement));
    if (replacement.empty()) {
      out.set("replacement", Poco::Dynamic::Var());
    } else {
      out.set("replacement", replacement);
    }
    out.set("starts_on", domain::FormatDate(c.starts_on));
    out.set("ends_on", domain::FormatDate(c.ends_on));
    out.set("status", c.status);
    Poco::JSON::Array items;
    for (const auto& item : c.items) {
      Poco::JSON::Object one;
      one.set("serial", item.serial());
      one.set("product", item.product());
      one.set("kind", std::string(domain::ItemKindName(item.kind())));
      items.add(one);
    }
    out.set("items", items);
    return out;
  }

  Result<Poco::JSON::Array> ContractsJson(const domain::Caller& caller) {
    auto reader = services_.views.Reader();
    LD_ASSIGN_OR_RETURN(auto contracts,
                        projections::ListContracts(
                            *reader, caller, domain::WarsawDate(std::chrono::system_clock::now())));
    Poco::JSON::Array out;
    for (const auto& contract : contracts) out.add(ContractJson(contract));
    return out;
  }

  Answer Contracts(HTTPServerRequest& request, const std::string& number) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto caught_up = WaitForMinPosition(request);
    if (!caught_up.ok()) return Error(caught_up.status());
    if (!*caught_up) {
      return {504, ErrorJson({504, "timeout", "the data is not there yet: try again"})};
    }
    if (number.empty()) {
      auto contracts = ContractsJson(*caller);
      if (!contracts.ok()) return Error(contracts.status());
      std::ostringstream text;
      contracts->stringify(text);
      return {200, text.str()};
    }
    auto reader = services_.views.Reader();
    auto contract = projections::GetContract(*reader, *caller, number,
                                             domain::WarsawDate(std::chrono::system_clock::now()));
    if (!contract.ok()) return Error(contract.status());
    return Json(200, ContractJson(*contract));
  }

  // The opened field, or "" when it does not open (tampered: logged, never answered).
  std::string Open(const v1::Sealed& sealed) {
    auto text = services_.personal.Open(sealed);
    return text.ok() ? *text : std::string(app::kErased);
  }

  Answer Written(const Result<app::Outcome>& outcome, int status) {
    if (!outcome.ok()) return Error(outcome.status());
    Poco::JSON::Object out;
    out.set("position", outcome->position.value);
    return Json(status, out);
  }

  Answer OpenTicket(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto body = Body(request);
    if (!body.ok()) return Error(body.status());
    auto number = StringField(**body, "contract_number");
    auto serial_text = StringField(**body, "serial");
    auto title = StringField(**body, "title");
    auto description = StringField(**body, "description");
    auto priority_text = OptionalStringField(**body, "priority");
    for (const Status& status : {number.status(), serial_text.status(), title.status(),
                                 description.status(), priority_text.status()}) {
      if (!status.ok()) return Error(status);
    }
    auto contract = values::ContractNumber::Parse(*number);
    if (!contract.ok()) return Error(contract.status());
    auto serial = values::Serial::Parse(*serial_text);
    if (!serial.ok()) return Error(serial.status());
    auto priority = domain::ParseTicketPriority(priority_text->value_or(""));
    if (!priority.ok()) return Error(priority.status());
    std::vector<values::Email> cc;
    if ((*body)->has("cc")) {
      auto list = (*body)->getArray("cc");
      if (list.isNull()) return Error(InvalidArgument("cc must be a list of e-mail addresses"));
      for (size_t i = 0; i < list->size(); ++i) {
        const Poco::Dynamic::Var entry = list->get(static_cast<unsigned>(i));
        if (!entry.isString()) return Error(InvalidArgument("cc must hold e-mail addresses"));
        auto email = values::Email::Parse(entry.extract<std::string>());
        if (!email.ok()) return Error(email.status().WithContext("cc"));
        cc.push_back(*email);
      }
    }
    const bool partner_access = (*body)->has("partner_access") &&
                                (*body)->get("partner_access").isBoolean() &&
                                (*body)->getValue<bool>("partner_access");
    // A retry with the same Idempotency-Key must answer the same ticket: derive its id from the
    // key.
    const std::string key = request.get("Idempotency-Key", "");
    const std::string ticket_id =
        key.empty() ? log::Hex(log::RandomEventId())
                    : log::Hex(log::Sha256(caller->account_id + "/tickets/" + key).substr(0, 16));
    const v1::Actor actor = ActorOf(*caller);
    std::string ticket_number;
    auto opened = services_.writes.Execute(
        actor,
        [&](const domain::Model& model, const domain::CommandContext& context) {
          char text[32];
          std::snprintf(text, sizeof text, "LD-%06llu",
                        static_cast<unsigned long long>(model.ticket_count() + 1));
          ticket_number = text;
          return domain::Decide(model,
                                domain::OpenTicket{.ticket_id = ticket_id,
                                                   .number = ticket_number,
                                                   .caller = *caller,
                                                   .contract_number = *contract,
                                                   .serial = *serial,
                                                   .title = *title,
                                                   .description = *description,
                                                   .cc = cc,
                                                   .partner_access = partner_access,
                                                   .priority = *priority},
                                context, services_.personal, sla::ResponseDue);
        },
        key);
    if (!opened.ok()) return Error(opened.status());
    Poco::JSON::Object out;
    out.set("ticket_id", ticket_id);
    services_.writes.Read([&](const domain::Model& model) {
      if (const auto* ticket = model.FindTicket(ticket_id)) {
        out.set("number", ticket->number);
        out.set("response_due_at", Rfc3339(ticket->response_due_at));
      }
    });
    out.set("position", opened->position.value);
    return Json(201, out);
  }

  Poco::JSON::Object SummaryJson(const projections::TicketSummary& t) {
    Poco::JSON::Object out;
    out.set("ticket_id", t.ticket_id);
    out.set("number", t.number);
    out.set("title", Open(t.title));
    out.set("status", std::string(domain::TicketStatusName(t.status)));
    out.set("contract_number", t.contract_number);
    out.set("serial", t.serial);
    out.set("priority", t.priority == v1::TICKET_PRIORITY_URGENT ? "urgent" : "normal");
    out.set("partner_access", t.partner_access);
    out.set("opened_at", Rfc3339(t.opened_at));
    out.set("response_due_at", t.response_due_at ? Poco::Dynamic::Var(Rfc3339(*t.response_due_at))
                                                 : Poco::Dynamic::Var());
    out.set("responded_at",
            t.responded_at ? Poco::Dynamic::Var(Rfc3339(*t.responded_at)) : Poco::Dynamic::Var());
    return out;
  }

  Answer ListTickets(HTTPServerRequest& request) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto caught_up = WaitForMinPosition(request);
    if (!caught_up.ok()) return Error(caught_up.status());
    auto reader = services_.views.Reader();
    auto tickets = projections::ListTickets(*reader, *caller);
    if (!tickets.ok()) return Error(tickets.status());
    Poco::JSON::Array out;
    for (const auto& ticket : *tickets) out.add(SummaryJson(ticket));
    std::ostringstream text;
    out.stringify(text);
    return {200, text.str()};
  }

  Answer Ticket(HTTPServerRequest& request, const std::string& id) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto caught_up = WaitForMinPosition(request);
    if (!caught_up.ok()) return Error(caught_up.status());
    if (!*caught_up) {
      return {504, ErrorJson({504, "timeout", "the data is not there yet: try again"})};
    }
    // The same caller, ticket and projections' position: the same answer (answer_cache.h).
    const uint64_t position = services_.projections.applied_position().value;
    const std::string cache_key = CacheKey(*caller, "ticket", id);
    if (auto cached = answers_.Find(cache_key, position)) return {200, std::move(*cached)};
    auto reader = services_.views.Reader();
    auto detail = projections::GetTicket(*reader, *caller, id);
    if (!detail.ok()) return Error(detail.status());
    Poco::JSON::Object out = SummaryJson(detail->ticket);
    Poco::JSON::Array cc;
    for (const auto& sealed : detail->cc) cc.add(Open(sealed));
    out.set("cc", cc);
    Poco::JSON::Array messages;  // newest first
    for (const auto& message : detail->messages) {
      Poco::JSON::Object one;
      one.set("message_id", message.message_id);
      one.set("author_role", message.author_role == v1::ROLE_ENGINEER ? "engineer" : "customer");
      one.set("body", Open(message.body));
      one.set("posted_at", Rfc3339(message.posted_at));
      messages.add(one);
    }
    out.set("messages", messages);
    Poco::JSON::Array attachments;
    for (const auto& attachment : detail->attachments) {
      Poco::JSON::Object one;
      one.set("attachment_id", attachment.attachment_id);
      one.set("file_name", attachment.file_name);
      one.set("size", attachment.size);
      one.set("content_type", attachment.content_type);
      attachments.add(one);
    }
    out.set("attachments", attachments);
    Answer answer = Json(200, out);
    answers_.Store(cache_key, position, answer.body);
    return answer;
  }

  Answer PostMessage(HTTPServerRequest& request, const std::string& id) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto fields = RequiredFields(request, {"body"});
    if (!fields.ok()) return Error(fields.status());
    const v1::Actor actor = ActorOf(*caller);
    const std::string message_id = log::Hex(log::RandomEventId());
    return Written(services_.writes.Execute(
                       actor,
                       [&](const domain::Model& model, const domain::CommandContext& context) {
                         return domain::Decide(model,
                                               domain::PostMessage{.ticket_id = id,
                                                                   .message_id = message_id,
                                                                   .caller = *caller,
                                                                   .body = (*fields)["body"]},
                                               context, services_.personal);
                       },
                       request.get("Idempotency-Key", "")),
                   201);
  }

  Answer CloseOrReopen(HTTPServerRequest& request, const std::string& id, bool close) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    const v1::Actor actor = ActorOf(*caller);
    return Written(
        services_.writes.Execute(
            actor,
            [&](const domain::Model& model, const auto& context) {
              if (close) {
                return domain::Decide(
                    model, domain::CloseTicket{.ticket_id = id, .caller = *caller}, context);
              }
              return domain::Decide(model, domain::ReopenTicket{.ticket_id = id, .caller = *caller},
                                    context);
            }),
        200);
  }

  // A raw body with its Content-Type and ?filename=, at most 25 MiB, into the blob store.
  Answer Upload(HTTPServerRequest& request, const std::string& id) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    bool visible = false;
    services_.writes.Read([&](const domain::Model& model) {
      const domain::TicketState* ticket = model.FindTicket(id);
      visible = ticket != nullptr && domain::CanSee(model, *caller, *ticket);
    });
    if (!visible) return Error(NotFound("no ticket " + id));  // before storing any byte
    const std::string& uri = request.getURI();
    std::string file_name = "attachment";
    if (const auto at = uri.find("filename="); at != std::string::npos) {
      Poco::URI::decode(uri.substr(at + 9, uri.find('&', at) - at - 9), file_name);
    }
    auto stored = services_.blobs.Put(request.stream(), domain::kMaxAttachmentBytes);
    if (!stored.ok()) {
      if (stored.status().code() == StatusCode::kInvalidArgument) {
        return Error(PayloadTooLarge(domain::kMaxAttachmentBytes));
      }
      return Error(stored.status());
    }
    const std::string attachment_id = log::Hex(log::RandomEventId());
    auto added = services_.writes.Execute(
        ActorOf(*caller), [&](const domain::Model& model, const auto& context) {
          return domain::Decide(model,
                                domain::AddAttachment{.ticket_id = id,
                                                      .attachment_id = attachment_id,
                                                      .caller = *caller,
                                                      .sha256 = stored->sha256,
                                                      .size = stored->size,
                                                      .file_name = file_name,
                                                      .content_type = request.getContentType()},
                                context);
        });
    if (!added.ok()) return Error(added.status());
    Poco::JSON::Object out;
    out.set("attachment_id", attachment_id);
    out.set("sha256", log::Hex(stored->sha256));
    out.set("size", stored->size);
    out.set("position", added->position.value);
    return Json(201, out);
  }

  Answer Download(HTTPServerRequest& request, const std::string& id,
                  const std::string& attachment_id) {
    auto caller = Caller(request);
    if (!caller.ok()) return Error(caller.status());
    auto caught_up = WaitForMinPosition(request);
    if (!caught_up.ok()) return Error(caught_up.status());
    auto reader = services_.views.Reader();
    auto attachment = projections::GetAttachment(*reader, *caller, id, attachment_id);
    if (!attachment.ok()) return Error(attachment.status());
    auto bytes = services_.blobs.Get(attachment->sha256);
    if (!bytes.ok()) {
      // Erased with its owner's data, or lost: gone either way for the caller.
      return Error(bytes.status().code() == StatusCode::kNotFound
                       ? NotFound("the attachment's content is no longer held")
                       : bytes.status());
    }
    Answer answer{200, std::move(*bytes), attachment->content_type, ""};
    // The name was made safe on the way in (no quotes, no path parts, no control characters).
    answer.disposition = "attachment; filename=\"" + attachment->file_name + "\"";
    return answer;
  }

  ApiServices services_;
  AnswerCache& answers_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* PortalApi::createRequestHandler(const HTTPServerRequest&) {
  return new ApiHandler(services_, answers_);  // Poco takes ownership
}

}  // namespace ledgerdesk::tools::http
