#include "projections/notifications_projection.h"

#include <charconv>

#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {

std::string NotificationsProjection::CountKey(std::string_view account_id) {
  return rows::Key("count/", rows::Part{account_id});
}
std::string NotificationsProjection::AccountPrefix(std::string_view account_id) {
  return rows::Key("account/", rows::Part{account_id}, "/");
}
std::string NotificationsProjection::NotificationKey(std::string_view account_id,
                                                     uint64_t sequence) {
  return rows::Key("account/", rows::Part{account_id}, "/", rows::Hex{~sequence});
}

Status NotificationsProjection::Apply(const log::LogRecord&, const v1::Envelope& envelope,
                                      RowSink& sink) const {
  if (!envelope.has_notification_queued()) return OkStatus();
  const auto& event = envelope.notification_queued();
  const std::string count_key = CountKey(event.account_id());
  LD_ASSIGN_OR_RETURN(auto current, sink.Get(kColumnFamily, count_key));
  uint64_t count = 0;
  if (current) {
    const char* end = current->data() + current->size();
    auto [stop, error] = std::from_chars(current->data(), end, count);
    if (error != std::errc() || stop != end) {
      return DataLoss("notification count row " + count_key + " is not a number");
    }
  }
  rows::NotificationRow row;
  row.set_notification_id(event.notification_id());
  row.set_account_id(event.account_id());
  row.set_ticket_id(event.ticket_id());
  row.set_kind(event.kind());
  row.set_queued_at_us(rows::Micros(envelope.occurred_at()));
  row.set_sequence(count + 1);
  LD_RETURN_IF_ERROR(sink.Put(kColumnFamily, count_key, std::to_string(count + 1)));
  return rows::PutWriteOnlyLending(sink, kColumnFamily,
                                   NotificationKey(event.account_id(), count + 1), row,
                                   &rows::NotificationRow::unsafe_arena_set_allocated_text,
                                   &rows::NotificationRow::unsafe_arena_release_text, event.text());
}

}  // namespace ledgerdesk::projections
