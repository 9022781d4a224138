// Tickets (spec/http-api.md "Tickets"): commands through the write service, reads from the
// projections. Visibility is the domain's and the queries' rule: another organization's ticket is
// "not found", never "forbidden".

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include <cstdio>
#include <limits>

#include "core/log/envelope_codec.h"
#include "core/sla/sla_calendar.h"
#include "core/values/ascii.h"
#include "core/values/contract_number.h"
#include "core/values/email.h"
#include "core/values/serial.h"
#include "tools/http/answer_cache.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"
#include "tools/http/json_views.h"
#include "tools/http/multipart_end.h"

namespace ledgerdesk::tools::http {
namespace {

Result<std::vector<values::Email>> CcList(const Poco::JSON::Object& body) {
  std::vector<values::Email> cc;
  if (!body.has("cc")) return cc;
  auto list = body.getArray("cc");
  if (list.isNull()) return InvalidArgument("cc must be a list of e-mail addresses");
  for (size_t i = 0; i < list->size(); ++i) {
    const Poco::Dynamic::Var entry = list->get(static_cast<unsigned>(i));
    if (!entry.isString()) return InvalidArgument("cc must hold e-mail addresses");
    auto email = values::Email::Parse(entry.extract<std::string>());
    if (!email.ok()) return email.status().WithContext("cc");
    cc.push_back(*email);
  }
  return cc;
}

Result<bool> BoolField(const Poco::JSON::Object& body, const std::string& name, bool fallback) {
  if (!body.has(name)) return fallback;
  const Poco::Dynamic::Var value = body.get(name);
  if (!value.isBoolean()) return InvalidArgument(name + " must be true or false");
  return value.extract<bool>();
}

Answer OpenTicket(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(Poco::JSON::Object::Ptr body, api.Body(request));
  LD_ASSIGN_OR_RETURN(std::string number, StringField(*body, "contract_number"));
  LD_ASSIGN_OR_RETURN(std::string serial_text, StringField(*body, "serial"));
  LD_ASSIGN_OR_RETURN(std::string title, StringField(*body, "title"));
  LD_ASSIGN_OR_RETURN(std::string description, StringField(*body, "description"));
  LD_ASSIGN_OR_RETURN(std::optional<std::string> priority_text,
                      OptionalStringField(*body, "priority"));
  LD_ASSIGN_OR_RETURN(values::ContractNumber contract, values::ContractNumber::Parse(number));
  LD_ASSIGN_OR_RETURN(values::Serial serial, values::Serial::Parse(serial_text));
  LD_ASSIGN_OR_RETURN(v1::TicketPriority priority,
                      domain::ParseTicketPriority(priority_text.value_or("")));
  LD_ASSIGN_OR_RETURN(std::vector<values::Email> cc, CcList(*body));
  std::vector<std::string> cc_email_indexes;
  for (const auto& address : cc) {
    LD_ASSIGN_OR_RETURN(cc_email_indexes.emplace_back(),
                        api.services.accounts.EmailIndexOf(address));
  }
  LD_ASSIGN_OR_RETURN(bool partner_access, BoolField(*body, "partner_access", false));
  // A retry with the same Idempotency-Key must answer the same ticket.
  const std::string ticket_id = ApiContext::IdFor(request, caller, "tickets");
  LD_ASSIGN_OR_RETURN(
      auto opened,
      api.Execute(request, caller,
                  [&](const domain::Model& model, const domain::CommandContext& context) {
                    return domain::Decide(model,
                                          domain::OpenTicket{.ticket_id = ticket_id,
                                                             .caller = caller,
                                                             .contract_number = contract,
                                                             .serial = serial,
                                                             .title = title,
                                                             .description = description,
                                                             .cc = cc,
                                                             .cc_email_indexes = cc_email_indexes,
                                                             .partner_access = partner_access,
                                                             .priority = priority},
                                          context, api.services.personal, sla::ResponseDue);
                  }));
  Poco::JSON::Object out;
  out.set("ticket_id", ticket_id);
  api.services.writes.Read([&](const domain::Model& model) {
    if (const auto* ticket = model.FindTicket(ticket_id)) {
      out.set("number", ticket->number);
      out.set("response_due_at", Rfc3339(ticket->response_due_at));
    }
  });
  out.set("position", LastPosition(opened.position));
  return Json(201, out);
}

Answer ListTickets(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  projections::TicketFilter filter;
  if (const std::string status = request.Query("status"); !status.empty()) {
    LD_ASSIGN_OR_RETURN(filter.status, domain::ParseTicketStatus(status));
  }
  if (const std::string number = request.Query("contract_number"); !number.empty()) {
    LD_ASSIGN_OR_RETURN(values::ContractNumber contract, values::ContractNumber::Parse(number));
    filter.contract_number = contract.value();
  }
  LD_ASSIGN_OR_RETURN(auto tickets, projections::ListTickets(*api.Views(), caller, filter));
  Poco::JSON::Array out;
  for (const auto& ticket : tickets) out.add(TicketSummaryJson(api, ticket));
  return Json(200, out);
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

Answer GetTicket(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  // The same caller, ticket and projections' position: the same answer (answer_cache.h).
  const uint64_t position = api.services.projections.applied_position().value;
  const std::string cache_key = CacheKey(caller, "ticket", request.Param("id"));
  if (auto cached = api.services.answers->Find(cache_key, position)) {
    return Answer(200, std::move(*cached));
  }
  LD_ASSIGN_OR_RETURN(auto detail,
                      projections::GetTicket(*api.Views(), caller, request.Param("id")));
  Answer answer = Json(200, TicketDetailJson(api, detail));
  api.services.answers->Store(cache_key, position, answer.body);
  return answer;
}

// The routes that run one ticket command on the caller's behalf: `make` builds the command from
// the caller and the body's fields.
template <typename Command, typename... Extra>
Answer RunTicketCommand(ApiContext& api, ApiRequest& request, int status,
                        const std::function<Result<Command>(const domain::Caller&)>& make,
                        Extra&... extra) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(Command command, make(caller));
  return ApiContext::Written(
      api.Execute(request, caller,
                  [&](const domain::Model& model, const domain::CommandContext& context) {
                    return domain::Decide(model, command, context, extra...);
                  }),
      status);
}

Answer PostMessage(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::PostMessage>(
      api, request, 201,
      [&](const domain::Caller& caller) -> Result<domain::PostMessage> {
        LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"body"}));
        return domain::PostMessage{.ticket_id = request.Param("id"),
                                   .message_id = ApiContext::IdFor(request, caller, "messages"),
                                   .caller = caller,
                                   .body = fields["body"]};
      },
      api.services.personal);
}

Answer AddCc(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::AddCc>(
      api, request, 201,
      [&](const domain::Caller& caller) -> Result<domain::AddCc> {
        LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"email"}));
        LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(fields["email"]));
        LD_ASSIGN_OR_RETURN(std::string email_index, api.services.accounts.EmailIndexOf(email));
        return domain::AddCc{.ticket_id = request.Param("id"),
                             .caller = caller,
                             .email = email,
                             .email_index = std::move(email_index)};
      },
      api.services.personal);
}

Answer ChangePartnerAccess(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::ChangePartnerAccess>(
      api, request, 200, [&](const domain::Caller& caller) -> Result<domain::ChangePartnerAccess> {
        LD_ASSIGN_OR_RETURN(Poco::JSON::Object::Ptr body, api.Body(request));
        if (!body->has("granted")) return InvalidArgument("granted is required (true or false)");
        LD_ASSIGN_OR_RETURN(bool granted, BoolField(*body, "granted", false));
        return domain::ChangePartnerAccess{
            .ticket_id = request.Param("id"), .caller = caller, .granted = granted};
      });
}

Answer Close(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::CloseTicket>(
      api, request, 200,
      [&](const domain::Caller& caller) -> Result<domain::CloseTicket> {
        return domain::CloseTicket{.ticket_id = request.Param("id"), .caller = caller};
      },
      api.services.personal);
}

Answer Reopen(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::ReopenTicket>(
      api, request, 200,
      [&](const domain::Caller& caller) -> Result<domain::ReopenTicket> {
        return domain::ReopenTicket{.ticket_id = request.Param("id"), .caller = caller};
      },
      api.services.personal);
}

Answer Escalate(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::EscalateTicket>(
      api, request, 200,
      [&](const domain::Caller& caller) -> Result<domain::EscalateTicket> {
        LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"reason"}));
        return domain::EscalateTicket{
            .ticket_id = request.Param("id"), .caller = caller, .reason = fields["reason"]};
      },
      api.services.personal);
}

Answer ChangeStatus(ApiContext& api, ApiRequest& request) {
  return RunTicketCommand<domain::ChangeStatus>(
      api, request, 200,
      [&](const domain::Caller& caller) -> Result<domain::ChangeStatus> {
        LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"status"}));
        LD_ASSIGN_OR_RETURN(v1::TicketStatus status, domain::ParseTicketStatus(fields["status"]));
        return domain::ChangeStatus{
            .ticket_id = request.Param("id"), .caller = caller, .status = status};
      },
      api.services.personal);
}

// A file part of a multipart/form-data body, streamed into the blob store (the first file part
// only; other parts are read and dropped).
class BlobPartHandler : public Poco::Net::PartHandler {
 public:
  explicit BlobPartHandler(blobs::BlobStore& blobs) : blobs_(blobs) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection parameters;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              parameters);
    if (stored.has_value() || !error.ok() || !refused.ok() || !parameters.has("filename")) {
      stream.ignore(std::numeric_limits<std::streamsize>::max());
      return;
    }
    file_name = parameters.get("filename");
    content_type = header.get("Content-Type", "application/octet-stream");
    refused = domain::CheckMediaType(content_type);  // before a byte is stored
    if (!refused.ok()) {
      stream.ignore(std::numeric_limits<std::streamsize>::max());
      return;
    }
    auto put = blobs_.Put(stream, domain::kMaxAttachmentBytes);
    if (put.ok()) {
      stored = *put;
    } else {
      error = put.status();
    }
    stream.ignore(std::numeric_limits<std::streamsize>::max());
  }

  std::optional<blobs::BlobRef> stored;
  Status error;    // storing failed (too large: kInvalidArgument)
  Status refused;  // the part's Content-Type is not a media type
  std::string file_name;
  std::string content_type;

 private:
  blobs::BlobStore& blobs_;
};

// Raw bytes with their Content-Type and ?filename=, or multipart/form-data; at most 25 MiB.
Answer Upload(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  const std::string id = request.Param("id");
  Status actable;
  api.services.writes.Read([&](const domain::Model& model) {
    actable = domain::ActableTicket(model, caller, id).status();
  });
  LD_RETURN_IF_ERROR(actable);  // before storing any byte
  // (A declared length past the limit was refused before the route ran: PortalApi.)
  if (!HasBody(request.http)) {
    return InvalidArgument(
        "the attachment's bytes are missing (send them with a Content-Length "
        "or chunked)");
  }
  std::string file_name = request.Query("filename");
  std::string content_type = request.http.getContentType();
  Result<blobs::BlobRef> stored = NotFound("");
  if (content_type.rfind("multipart/form-data", 0) == 0) {
    BlobPartHandler part(api.services.blobs);
    Poco::Net::HTMLForm form;
    form.setFieldLimit(20);
    form.setValueLengthLimit(64 * 1024);
    std::string media_type;
    Poco::Net::NameValueCollection parameters;
    Poco::Net::MessageHeader::splitParameters(content_type, media_type, parameters);
    MultipartEndWatch watch(request.http.stream(), parameters.get("boundary", ""));
    std::istream watched(&watch);
    try {
      form.load(request.http, watched, part);
    } catch (const Poco::Exception&) {
      return InvalidArgument("the multipart/form-data body is malformed");
    }
    if (!watch.saw_end()) {
      return InvalidArgument(
          "the multipart/form-data body is cut short: it ends before its closing boundary");
    }
    if (!part.refused.ok()) return part.refused;
    if (!part.error.ok()) {
      stored = part.error;
    } else if (!part.stored) {
      return InvalidArgument(
          "the multipart/form-data body has no file part (a part with a filename)");
    } else {
      stored = *part.stored;
    }
    file_name = part.file_name;
    content_type = part.content_type;
  } else {
    LD_RETURN_IF_ERROR(domain::CheckMediaType(content_type));  // before a byte is stored
    stored = api.services.blobs.Put(request.http.stream(), domain::kMaxAttachmentBytes);
  }
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kInvalidArgument) {
      return PayloadTooLarge(domain::kMaxAttachmentBytes);
    }
    return stored.status();
  }
  request.content_sha256 = stored->sha256;  // a retry carries the same bytes
  const std::string attachment_id = ApiContext::IdFor(request, caller, "attachments");
  LD_ASSIGN_OR_RETURN(
      auto added,
      api.Execute(request, caller, [&](const domain::Model& model, const auto& context) {
        return domain::Decide(
            model,
            domain::AddAttachment{.ticket_id = id,
                                  .attachment_id = attachment_id,
                                  .caller = caller,
                                  .sha256 = stored->sha256,
                                  .size = stored->size,
                                  .file_name = file_name.empty() ? "attachment" : file_name,
                                  .content_type = content_type},
            context);
      }));
  Poco::JSON::Object out;
  out.set("attachment_id", attachment_id);
  out.set("sha256", log::Hex(stored->sha256));
  out.set("size", stored->size);
  out.set("position", LastPosition(added.position));
  return Json(201, out);
}

// Content-Disposition for a download (RFC 6266): the name as ASCII in filename= (other characters
// as '_'), and whole, UTF-8 percent-encoded, in filename*= when it is not all ASCII. The name was
// made safe on the way in (no quotes, no path parts, no control characters).
std::string AttachmentDisposition(const std::string& file_name) {
  std::string ascii;
  for (unsigned char c : file_name) {
    if ((c & 0xC0) != 0x80) ascii += c < 0x80 ? static_cast<char>(c) : '_';  // '_' a character
  }
  std::string disposition = "attachment; filename=\"" + ascii + "\"";
  if (ascii != file_name) disposition += "; filename*=UTF-8''" + values::PercentEncode(file_name);
  return disposition;
}

Answer Download(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  LD_ASSIGN_OR_RETURN(auto attachment,
                      projections::GetAttachment(*api.Views(), caller, request.Param("id"),
                                                 request.Param("attachment_id")));
  auto bytes = api.services.blobs.Get(attachment.sha256);
  if (!bytes.ok()) {
    // Erased with its owner's data, or lost: gone either way for the caller.
    if (bytes.status().code() == StatusCode::kNotFound) {
      return NotFound("the attachment's content is no longer held");
    }
    return bytes.status();
  }
  // Every writer checks the type, but a log written before they did may hold anything: nothing
  // but a media type gets into the header.
  Answer answer(200, std::move(*bytes),
                domain::IsMediaType(attachment.content_type) ? attachment.content_type
                                                             : "application/octet-stream");
  answer.disposition = AttachmentDisposition(attachment.file_name);
  return answer;
}

}  // namespace

std::vector<Route> TicketRoutes() {
  using enum Access;
  return {
      {"POST",
       "/api/v1/tickets",
       "open a ticket on a device of an active contract",
       201,
       kSession,
       {"contract_number", "serial", "title", "description", "cc?", "partner_access?", "priority?"},
       OpenTicket},
      {"GET",
       "/api/v1/tickets",
       "the organization's tickets, newest activity first",
       200,
       kSession,
       {},
       ListTickets},
      {"GET",
       "/api/v1/tickets/{id}",
       "a ticket with its dialog newest first",
       200,
       kSession,
       {},
       GetTicket},
      {"POST",
       "/api/v1/tickets/{id}/messages",
       "post a message (a customer's reopens a closed ticket; an engineer's first sets "
       "responded_at)",
       201,
       kSession,
       {"body"},
       PostMessage},
      {"POST",
       "/api/v1/tickets/{id}/attachments",
       "attach a file: raw body with ?filename= or multipart/form-data, at most 25 MiB",
       201,
       kSession,
       {},
       Upload,
       /*streams_body=*/true},
      {"GET",
       "/api/v1/tickets/{id}/attachments/{attachment_id}",
       "an attachment's bytes",
       200,
       kSession,
       {},
       Download},
      {"POST", "/api/v1/tickets/{id}/cc", "add a CC address", 201, kSession, {"email"}, AddCc},
      {"PUT",
       "/api/v1/tickets/{id}/partner-access",
       "grant or withdraw the reseller's consent to read the ticket",
       200,
       kSession,
       {"granted"},
       ChangePartnerAccess},
      {"POST", "/api/v1/tickets/{id}/close", "close the ticket", 200, kSession, {}, Close},
      {"POST", "/api/v1/tickets/{id}/reopen", "reopen a closed ticket", 200, kSession, {}, Reopen},
      {"POST",
       "/api/v1/tickets/{id}/escalate",
       "escalate the ticket: it shows escalated_at and escalation_reason, and engineers' queue "
       "lists it with the urgent ones, until it is closed",
       200,
       kSession,
       {"reason"},
       Escalate},
      {"PUT",
       "/api/v1/tickets/{id}/status",
       "set the ticket's status (engineers)",
       200,
       kEngineer,
       {"status"},
       ChangeStatus},
  };
}

}  // namespace ledgerdesk::tools::http
