#pragma once

// What every handler of the portal API shares: the services behind it and the few steps each
// request repeats (who is calling, the JSON body, read-your-writes, running a command, opening
// sealed fields).

#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>

#include "core/app/account_service.h"
#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/blobs/blob_store.h"
#include "core/domain/ticket/ticket.h"
#include "projections/row_reader.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tools/http/answer.h"
#include "tools/http/route.h"

namespace ledgerdesk::tools::http {

class AnswerCache;
class IdempotentAnswers;
class Metrics;

struct ApiServices {
  app::WriteService& writes;
  app::AccountService& accounts;
  app::PersonalData& personal;  // opens what answers show, seals what commands carry
  const projections::ProjectionRunner& projections;
  const projections::Store& views;
  blobs::BlobStore& blobs;
  Metrics* metrics = nullptr;               // set by PortalApi
  AnswerCache* answers = nullptr;           // set by PortalApi
  IdempotentAnswers* idempotent = nullptr;  // set by PortalApi
  // A read-only replica (or a replay of the past): writes answer 503, naming where they go when
  // `writer_address` says.
  bool read_only = false;
  std::string writer_address;
};

// What a write answers as "position": the log position of its last event (spec "Conventions"),
// from the position after it that the write service and the projections count in. A write that
// appended nothing answers the log's last event.
uint64_t LastPosition(log::Position after);

// The session token of "Authorization: Bearer <token>", or "".
std::string BearerToken(const Poco::Net::HTTPServerRequest& request);

class ApiContext {
 public:
  explicit ApiContext(const ApiServices& services) : services(services) {}

  const ApiServices& services;

  // The caller of the session in "Authorization: Bearer <token>" (with ?min_position=N, once the
  // state has folded that far: a session started at the writer is known to a replica).
  Result<domain::Caller> Caller(const ApiRequest& request);
  Result<domain::Caller> Engineer(const ApiRequest& request);  // kPermissionDenied for others

  // The body as one JSON object (read to its end, at most 64 KiB).
  Result<Poco::JSON::Object::Ptr> Body(ApiRequest& request);
  // The body's required string fields by name; the first missing or mistyped one is the error.
  Result<std::map<std::string, std::string>> RequiredFields(
      ApiRequest& request, std::initializer_list<const char*> names);

  // Waits until the projections have applied the event at ?min_position=N (read-your-writes: N is
  // a write's "position"); the timeout answers 504.
  Status CaughtUp(const ApiRequest& request);
  std::unique_ptr<projections::RowReader> Views() const { return services.views.Reader(); }

  // What a keyed write is known by in the log: a digest of the method, the URI, the caller (an
  // account id; "" before a session), the Idempotency-Key and the content, so that only a retry
  // of the very same request by the same caller finds the first one's events. "" without a key.
  static std::string RequestKey(const ApiRequest& request, std::string_view caller_id);
  // Runs a command as `caller`, known by RequestKey.
  Result<app::Outcome> Execute(const ApiRequest& request, const domain::Caller& caller,
                               const app::Decision& decide);
  // The answer of a write: `status` with {"position": N}, or the error.
  static Answer Written(const Result<app::Outcome>& outcome, int status);

  // A sealed field's text, or "[erased]" when it no longer opens.
  std::string Open(const v1::Sealed& sealed) const;

  static v1::Actor ActorOf(const domain::Caller& caller);
  // The id of a thing a write creates (`what`: "ticket", "message", ...): random, or derived from
  // RequestKey so that a retry names the same thing in its answer.
  static std::string IdFor(const ApiRequest& request, const domain::Caller& caller,
                           std::string_view what);
};

}  // namespace ledgerdesk::tools::http
