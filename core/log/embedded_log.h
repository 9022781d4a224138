#pragma once

// The embedded log: a durable append-only log in a directory of the data dir, the default backend.
// Segment files of checksummed records (after LevelDB's log format: CRC + length per record);
// positions are sequence numbers from 0. An append returns only after fdatasync. Opening cuts off a
// torn or corrupt tail and reports it; corruption followed by intact records is refused
// (kDataLoss), never read past. A lock file keeps a second process out of the same directory.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/log/event_log.h"

namespace ledgerdesk::log {

struct EmbeddedLogOptions {
  std::filesystem::path dir;             // created if missing
  uint64_t segment_bytes = 64ull << 20;  // a new segment file starts past this size
  bool sync = true;                      // fdatasync before an append returns (tests may turn off)
  // Reading beside a running writer (`events tail`, audits): takes no exclusive lock, repairs
  // nothing, refuses appends, and treats an incomplete last record as not written yet.
  bool read_only = false;
};

// What opening found: how much it read, and what it cut off.
struct EmbeddedLogRecovery {
  uint64_t records = 0;          // intact records in the log
  uint64_t truncated_bytes = 0;  // bytes of a torn or corrupt tail cut off (0: the tail was clean)
  std::string detail;            // a sentence for the operator when something was cut off
};

class EmbeddedLog : public EventLog {
 public:
  // Opens (or creates) the log in options.dir. Errors: kUnavailable when another process holds the
  // directory (the message says so and names the directory), kDataLoss for corruption that is not
  // at the tail, kInternal for I/O errors (with the file and errno text).
  static Result<std::unique_ptr<EmbeddedLog>> Open(const EmbeddedLogOptions& options);

  // What Open found and repaired.
  virtual const EmbeddedLogRecovery& recovery() const = 0;
};

}  // namespace ledgerdesk::log
