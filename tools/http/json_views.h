#pragma once

// The JSON forms of what the projections answer, in one place: every route that shows a contract,
// a ticket, a queue entry or a notification shows it the same way.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string_view>

#include "projections/queries.h"
#include "tools/http/api_context.h"

namespace ledgerdesk::tools::http {

std::string_view RoleName(v1::Role role);  // customer, engineer, partner, operator

Poco::JSON::Object ContractJson(const projections::ContractView& contract);
// The caller's organization's contracts as of today in Warsaw.
Result<Poco::JSON::Array> ContractsJson(ApiContext& api, const domain::Caller& caller);

Poco::JSON::Object TicketSummaryJson(const ApiContext& api,
                                     const projections::TicketSummary& ticket);
Poco::JSON::Object TicketDetailJson(const ApiContext& api, const projections::TicketDetail& detail);
Poco::JSON::Object QueueEntryJson(const ApiContext& api, const projections::QueueEntry& entry);
Poco::JSON::Object NotificationJson(const ApiContext& api,
                                    const projections::NotificationView& notification);

}  // namespace ledgerdesk::tools::http
