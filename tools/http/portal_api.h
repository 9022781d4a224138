#pragma once

// The portal API (spec/http-api.md) over Poco::Net: each request is matched against the route
// table (route.h), answered by its handler (*_routes.cc), timed and counted for /metrics. Errors
// go through api_errors.h; a body is always read to its end before answering (keep-alive).

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>

#include "tools/http/answer_cache.h"
#include "tools/http/api_context.h"
#include "tools/http/idempotent_answers.h"
#include "tools/http/metrics.h"

namespace ledgerdesk::tools::http {

class PortalApi : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // `services.read_only`: a replica (or a replay), whose writes answer 503.
  explicit PortalApi(ApiServices services);
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;
  // Counts an answer the server gave before any route (HttpServerOptions::answered_unrouted) in
  // the request metrics, as route "unmatched". Thread-safe.
  void RecordUnrouted(int status);

 private:
  std::unique_ptr<Metrics> metrics_;
  AnswerCache answers_;  // rendered ticket answers, valid while the projections stand still
  IdempotentAnswers idempotent_;  // first answers of keyed writes
  ApiServices services_;
};

}  // namespace ledgerdesk::tools::http
