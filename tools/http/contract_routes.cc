// Contracts and notifications: reads of the caller's own organization from the projections.

#include "core/domain/dates.h"
#include "tools/http/api_context.h"
#include "tools/http/json_views.h"

namespace ledgerdesk::tools::http {
namespace {

Answer ListContracts(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  LD_ASSIGN_OR_RETURN(Poco::JSON::Array contracts, ContractsJson(api, caller));
  return Json(200, contracts);
}

Answer GetContract(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  LD_ASSIGN_OR_RETURN(auto contract, projections::GetContract(
                                         *api.Views(), caller, request.Param("number"),
                                         domain::WarsawDate(std::chrono::system_clock::now())));
  return Json(200, ContractJson(contract));
}

Answer ListNotifications(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(api.CaughtUp(request));
  LD_ASSIGN_OR_RETURN(auto notifications, projections::ListNotifications(*api.Views(), caller));
  Poco::JSON::Array out;
  for (const auto& notification : notifications) out.add(NotificationJson(api, notification));
  return Json(200, out);
}

}  // namespace

std::vector<Route> ContractRoutes() {
  using enum Access;
  return {
      {"GET",
       "/api/v1/contracts",
       "the caller's organization's contracts",
       200,
       kSession,
       {},
       ListContracts},
      {"GET",
       "/api/v1/contracts/{number}",
       "one contract of the caller's organization",
       200,
       kSession,
       {},
       GetContract},
      {"GET",
       "/api/v1/notifications",
       "the caller's notifications, newest first",
       200,
       kSession,
       {},
       ListNotifications},
  };
}

}  // namespace ledgerdesk::tools::http
