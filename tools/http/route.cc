#include "tools/http/route.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

namespace ledgerdesk::tools::http {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool Matches(const Route& route, const std::string& path,
             std::map<std::string, std::string>& params) {
  const std::vector<std::string> pattern = Segments(route.pattern);
  const std::vector<std::string> actual = Segments(path);
  if (pattern.size() != actual.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& part = pattern[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      if (actual[i].empty()) return false;
      found[part.substr(1, part.size() - 2)] = actual[i];
    } else if (part != actual[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

std::string ApiRequest::Query(const std::string& name) const {
  const std::string& uri = http.getURI();
  const size_t question = uri.find('?');
  if (question == std::string::npos) return "";
  const std::string query = uri.substr(question + 1);
  size_t start = 0;
  while (start <= query.size()) {
    const size_t amp = std::min(query.find('&', start), query.size());
    const std::string pair = query.substr(start, amp - start);
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      std::string value;
      if (equals != std::string::npos) Poco::URI::decode(pair.substr(equals + 1), value);
      return value;
    }
    start = amp + 1;
  }
  return "";
}

const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all;
    for (auto part : {SystemRoutes, AccountRoutes, ContractRoutes, TicketRoutes, StaffRoutes}) {
      for (Route& route : part()) all.push_back(std::move(route));
    }
    return all;
  }();
  return routes;
}

const Route* MatchRoute(const std::string& method, const std::string& path,
                        std::map<std::string, std::string>& params) {
  for (const Route& route : AllRoutes()) {
    if (route.method == method && Matches(route, path, params)) return &route;
  }
  return nullptr;
}

std::string MethodsOf(const std::string& path) {
  std::map<std::string, std::string> ignored;
  std::string methods;
  for (const Route& route : AllRoutes()) {
    if (!Matches(route, path, ignored)) continue;
    methods += (methods.empty() ? "" : ", ") + route.method;
    if (route.method == "GET") methods += ", HEAD";  // answered as GET without the body
  }
  return methods;
}

}  // namespace ledgerdesk::tools::http
