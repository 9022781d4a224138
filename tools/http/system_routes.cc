// The routes about the server itself: health, Prometheus metrics and the OpenAPI document, which
// is generated from the route table so it lists exactly what is served.

#include "tools/http/api_context.h"
#include "tools/http/metrics.h"

namespace ledgerdesk::tools::http {
namespace {

Answer Health(ApiContext& api, ApiRequest&) {
  const Status projections = api.services.projections.last_error();
  const Status follow = api.services.writes.follow_status();
  Poco::JSON::Object out;
  out.set("status", projections.ok() && follow.ok() ? "ok" : "degraded");
  out.set("role", api.services.read_only ? "read-only replica" : "writer");
  // As a write's "position": the last event's (in the log; applied), null when there is none, so
  // that either can be passed as ?min_position.
  const auto last = [](log::Position after) {
    return after.value == 0 ? Poco::Dynamic::Var() : Poco::Dynamic::Var(LastPosition(after));
  };
  out.set("log_position", last(api.services.writes.end()));
  out.set("projections_position", last(api.services.projections.applied_position()));
  return Json(200, out);
}

Answer MetricsText(ApiContext& api, ApiRequest&) {
  const double log_position = static_cast<double>(api.services.writes.end().value);
  const double applied = static_cast<double>(api.services.projections.applied_position().value);
  Answer answer(200,
                api.services.metrics->Render({
                    {"ledgerdesk_log_position", "Past the last log record this server has read.",
                     log_position},
                    {"ledgerdesk_projections_position",
                     "Past the last log record the projections have applied.", applied},
                    {"ledgerdesk_projection_lag_records",
                     "Log records read but not yet applied by the projections.",
                     log_position > applied ? log_position - applied : 0},
                }),
                "text/plain; version=0.0.4");
  return answer;
}

// ---- OpenAPI 3 ----

Poco::JSON::Object Ref(const std::string& name) {
  Poco::JSON::Object ref;
  ref.set("$ref", "#/components/" + name);
  return ref;
}

// {"type": "object", "properties": ...}
Poco::JSON::Object ObjectSchema(const Poco::JSON::Object& properties) {
  Poco::JSON::Object schema;
  schema.set("type", "object");
  schema.set("properties", properties);
  return schema;
}

// {"schema": ...}: a media type's entry in a content map.
// The schema of a plain value: {"type": type} (and its "format").
Poco::JSON::Object TypeSchema(const std::string& type, const std::string& format = "") {
  Poco::JSON::Object schema;
  schema.set("type", type);
  if (!format.empty()) schema.set("format", format);
  return schema;
}

Poco::JSON::Object Media(const Poco::JSON::Object& schema) {
  Poco::JSON::Object media;
  media.set("schema", schema);
  return media;
}

// A required request body of `content` (media type -> Media).
Poco::JSON::Object RequestBody(const Poco::JSON::Object& content, const std::string& description) {
  Poco::JSON::Object body;
  body.set("required", true);
  if (!description.empty()) body.set("description", description);
  body.set("content", content);
  return body;
}

Poco::JSON::Object Parameter(const std::string& name, const std::string& in, bool required,
                             const std::string& type, const std::string& description) {
  Poco::JSON::Object parameter;
  parameter.set("name", name);
  parameter.set("in", in);
  parameter.set("required", required);
  parameter.set("schema", TypeSchema(type));
  parameter.set("description", description);
  return parameter;
}

Poco::JSON::Object Operation(const Route& route) {
  Poco::JSON::Object operation;
  operation.set("summary", route.summary);
  std::string id = route.method;
  for (char c : route.pattern) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  operation.set("operationId", id);
  Poco::JSON::Array parameters;
  for (size_t open = route.pattern.find('{'); open != std::string::npos;
       open = route.pattern.find('{', open + 1)) {
    const std::string name =
        route.pattern.substr(open + 1, route.pattern.find('}', open) - open - 1);
    parameters.add(Parameter(name, "path", true, "string", name));
  }
  if (route.method == "GET" && route.access != Access::kPublic) {
    parameters.add(
        Parameter("min_position", "query", false, "integer",
                  "answer once the projections have applied the event at this log position (a "
                  "write's position; 504 after 5 s)"));
  }
  if (route.streams_body) {
    parameters.add(Parameter("filename", "query", false, "string",
                             "the file's name, with a raw body (made safe on the way in)"));
  }
  if (route.method != "GET") {
    parameters.add(Parameter("Idempotency-Key", "header", false, "string",
                             "a retry with the same key answers the first answer and appends "
                             "nothing"));
  }
  operation.set("parameters", parameters);
  if (!route.body_fields.empty()) {
    Poco::JSON::Object properties;
    Poco::JSON::Array required;
    for (std::string field : route.body_fields) {
      const bool optional = field.back() == '?';
      if (optional) field.pop_back();
      properties.set(field,
                     TypeSchema(field == "cc"                                     ? "array"
                                : field == "partner_access" || field == "granted" ? "boolean"
                                                                                  : "string"));
      if (!optional) required.add(field);
    }
    Poco::JSON::Object schema = ObjectSchema(properties);
    if (required.size() > 0) schema.set("required", required);
    Poco::JSON::Object content;
    content.set("application/json", Media(schema));
    operation.set("requestBody", RequestBody(content, ""));
  }
  if (route.streams_body) {  // an upload: the raw bytes, or a form with one file part
    const Poco::JSON::Object binary = TypeSchema("string", "binary");
    Poco::JSON::Object file;
    file.set("file", binary);
    Poco::JSON::Object content;
    content.set("*/*", Media(binary));
    content.set("multipart/form-data", Media(ObjectSchema(file)));
    operation.set("requestBody", RequestBody(content, "at most 25 MiB"));
  }
  Poco::JSON::Object responses;
  Poco::JSON::Object success;
  success.set("description", "done");
  responses.set(std::to_string(route.success), success);
  responses.set("default", Ref("responses/Error"));
  operation.set("responses", responses);
  if (route.access != Access::kPublic) {
    Poco::JSON::Array security;
    Poco::JSON::Object bearer;
    bearer.set("bearer", Poco::JSON::Array());
    security.add(bearer);
    operation.set("security", security);
  }
  return operation;
}

Answer OpenApi(ApiContext&, ApiRequest&) {
  static const std::string document = [] {
    Poco::JSON::Object paths;
    for (const Route& route : AllRoutes()) {
      Poco::JSON::Object::Ptr item = paths.has(route.pattern)
                                         ? paths.getObject(route.pattern)
                                         : Poco::JSON::Object::Ptr(new Poco::JSON::Object());
      std::string method = route.method;
      for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      item->set(method, Operation(route));
      paths.set(route.pattern, item);
    }
    Poco::JSON::Object info;
    info.set("title", "ledgerdesk portal API");
    info.set("version", "1");
    Poco::JSON::Object bearer;
    bearer.set("type", "http");
    bearer.set("scheme", "bearer");
    Poco::JSON::Object schemes;
    schemes.set("bearer", bearer);
    Poco::JSON::Object error_fields;
    error_fields.set("code", TypeSchema("string"));
    error_fields.set("message", TypeSchema("string"));
    Poco::JSON::Object error_properties;
    error_properties.set("error", ObjectSchema(error_fields));
    Poco::JSON::Object error_content;
    error_content.set("application/json", Media(ObjectSchema(error_properties)));
    Poco::JSON::Object error_response;
    error_response.set("description",
                       "an error: 400 invalid input, 401 not authenticated, 403 not allowed, 404 "
                       "not found (also another organization's), 409 conflict, 413 too large, "
                       "423 locked, 503 unavailable or a read-only replica, 504 min_position "
                       "not reached");
    error_response.set("content", error_content);
    Poco::JSON::Object responses;
    responses.set("Error", error_response);
    Poco::JSON::Object components;
    components.set("securitySchemes", schemes);
    components.set("responses", responses);
    Poco::JSON::Object document;
    document.set("openapi", "3.0.3");
    document.set("info", info);
    document.set("paths", paths);
    document.set("components", components);
    std::ostringstream text;
    document.stringify(text);
    return text.str();
  }();
  return Answer(200, document);
}

}  // namespace

std::vector<Route> SystemRoutes() {
  using enum Access;
  return {
      {"GET",
       "/healthz",
       "liveness, the server's role and its log and projection positions",
       200,
       kPublic,
       {},
       Health},
      {"GET",
       "/metrics",
       "Prometheus metrics: requests by route and status, latency, lag",
       200,
       kPublic,
       {},
       MetricsText},
      {"GET", "/api/v1/openapi.json", "this document", 200, kPublic, {}, OpenApi},
  };
}

}  // namespace ledgerdesk::tools::http
