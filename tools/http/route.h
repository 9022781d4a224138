#pragma once

// The portal API as a table of routes: each a method, a path pattern with {parameters}, what it
// does and its handler. The same table routes requests, labels the metrics and generates the
// OpenAPI document, so the three cannot disagree.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tools/http/answer.h"

namespace Poco::Net {
class HTTPServerRequest;
}

namespace ledgerdesk::tools::http {

class ApiContext;

// One request as a handler sees it: Poco's request and the path's {parameters}.
struct ApiRequest {
  Poco::Net::HTTPServerRequest& http;
  std::map<std::string, std::string> params;
  std::optional<std::string> body;  // read ahead (a keyed write); else the handler reads it
  // SHA-256 of what a keyed write carries: the body read ahead, or an upload once it is stored.
  // Part of the write's identity (ApiContext::RequestKey).
  std::string content_sha256;

  const std::string& Param(const std::string& name) const { return params.at(name); }
  // A query parameter, decoded, or "".
  std::string Query(const std::string& name) const;
};

// Who may call a route (documented in the OpenAPI document; enforced by the handlers and the
// queries, which know the rules).
enum class Access { kPublic, kSession, kEngineer, kAdministrator };

struct Route {
  std::string method;   // GET, POST, PUT, DELETE
  std::string pattern;  // "/api/v1/tickets/{id}/messages"
  std::string summary;  // one line for the OpenAPI document
  int success = 200;    // the status of a successful answer
  Access access = Access::kSession;
  std::vector<std::string> body_fields;  // JSON body fields it reads ("name?" when optional)
  std::function<Answer(ApiContext&, ApiRequest&)> handle;
  // The handler streams the body itself (an upload): never read ahead, so no replayed answer for
  // an Idempotency-Key — the ids it creates come from the key and the stored bytes instead.
  bool streams_body = false;
};

// Every route of the API, in the order the OpenAPI document lists them.
const std::vector<Route>& AllRoutes();

// The route for `method` and `path` (the URI without its query), its parameters filled in; null
// when none matches.
const Route* MatchRoute(const std::string& method, const std::string& path,
                        std::map<std::string, std::string>& params);
// The methods the routes of `path` take ("POST, GET, HEAD", in route order), "" when none: a 405's Allow header
// (rather than a 404).
std::string MethodsOf(const std::string& path);

// The routes of each part of the API (*_routes.cc).
std::vector<Route> SystemRoutes();
std::vector<Route> AccountRoutes();
std::vector<Route> ContractRoutes();
std::vector<Route> TicketRoutes();
std::vector<Route> StaffRoutes();

}  // namespace ledgerdesk::tools::http
