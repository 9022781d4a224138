// Engineers' work: the queue under SLA deadlines, breaches, unlocking accounts (spec/http-api.md
// "Engineers and partners", "SLA"). Status changes are with the ticket routes.

#include "tools/http/api_context.h"
#include "tools/http/json_views.h"

namespace ledgerdesk::tools::http {
namespace {

Answer Queue(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller engineer, api.Engineer(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  LD_ASSIGN_OR_RETURN(auto queue, projections::EngineerQueue(*api.Views(), engineer,
                                                             std::chrono::system_clock::now()));
  Poco::JSON::Array out;
  for (const auto& entry : queue) out.add(QueueEntryJson(api, entry));
  return Json(200, out);
}

Answer Breaches(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller engineer, api.Engineer(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  // Late first replies, and the tickets still unanswered past their due time.
  LD_ASSIGN_OR_RETURN(auto breaches, projections::SlaBreaches(*api.Views(), engineer,
                                                              std::chrono::system_clock::now()));
  Poco::JSON::Array out;
  for (const auto& entry : breaches) out.add(QueueEntryJson(api, entry));
  return Json(200, out);
}

Answer Unlock(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller engineer, api.Engineer(request));
  return ApiContext::Written(api.services.accounts.Unlock(engineer, request.Param("account_id")),
                             200);
}

}  // namespace

std::vector<Route> StaffRoutes() {
  using enum Access;
  return {
      {"GET",
       "/api/v1/queue",
       "engineers: every non-closed ticket, urgent and escalated first, then by due time",
       200,
       kEngineer,
       {},
       Queue},
      {"GET",
       "/api/v1/sla/breaches",
       "engineers: first replies after the due time, and unanswered tickets past it",
       200,
       kEngineer,
       {},
       Breaches},
      {"POST",
       "/api/v1/accounts/{account_id}/unlock",
       "engineers: unlock a locked account",
       200,
       kEngineer,
       {},
       Unlock},
  };
}

}  // namespace ledgerdesk::tools::http
