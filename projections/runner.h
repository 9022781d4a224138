#pragma once

// The projection runner: reads the log from the store's checkpoint, decodes every record (records
// that do not decode are skipped and counted, as every reader does), admits each event through the
// self-validating read (durable_validator.h), folds every admitted event through every projection,
// and commits up to `max_batch_events` records at a time — rows, validator state and the new
// checkpoint in one atomic store write. A crash at any moment leaves the store at the end of some
// committed batch, and the next runner resumes there: no event is applied twice or skipped.
//
// Either follows the log in a background thread (Start/Stop: the server) or applies what is there
// synchronously (CatchUp: tools and tests); not both at once.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "projections/durable_validator.h"
#include "projections/projection.h"
#include "projections/store.h"
#include "projections/task_pool.h"

namespace ledgerdesk::projections {

struct RunnerOptions {
  size_t max_batch_events = 1000;            // records per commit at most
  std::chrono::milliseconds poll_wait{200};  // a read waits this long for new records
  // Rows kept in memory between batches (StoreBatch); a bulk load's memory budget (store.h).
  size_t cache_bytes = 8ull << 20;
  std::chrono::milliseconds retry_backoff{500};  // the background thread's pause after an error
  // Rebuild mode: the validator's rows are not written with every batch but all at once by
  // WriteValidatorState() at the end (the store is useless until then).
  bool defer_validator_rows = false;
  size_t expected_records = 0;  // sizes the validator's id set up front
  // Read and decode records in a second thread, ahead of applying them (same records, same order,
  // same decoding: only the work moves). For rebuilds on a machine with a core to spare.
  bool decode_ahead = false;
  // The store is new (a rebuild): rows missing from the row cache need no read while the cache
  // holds everything written so far (StoreBatch).
  bool fresh_store = false;
  // Threads that apply projections: above 1, each chunk of records is first admitted in log order,
  // then the projections fold it side by side (a projection sees its events in log order; the
  // projections own disjoint column families). Same rows as one thread. For rebuilds.
  size_t apply_threads = 1;
  // Called on the applying thread after every commit with where the runner now stands (a
  // rebuild's progress).
  std::function<void(const Checkpoint& committed)> after_commit;
  // Called on the applying thread with the key ids of the SubjectErased events a batch applied,
  // once that batch is committed (serve drops those keys from its key cache and compacts the
  // store, so that the erased values leave its files on every node).
  std::function<void(const std::vector<std::string>& erased_key_ids)> after_erasures;
};

class ProjectionRunner {
 public:
  // A runner over `store` (opened with ColumnFamiliesOf(projections)) at its checkpoint. `log` and
  // `store` must outlive it. Errors: kInvalidArgument when the store's column families are not the
  // projections'; kFailedPrecondition when a projection's column family is new in a store that has
  // already applied events (that projection would miss them: rebuild the store, rebuild.h);
  // kDataLoss for a corrupt checkpoint or validator state; errors of the log's NewReader.
  static Result<std::unique_ptr<ProjectionRunner>> Create(log::EventLog& log, Store& store,
                                                          ProjectionSet projections,
                                                          RunnerOptions options = {});
  // Stops the background thread if it runs.
  ~ProjectionRunner();
  ProjectionRunner(const ProjectionRunner&) = delete;
  ProjectionRunner& operator=(const ProjectionRunner&) = delete;

  // Applies everything up to the log's end as it is when called, then returns. Errors: those of the
  // log and the store, and a projection's error (the runner stays at the last committed batch and
  // a later call retries from there); kFailedPrecondition while the background thread runs.
  Status CatchUp();

  // Starts following the log in a background thread. Errors there are kept (last_error) and retried
  // after a pause from the last committed batch. kFailedPrecondition if already started.
  Status Start();
  // Stops the background thread after its current batch (within about poll_wait). Idempotent.
  void Stop();

  // Writes the complete validator state (for a runner with defer_validator_rows, after CatchUp).
  Status WriteValidatorState();
  // Writes the rows a bulk-loading store batch still keeps (store.h; after CatchUp on a rebuild's
  // store, before anything reads it).
  Status FinishBulkLoad();

  // The next position to read: every record before it is applied and committed. Thread-safe.
  log::Position applied_position() const;
  // Waits until applied_position() >= `position` (pass the position of a written event + 1 for
  // read-your-writes); false if `timeout` passed first. Thread-safe.
  bool WaitFor(log::Position position, std::chrono::milliseconds timeout) const;
  // How many times a bulk load wrote its rows out before the end, to stay within its memory
  // budget (StoreBatch::write_outs). Not thread-safe: after CatchUp, by its caller.
  size_t write_outs() const;
  // Counts as of the last commit. Thread-safe.
  ApplyCounts counts() const;
  // The background thread's last error (OK after a later batch committed). Thread-safe.
  Status last_error() const;

 private:
  class OwnedRows;
  class DecodingReader;
  class InlineDecodingReader;
  class AheadDecodingReader;
  struct Decoded;
  ProjectionRunner(log::EventLog& log, Store& store, ProjectionSet projections,
                   RunnerOptions options);
  // Reads and applies up to max_batch_events records (waiting up to `wait` for the first) and
  // commits them. Returns how many records it consumed.
  Result<size_t> Step(std::chrono::milliseconds wait);
  // Counts `decoded` and says whether the self-validating read admits it for the projections.
  bool Admit(const Decoded& decoded);
  // Folds one admitted record through projection `index`.
  Status ApplyTo(size_t index, const Decoded& decoded);
  // Admits and folds a chunk of records in log order (on apply_threads threads).
  Status ApplyChunk(std::vector<Decoded>& records);
  // Goes back to the last committed state (after a failed batch).
  Status Recover();
  // kFailedPrecondition when the store's checkpoint is past the log's end: the store was made from
  // another log (a recreated topic, another cluster), and following this one would skip its first
  // events (so Create, which recovers, refuses it). OK when the log's end cannot be read now (Kafka
  // away): the reader will say so.
  Status CheckStoreFollowsLog(const Checkpoint& checkpoint);
  void Run();

  log::EventLog& log_;
  Store& store_;
  ProjectionSet projections_;
  std::vector<std::unique_ptr<OwnedRows>> owned_rows_;  // one per projection
  RunnerOptions options_;

  // Used by the applying thread only.
  std::unique_ptr<DecodingReader> reader_;
  std::unique_ptr<DurableValidator> validator_;
  std::unique_ptr<StoreBatch> batch_;
  Checkpoint pending_;              // the checkpoint the staged batch will commit
  std::unique_ptr<TaskPool> pool_;  // with apply_threads > 1
  std::vector<double>
      apply_seconds_;  // per projection, its last chunk (to start the slowest first)
  std::vector<std::string> erased_key_ids_;  // in the staged batch, for after_erasures

  mutable std::mutex mutex_;  // guards the fields below
  mutable std::condition_variable changed_;
  Checkpoint committed_;
  Status last_error_;
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ledgerdesk::projections
