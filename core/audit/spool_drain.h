#pragma once

// A running serve appends the audit records that audit commands spooled beside it (audit_record.h:
// the embedded log held by serve, or Kafka, where audits never produce), so auditors are audited
// at once instead of at the next audit command that can write the log.
//
//   auto drain = audit::SpoolDrain::Start(data_dir / "audit-spool", audit::AppendThrough(writes));
//
// Each record is appended as a command of its own, then its file is removed. A crash between the
// two appends nothing twice: the record keeps its event id, and the write service answers an id
// the log holds already with its first position, appending nothing.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/app/write_service.h"
#include "core/common/status.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::audit {

// Appends one spooled record as it is (its event id, stream and payload) and answers its position;
// a record whose event id the log holds already must append nothing.
using AppendRecord = std::function<Result<log::Position>(const v1::Envelope&)>;

// Appends through the write service (which answers a known event id with its first position).
// `writes` outlives the function.
AppendRecord AppendThrough(app::WriteService& writes);

struct DrainRound {
  size_t appended = 0;    // records appended (or found appended already) and removed
  size_t unreadable = 0;  // files that are no envelope: renamed to *.unreadable, kept for a person
};

// Appends every record in `spool_dir`, oldest first, removing each file once its record is in the
// log. Stops at the first record that cannot be appended (the rest wait, in order). Errors: the
// append's.
Result<DrainRound> DrainSpool(const std::filesystem::path& spool_dir, const AppendRecord& append);

struct SpoolDrainOptions {
  // Besides reacting to new files (inotify), look this often: for file systems that do not report
  // changes, and to retry records whose append failed.
  std::chrono::milliseconds poll_every{1000};
  // What went wrong or was done (no personal data: file names and counts); default stderr.
  std::function<void(const std::string&)> report;
};

// Drains `spool_dir` at start and whenever a record appears, in a thread of its own, until the
// object goes.
class SpoolDrain {
 public:
  // Creates `spool_dir` if missing (so it can be watched) and starts the thread, which drains at
  // once. Errors: kInternal when the directory cannot be created.
  static Result<std::unique_ptr<SpoolDrain>> Start(std::filesystem::path spool_dir,
                                                   AppendRecord append,
                                                   SpoolDrainOptions options = {});
  ~SpoolDrain();
  SpoolDrain(const SpoolDrain&) = delete;
  SpoolDrain& operator=(const SpoolDrain&) = delete;

 private:
  SpoolDrain(std::filesystem::path spool_dir, AppendRecord append, SpoolDrainOptions options);
  void Run();
  void DrainAndReport();

  std::filesystem::path spool_dir_;
  AppendRecord append_;
  SpoolDrainOptions options_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd: written once to stop the thread
  std::string last_problem_;
  std::thread thread_;
};

}  // namespace ledgerdesk::audit
