#pragma once

// The portal's notifications (NotificationQueued), per account, newest first. Column family
// "notifications":
//   count/<account_id>                   -> how many the account has had, in decimal
//   account/<account_id>/<~sequence>     -> NotificationRow (text sealed): a prefix scan is newest
//       first (log order, so two in one command keep their order)

#include <cstdint>

#include "projections/projection.h"

namespace ledgerdesk::projections {

class NotificationsProjection : public Projection {
 public:
  static constexpr std::string_view kName = "notifications";
  static constexpr std::string_view kColumnFamily = "notifications";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string CountKey(std::string_view account_id);
  static std::string AccountPrefix(std::string_view account_id);
  static std::string NotificationKey(std::string_view account_id, uint64_t sequence);
};

}  // namespace ledgerdesk::projections
