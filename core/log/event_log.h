#pragma once

// The event log: one total order of envelopes, behind one interface with two backends (the embedded
// durable log in the data dir, and a one-partition Kafka topic). The log stores and returns bytes;
// it never decides whether an event applies: every reader does that the same way
// (stream_validator.h).

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::log {

// A place in the log: a sequence number in the embedded log, an offset on Kafka. Increases in log
// order; not dense on Kafka (transaction markers take offsets).
struct Position {
  uint64_t value = 0;
  friend auto operator<=>(const Position&, const Position&) = default;
};

// One record as read back: the stream id and the serialized Envelope (decode with
// envelope_codec.h).
struct LogRecord {
  Position position;
  std::string key;
  std::string value;
};

// Reads records in log order from a starting position. Used by one thread at a time.
class LogReader {
 public:
  virtual ~LogReader() = default;
  // Returns up to `max_records` next records. When none is there yet, waits up to `wait` for more
  // and returns an empty vector if none came. Empty means the reader is at the log's end: a
  // backend that cannot tell yet (a Kafka reader whose fetch has not come back) waits longer, up
  // to its own timeout, so scans may stop at the first empty read. Errors: kDataLoss for a record
  // that fails its checksum, kUnavailable when the backend cannot be reached.
  virtual Result<std::vector<LogRecord>> Read(size_t max_records,
                                              std::chrono::milliseconds wait) = 0;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `events` in order as one unit: on success every one of them is durable (fsync'd, or in
  // one committed Kafka transaction) and the returned positions are theirs, in the same order.
  // On error some of them may still have been written; readers' validation makes a retry of the
  // same envelopes harmless. Thread-safe; calls are serialized (the Writer shares one call among
  // many concurrent commands: that is the group commit).
  virtual Result<std::vector<Position>> Append(const std::vector<v1::Envelope>& events) = 0;

  // The position the next appended record will get, or past the last one (the end as seen now).
  virtual Result<Position> End() = 0;

  // A reader starting at the first record at or after `from`.
  virtual Result<std::unique_ptr<LogReader>> NewReader(Position from) = 0;

  // True when no other process can append (the embedded log holds a lock on the data dir), so a
  // writer need not read its appends back to learn whether another writer raced it.
  virtual bool HasExclusiveWriter() const = 0;

  // Where the log lives, for messages: "embedded log in /data/log", "Kafka topic t at host:9092".
  virtual std::string Describe() const = 0;
};

}  // namespace ledgerdesk::log
