#include "projections/default_projections.h"

#include "projections/accounts_projection.h"
#include "projections/contracts_projection.h"
#include "projections/notifications_projection.h"
#include "projections/queue_projection.h"
#include "projections/subject_index_projection.h"
#include "projections/tickets_projection.h"

namespace ledgerdesk::projections {

const ProjectionSet& DefaultProjections() {
  static const ProjectionSet projections = {
      std::make_shared<ContractsProjection>(),
      std::make_shared<TicketsProjection>(),       std::make_shared<QueueProjection>(),
      std::make_shared<NotificationsProjection>(), std::make_shared<SubjectIndexProjection>(),
      std::make_shared<AccountsProjection>(),
  };
  return projections;
}

}  // namespace ledgerdesk::projections
