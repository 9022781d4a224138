#pragma once

// The portal API (spec/http-api.md) over Poco::Net: requests become commands of the services and
// queries of the projections; every error goes through api_errors.h. Built so far: /healthz,
// registration and its confirmation, sessions, the caller's account, verification, two-factor
// set-up, password change and reset, the organization's contracts, and tickets: open, list,
// detail with the dialog newest first, message, close, reopen, attachments up and down (reads
// take ?min_position=N).

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "core/app/account_service.h"
#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/blobs/blob_store.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tools/http/answer_cache.h"

namespace ledgerdesk::tools::http {

struct ApiServices {
  app::WriteService& writes;
  app::AccountService& accounts;
  app::PersonalData& personal;  // opens what answers show, seals what commands carry
  const projections::ProjectionRunner& projections;
  const projections::Store& views;
  blobs::BlobStore& blobs;
};

class PortalApi : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit PortalApi(ApiServices services) : services_(services) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ApiServices services_;
  AnswerCache answers_;  // rendered ticket answers, valid while the projections stand still
};

}  // namespace ledgerdesk::tools::http
