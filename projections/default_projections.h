#pragma once

// Every projection the server, `projections rebuild` and `projections digest` apply, in order: the
// views the portal and the audit commands read. (EventCountsProjection, which nothing reads and
// whose per-stream counts repeat the validator's stream versions, is for tests and for `bench
// rebuild`'s line on the rebuild machinery alone; a store written before it left this set keeps its
// column family unread until the next `projections rebuild`.)

#include "projections/projection.h"

namespace ledgerdesk::projections {

// Contracts, Tickets, Queue, Notifications, SubjectIndex, Accounts (one shared immutable set).
const ProjectionSet& DefaultProjections();

}  // namespace ledgerdesk::projections
