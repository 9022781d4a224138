#pragma once

// Internal to projections/: how the read models build keys and encode rows. Keys are
// '/'-separated parts; ids inside them are escaped ('%' -> "%25", '/' -> "%2F") so one id can
// never be a prefix path of another; numbers are fixed-width lowercase hex so bytewise order is
// numeric order, and "inverted" (~n) numbers sort newest first.

#include <google/protobuf/message_lite.h>
#include <google/protobuf/timestamp.pb.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "projections/projection.h"
#include "projections/row_reader.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::projections::rows {

// `id` escaped for use as one key part.
std::string KeyPart(std::string_view id);
// Appends KeyPart(id) to `key` (a fold building keys in one buffer).
void AppendKeyPart(std::string& key, std::string_view id);
// Appends Hex16(value) to `key`.
void AppendHex16(std::string& key, uint64_t value);
// 16 lowercase hex digits.
std::string Hex16(uint64_t value);

// A key from pieces, built in one allocation: Key("ticket/", Part{id}) is "ticket/" +
// KeyPart(id); Hex{n} is Hex16(n). (Folds build several keys per event.)
struct Part {
  std::string_view id;
};
struct Hex {
  uint64_t value;
};
inline size_t PieceSize(std::string_view text) { return text.size(); }
inline size_t PieceSize(Part part) { return part.id.size(); }
inline size_t PieceSize(Hex) { return 16; }
inline void AppendPiece(std::string& key, std::string_view text) { key.append(text); }
inline void AppendPiece(std::string& key, Part part) { AppendKeyPart(key, part.id); }
inline void AppendPiece(std::string& key, Hex hex) { AppendHex16(key, hex.value); }
// Makes `key` the key of `pieces`, reusing its buffer (a fold building many keys in one).
template <typename... Pieces>
void AssignKey(std::string& key, const Pieces&... pieces) {
  key.clear();
  key.reserve((PieceSize(pieces) + ...));
  (AppendPiece(key, pieces), ...);
}
template <typename... Pieces>
std::string Key(const Pieces&... pieces) {
  std::string key;
  AssignKey(key, pieces...);
  return key;
}

// Microseconds since the epoch; times before it count as 0 in keys (SortableMicros).
int64_t Micros(const google::protobuf::Timestamp& timestamp);
inline uint64_t SortableMicros(int64_t micros) {
  return micros < 0 ? 0 : static_cast<uint64_t>(micros);
}
std::chrono::system_clock::time_point FromMicros(int64_t micros);
int64_t ToMicros(std::chrono::system_clock::time_point time);

// Parses a row value; kDataLoss naming `cf` and `key` when it does not parse.
Status ParseRow(std::string_view cf, std::string_view key, std::string_view bytes,
                google::protobuf::MessageLite& row);

// The row at `key` parsed into a `Row`, or nullopt.
template <typename Row>
Result<std::optional<Row>> GetRow(RowSink& sink, std::string_view cf, std::string_view key) {
  LD_ASSIGN_OR_RETURN(auto bytes, sink.Get(cf, key));
  if (!bytes) return std::optional<Row>();
  Row row;
  LD_RETURN_IF_ERROR(ParseRow(cf, key, *bytes, row));
  return std::optional<Row>(std::move(row));
}
template <typename Row>
Result<std::optional<Row>> ReadRow(const RowReader& reader, std::string_view cf,
                                   std::string_view key) {
  LD_ASSIGN_OR_RETURN(auto bytes, reader.Get(cf, key));
  if (!bytes) return std::optional<Row>();
  Row row;
  LD_RETURN_IF_ERROR(ParseRow(cf, key, *bytes, row));
  return std::optional<Row>(std::move(row));
}

// The row at `key` parsed as a `Row` and kept parsed by the sink, for reading (RowSink::FindRow);
// null when there is none.
template <typename Row>
Result<const Row*> FindRow(RowSink& sink, std::string_view cf, std::string_view key) {
  LD_ASSIGN_OR_RETURN(const google::protobuf::MessageLite* row,
                      sink.FindRow(cf, key, Row::default_instance()));
  return static_cast<const Row*>(row);
}
// The same row for changing in place (RowSink::EditRow): a new empty one when there is none and
// `create`, else null.
template <typename Row>
Result<Row*> EditRow(RowSink& sink, std::string_view cf, std::string_view key, bool create) {
  LD_ASSIGN_OR_RETURN(google::protobuf::MessageLite * row,
                      sink.EditRow(cf, key, Row::default_instance(), create));
  return static_cast<Row*>(row);
}

// Writes `row` (deterministic bytes: rows hold no maps).
Status PutRow(RowSink& sink, std::string_view cf, std::string_view key,
              const google::protobuf::MessageLite& row);

// Writes `row` (RowSink::PutWriteOnlyRow) with `lent` as its sub-message field (set by `lend`,
// taken back by `take_back`) for the time of the write instead of a copy in it: a message's
// sealed body goes into the row's bytes without being copied twice. The bytes are those of a
// copy.
template <typename Row, typename Field>
Status PutWriteOnlyLending(RowSink& sink, std::string_view cf, std::string_view key, Row& row,
                           void (Row::*lend)(Field*), Field* (Row::*take_back)(),
                           const Field& lent) {
  (row.*lend)(const_cast<Field*>(&lent));  // not changed: only serialized
  Status written = sink.PutWriteOnlyRow(cf, key, row);
  (void)(row.*take_back)();
  return written;
}

// The ticket an event of the ticket aggregate (after its opening) is about; null for every other
// event.
const std::string* TicketIdOf(const v1::Envelope& envelope);

}  // namespace ledgerdesk::projections::rows
