#include "tools/http/portal_api.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <limits>
#include <optional>

#include "core/log/envelope_codec.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"

namespace ledgerdesk::tools::http {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// What a multipart/form-data envelope adds to an attachment's bytes, at most.
constexpr size_t kMultipartSlack = 64 * 1024;
// A JSON body declared past its limit but at most this long is read and dropped before the 413
// (a client still sending would otherwise see its connection reset, not the answer); a longer one
// is refused unread and the connection closed.
constexpr size_t kMaxDrainedJsonBody = 1 << 20;

std::vector<std::string> RouteLabels() {
  std::vector<std::string> labels;
  for (const Route& route : AllRoutes()) labels.push_back(route.method + " " + route.pattern);
  return labels;
}

// A body whose end is unknown (a Content-Length that is not one number) or declared far larger
// than the route takes: answered before anything reads it, and the connection closes (the next
// request's start is unknown, or not worth reading up to).
std::optional<Answer> RefusedFraming(const Route* route, const HTTPServerRequest& request) {
  std::optional<Answer> refused;
  if (Status framing = CheckFraming(request); !framing.ok()) {
    refused = Answer(framing);
  } else if (const bool upload = route != nullptr && route->streams_body;
             request.hasContentLength() &&
             request.getContentLength64() >
                 static_cast<int64_t>(upload ? domain::kMaxAttachmentBytes + kMultipartSlack
                                             : kMaxDrainedJsonBody)) {
    refused = Answer(PayloadTooLarge(upload ? domain::kMaxAttachmentBytes : kMaxJsonBody));
  }
  if (refused) refused->close_connection = true;
  return refused;
}

class ApiHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ApiHandler(const ApiServices& services) : services_(services) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    const std::string path = request.getURI().substr(0, request.getURI().find('?'));
    ApiRequest api_request{request, {}};
    // HEAD is GET without the body (RFC 9110 §9.3.2; Poco's response leaves the body out).
    const bool head = request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
    const Route* route = MatchRoute(head ? "GET" : request.getMethod(), path, api_request.params);
    Answer answer;
    try {
      if (request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_1 &&
          request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_0) {
        response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);  // not the request's unknown one
        answer = Answer(505, ErrorJson({505, "http_version_not_supported",
                                        "this server speaks HTTP/1.1 and HTTP/1.0"}));
        answer.close_connection = true;
      } else if (auto refused = RefusedFraming(route, request)) {
        answer = std::move(*refused);
      } else {
        answer = Answer_(route, path, api_request);
      }
    } catch (const std::exception&) {
      answer = Internal("unexpected");  // no stack traces or internals in answers
    }
    if (answer.close_connection) {
      response.setKeepAlive(false);  // the unread body goes with the connection
    } else if (HasBody(request)) {
      request.stream().ignore(std::numeric_limits<std::streamsize>::max());
    }
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    response.set("X-Content-Type-Options", "nosniff");  // an attachment is never run as a page
    if (answer.status == 204) {
      response.setContentLength(0);
      response.send();
    } else {
      response.setContentType(answer.content_type);
      if (!answer.disposition.empty()) response.set("Content-Disposition", answer.disposition);
      if (!answer.allow.empty()) response.set("Allow", answer.allow);
      if (answer.status == 401) response.set("WWW-Authenticate", "Bearer");
      response.sendBuffer(answer.body.data(), answer.body.size());  // one write, not 4 KiB pieces
    }
    const size_t index =
        route != nullptr ? static_cast<size_t>(route - AllRoutes().data()) : AllRoutes().size();
    services_.metrics->Record(index, answer.status, std::chrono::steady_clock::now() - started);
  }

 private:
  Answer Answer_(const Route* route, const std::string& path, ApiRequest& request) {
    if (route == nullptr) {
      if (std::string methods = MethodsOf(path); !methods.empty()) {
        Answer refused(405, ErrorJson({405, "method_not_allowed",
                                       request.http.getMethod() + " is not allowed on " + path}));
        refused.allow = std::move(methods);
        return refused;
      }
      return NotFound("no such endpoint: " + request.http.getMethod() + " " + path);
    }
    if (services_.read_only && route->method != "GET") {
      return ReadOnlyReplica(services_.writer_address);
    }
    ApiContext api(services_);
    const std::string key = request.http.get("Idempotency-Key", "");
    if (route->method == "GET" || key.empty() || route->streams_body) {
      return route->handle(api, request);
    }
    // A keyed write: its body is read first, so that a retry can be recognised by it.
    auto body = ReadBody(request.http, kMaxJsonBody);
    if (!body.ok()) return body.status();
    request.body = std::move(*body);
    const std::string scope =
        route->method + " " + path + '\0' + request.http.get("Authorization", "") + '\0' + key;
    request.content_sha256 = log::Sha256(*request.body);
    if (auto first = services_.idempotent->Find(scope, request.content_sha256)) return *first;
    Answer answer = route->handle(api, request);
    services_.idempotent->Store(scope, request.content_sha256, answer);
    return answer;
  }

  const ApiServices& services_;
};

}  // namespace

PortalApi::PortalApi(ApiServices services)
    : metrics_(std::make_unique<Metrics>(RouteLabels())), services_(services) {
  services_.metrics = metrics_.get();
  services_.answers = &answers_;
  services_.idempotent = &idempotent_;
}

void PortalApi::RecordUnrouted(int status) {
  metrics_->Record(AllRoutes().size(), status, std::chrono::nanoseconds(0));
}

Poco::Net::HTTPRequestHandler* PortalApi::createRequestHandler(const HTTPServerRequest&) {
  return new ApiHandler(services_);  // Poco takes ownership
}

}  // namespace ledgerdesk::tools::http
