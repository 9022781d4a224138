#pragma once

// The fold interface of the read side. A projection turns each applied event into row writes in the
// column families it owns; it never touches RocksDB: the runner hands it a RowSink (a batch over
// the store in production, MemoryRows in tests), so every projection is testable without a
// database.

#include <google/protobuf/message_lite.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::projections {

// Rows as one projection sees them while it applies events.
class RowSink {
 public:
  virtual ~RowSink() = default;

  // The current value of `key` in column family `cf`, including writes made earlier in the same
  // batch (not yet committed); nullopt when there is none. Errors: kInvalidArgument for a column
  // family the caller does not own; kUnavailable when the store cannot be read.
  virtual Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) = 0;

  // Sets or removes a row. Errors: kInvalidArgument for a column family the caller does not own.
  virtual Status Put(std::string_view cf, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view cf, std::string_view key) = 0;

  // Sets a row that the fold never reads back nor deletes (an index entry, a message): a sink may
  // write it out without keeping it where Get finds it, which spares a rebuild holding every such
  // row for lookups. Of several writes of one key the last stands, as with Put. Errors as Put.
  virtual Status PutWriteOnly(std::string_view cf, std::string_view key, std::string_view value) {
    return Put(cf, key, value);
  }
  // PutWriteOnly of `row`'s serialization: a sink may serialize it straight to where it keeps
  // the row, without a string in between.
  virtual Status PutWriteOnlyRow(std::string_view cf, std::string_view key,
                                 const google::protobuf::MessageLite& row) {
    return PutWriteOnly(cf, key, row.SerializeAsString());
  }

  // Rows kept parsed. A fold that reads a row, changes it and writes it back on many events (a
  // ticket's row, a subject's postings) edits the parsed message the sink keeps: the sink writes
  // the message's serialization when it writes the row out, so a rebuild parses and serializes
  // such a row once, not once per event. The bytes are the same as if the fold had Put them.
  //
  // FindRow: the row at `key` parsed as a message of `type`'s type, for reading; null when there
  // is none. EditRow: the same row for changing (whatever the caller does to it is written);
  // where there is none, a new empty message when `create` (written even if left empty), else
  // null and nothing is written.
  //
  // The message stays the sink's; it is valid while the fold applies the current event unless
  // the same key is Put, PutWriteOnly or Deleted meanwhile (changes to it until then are the
  // row's, read back by Get too). A key is asked for as one type
  // throughout. Errors: kDataLoss when the stored bytes do not parse as the type; kInternal for a
  // key asked for as two types; those of Get.
  virtual Result<const google::protobuf::MessageLite*> FindRow(
      std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type) = 0;

  virtual Result<google::protobuf::MessageLite*> EditRow(std::string_view cf, std::string_view key,
                                                         const google::protobuf::MessageLite& type,
                                                         bool create) = 0;

  // What an index entry holds: nothing, or a copy of its owner row (an engineer's queue lists
  // tickets from the entries alone).
  enum class IndexValue { kEmpty, kOwnerRow };

  // Moves the index entry that the row at `owner` keeps in the same column family from `from`
  // (the key the fold gave last time; none for a new row) to `to` (none: it has no entry now).
  // The rows are the same as after Delete(from) and Put(to, value): "" or the owner's bytes as
  // they are now (so a fold moves it after the event's last change to the owner, and again, to
  // the same key, whenever the owner changes). But a sink may keep the entry with its owner while
  // it holds the owner in memory and write it only with the owner: a ticket's activity entry
  // moves on every event of the ticket, and a rebuild then spends no lookups on it. `owner` is a
  // row the fold has just read or edited. Errors as Put and Get; kInternal when the sink keeps
  // the owner's entry at another key than `from`.
  virtual Status MoveIndexEntry(std::string_view cf, std::string_view owner,
                                std::optional<std::string_view> from,
                                std::optional<std::string_view> to,
                                IndexValue value = IndexValue::kEmpty) {
    if (from && from != to) LD_RETURN_IF_ERROR(Delete(cf, *from));
    if (!to) return OkStatus();
    if (value == IndexValue::kEmpty) return Put(cf, *to, "");
    LD_ASSIGN_OR_RETURN(const std::optional<std::string> bytes, Get(cf, owner));
    return Put(cf, *to, bytes.value_or(""));
  }
};

// One read model. Implementations are pure folds: the rows after an event depend only on the rows
// before it and the event (no clocks, no randomness, no I/O), so a live store and a rebuild from
// the same log end up byte-for-byte equal. Apply is called from one thread at a time.
class Projection {
 public:
  virtual ~Projection() = default;

  // A stable name (lower_snake_case), used by `rebuild --only` and in messages.
  virtual std::string_view name() const = 0;

  // The column families this projection owns (lower_snake_case, unique across projections, never
  // "checkpoint" or "validator" nor starting with "_"). A fold whose rows come to hold something
  // else renames its column families (a `_v2` suffix): a store made by an older build then lacks
  // them and is refused until rebuilt, instead of mixing old rows with new.
  virtual std::vector<std::string> column_families() const = 0;

  // Folds one event that the self-validating read admitted (its stream's next version, a new id),
  // in log order. `record` gives the position and raw bytes; `envelope` is the decoded record. An
  // error stops the runner at this event (nothing of its batch is committed): projections should
  // treat events they do not care about as no-ops, not as errors.
  virtual Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
                       RowSink& rows) const = 0;
};

// The projections a runner or a rebuild applies, in order. Projections are immutable (Apply is
// const), so sets are shared freely.
using ProjectionSet = std::vector<std::shared_ptr<const Projection>>;

}  // namespace ledgerdesk::projections
