#pragma once

// Every projection the server, `projections rebuild` and `projections digest` apply, in order.

#include "projections/projection.h"

namespace ledgerdesk::projections {

// EventCounts, Contracts, Tickets, Queue, Notifications (one shared immutable set).
const ProjectionSet& DefaultProjections();

}  // namespace ledgerdesk::projections
