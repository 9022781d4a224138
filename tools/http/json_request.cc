#include "tools/http/json_request.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <istream>
#include <optional>

#include "tools/http/api_errors.h"

namespace ledgerdesk::tools::http {
namespace {

constexpr int kMaxDepth = 16;

// Rejects deep nesting before the parser recurses into it.
bool TooDeep(const std::string& body) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    }
    if (c == '}' || c == ']') --depth;
  }
  return false;
}

}  // namespace

bool HasBody(const Poco::Net::HTTPServerRequest& request) {
  return request.getChunkedTransferEncoding() || request.hasContentLength();
}

Status CheckFraming(const Poco::Net::HTTPServerRequest& request) {
  std::optional<std::string> length;
  for (const auto& [name, value] : request) {
    if (Poco::icompare(name, Poco::Net::HTTPMessage::CONTENT_LENGTH) != 0) continue;
    const std::string digits = Poco::trim(value);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
      return InvalidArgument("the Content-Length header is not a number of bytes");
    }
    if (length && *length != digits) {
      return InvalidArgument("the request has two Content-Length headers that differ");
    }
    length = digits;
  }
  return OkStatus();
}

Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& request, size_t limit) {
  if (!HasBody(request)) return std::string();
  std::istream& in = request.stream();
  std::string body;
  char buffer[8192];
  bool too_large = false;
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    if (!too_large) {
      body.append(buffer, static_cast<size_t>(in.gcount()));
      if (body.size() > limit) {
        too_large = true;
        body.clear();
      }
    }
  }
  if (in.bad()) return BodyTimedOut();  // the connection failed or went quiet mid-body
  if (too_large) return PayloadTooLarge(limit);
  return body;
}

Result<Poco::JSON::Object::Ptr> ParseObject(const std::string& body) {
  if (body.empty()) return InvalidArgument("the request needs a JSON object body");
  if (TooDeep(body)) return InvalidArgument("malformed JSON: nested too deep");
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(body);
    auto object = parsed.extract<Poco::JSON::Object::Ptr>();
    if (object.isNull()) return InvalidArgument("the request body must be a JSON object");
    return object;
  } catch (const Poco::BadCastException&) {
    return InvalidArgument("the request body must be a JSON object");
  } catch (const Poco::Exception&) {
    return InvalidArgument("malformed JSON in the request body");
  }
}

Result<std::optional<std::string>> OptionalStringField(const Poco::JSON::Object& object,
                                                       const std::string& name) {
  if (!object.has(name) || object.isNull(name)) return std::optional<std::string>();
  const Poco::Dynamic::Var value = object.get(name);
  if (!value.isString()) return InvalidArgument(name + " must be a string");
  return std::optional<std::string>(value.extract<std::string>());
}

Result<std::string> StringField(const Poco::JSON::Object& object, const std::string& name) {
  LD_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringField(object, name));
  if (!value.has_value()) return InvalidArgument(name + " is required");
  return *value;
}

}  // namespace ledgerdesk::tools::http
