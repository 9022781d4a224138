#pragma once

// A small real projection that proves the machinery: how many events were applied per event type
// and per stream. Column family "event_counts"; rows "type/<event type>" and "stream/<stream>",
// each -> the count in decimal.

#include "projections/projection.h"

namespace ledgerdesk::projections {

class EventCountsProjection : public Projection {
 public:
  static constexpr std::string_view kName = "event_counts";
  static constexpr std::string_view kColumnFamily = "event_counts";

  std::string_view name() const override { return kName; }
  std::vector<std::string> column_families() const override { return {std::string(kColumnFamily)}; }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;

  static std::string TypeKey(std::string_view event_type);
  static std::string StreamKey(std::string_view stream);
};

}  // namespace ledgerdesk::projections
