#include "projections/rebuild.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <limits>
#include <system_error>

#include "core/common/process_memory.h"
#include "projections/runner.h"

namespace ledgerdesk::projections {
namespace {

// Records before `bound` only: the log as a store that stands at `bound` has seen it.
class BoundedReader : public log::LogReader {
 public:
  BoundedReader(std::unique_ptr<log::LogReader> inner, log::Position bound)
      : inner_(std::move(inner)), bound_(bound) {}

  Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                           std::chrono::milliseconds wait) override {
    if (done_) return std::vector<log::LogRecord>();
    LD_ASSIGN_OR_RETURN(auto records, inner_->Read(max_records, wait));
    while (!records.empty() && records.back().position >= bound_) {
      records.pop_back();
      done_ = true;
    }
    return records;
  }

 private:
  std::unique_ptr<log::LogReader> inner_;
  const log::Position bound_;
  bool done_ = false;
};

class BoundedLog : public log::EventLog {
 public:
  BoundedLog(log::EventLog& inner, log::Position bound) : inner_(inner), bound_(bound) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>&) override {
    return FailedPrecondition("a rebuild does not append");
  }
  Result<log::Position> End() override {
    LD_ASSIGN_OR_RETURN(const log::Position end, inner_.End());
    return std::min(end, bound_);
  }
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override {
    LD_ASSIGN_OR_RETURN(auto reader, inner_.NewReader(from));
    return std::unique_ptr<log::LogReader>(
        std::make_unique<BoundedReader>(std::move(reader), bound_));
  }
  bool HasExclusiveWriter() const override { return inner_.HasExclusiveWriter(); }
  std::string Describe() const override { return inner_.Describe(); }

 private:
  log::EventLog& inner_;
  const log::Position bound_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Replays `log` into `store` (new, opened with bulk_load) with a rebuild's runner: large batches,
// decoding ahead, projections side by side, rows written as SST files at the end. Afterwards the
// store holds every row, and the validator state when `with_validator_state`; `timing` has the
// phases' seconds added.
Status BulkReplay(log::EventLog& log, Store& store, const ProjectionSet& projections,
                  const RebuildOptions& options, uint64_t expected_records,
                  bool with_validator_state, RebuildResult& timing) {
  auto report = [&](const Checkpoint& committed) {
    if (options.progress) options.progress(committed.next.value, expected_records, "folding");
  };
  LD_ASSIGN_OR_RETURN(auto runner,
                      ProjectionRunner::Create(log, store, projections,
                                               {.max_batch_events = options.batch_events,
                                                .poll_wait = std::chrono::milliseconds(50),
                                                .cache_bytes = options.memory_bytes,
                                                .defer_validator_rows = true,
                                                .expected_records = expected_records,
                                                .decode_ahead = true,
                                                .fresh_store = true,
                                                .apply_threads = options.apply_threads,
                                                .after_commit = report}));
  const auto folding = std::chrono::steady_clock::now();
  LD_RETURN_IF_ERROR(runner->CatchUp());
  timing.fold_seconds += SecondsSince(folding);
  if (options.progress) {
    options.progress(expected_records, expected_records, "writing the sorted files");
  }
  const auto writing = std::chrono::steady_clock::now();
  // The validator state (its own column family) is sorted and written beside the rows: the rows'
  // sorting leaves a core idle while the largest column family sorts.
  std::future<Status> validator = std::async(std::launch::async, [&] {
    return with_validator_state ? runner->WriteValidatorState() : OkStatus();
  });
  timing.write_outs += runner->write_outs();
  Status rows = runner->FinishBulkLoad();
  Status state = validator.get();
  timing.write_seconds += SecondsSince(writing);
  LD_RETURN_IF_ERROR(rows);
  return state;
}

// The scratch store's block cache, read once rows have been written out: a part of the memory
// budget, which counts it too.
size_t BlockCacheBytes(const RebuildOptions& options) {
  return std::min(options.block_cache_bytes, options.memory_bytes / 8);
}

double RecordsPerSecond(const ApplyCounts& counts, double seconds) {
  const double records = static_cast<double>(counts.applied + counts.duplicates + counts.conflicts +
                                             counts.undecodable);
  return seconds > 0 ? records / seconds : 0;
}

}  // namespace

size_t DefaultRebuildMemory() {
  constexpr size_t kDefault = 1024ull << 20;
  const size_t machine = MemoryLimitBytes();
  return machine == 0 ? kDefault : std::min(kDefault, machine / 4);
}

std::string ProjectionNames(const ProjectionSet& projections) {
  std::string names;
  for (const auto& projection : projections) {
    if (!names.empty()) names += ", ";
    names += projection->name();
  }
  return names;
}

Result<RebuildResult> Rebuild(log::EventLog& log, const ProjectionSet& projections,
                              const std::filesystem::path& dir, RebuildOptions options) {
  const auto started = std::chrono::steady_clock::now();
  LD_ASSIGN_OR_RETURN(auto column_families, ColumnFamiliesOf(projections));
  // Nobody uses the store this replaces until it is replaced (serve would go on writing the old
  // one's files under the new one's name).
  LD_ASSIGN_OR_RETURN(const ProcessLock lock, LockProjections(dir));
  const auto scratch = RebuildScratchDir(dir);
  std::error_code error;
  std::filesystem::remove_all(scratch, error);
  std::filesystem::remove_all(RebuiltDir(dir), error);
  if (error) return Unavailable("cannot clear " + scratch.string() + ": " + error.message());

  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  RebuildResult result;
  {
    LD_ASSIGN_OR_RETURN(auto store, Store::Open({.dir = scratch,
                                                 .column_families = column_families,
                                                 .block_cache_bytes = BlockCacheBytes(options),
                                                 .bulk_load = true,
                                                 .exclusive = false}));
    LD_RETURN_IF_ERROR(BulkReplay(log, *store, projections, options, end.value,
                                  /*with_validator_state=*/true, result));
    // Rows and validator state were written without the WAL: make them durable first, and only
    // then the checkpoint that says they are there.
    const auto durable = std::chrono::steady_clock::now();
    LD_RETURN_IF_ERROR(store->Flush());
    LD_ASSIGN_OR_RETURN(result.checkpoint, store->ReadCheckpoint());
    LD_RETURN_IF_ERROR(store->WriteCheckpointDurably(result.checkpoint));
    result.write_seconds += SecondsSince(durable);
  }  // closed
  std::filesystem::rename(scratch, RebuiltDir(dir), error);
  if (error) {
    return Unavailable("cannot rename " + scratch.string() + " to " + RebuiltDir(dir).string() +
                       ": " + error.message());
  }
  LD_RETURN_IF_ERROR(InstallRebuiltStore(dir));

  result.seconds = SecondsSince(started);
  result.records_per_second = RecordsPerSecond(result.checkpoint.counts, result.seconds);
  return result;
}

Result<RebuildResult> RebuildOnly(log::EventLog& log, const ProjectionSet& projections,
                                  std::string_view name, const std::filesystem::path& dir,
                                  RebuildOptions options) {
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const Projection> chosen;
  for (const auto& projection : projections) {
    if (projection->name() == name) chosen = projection;
  }
  if (chosen == nullptr) {
    return InvalidArgument("there is no projection '" + std::string(name) +
                           "' (the projections are " + ProjectionNames(projections) + ")");
  }
  LD_ASSIGN_OR_RETURN(auto column_families, ColumnFamiliesOf(projections));
  LD_ASSIGN_OR_RETURN(auto store,
                      Store::Open({.dir = dir, .column_families = std::move(column_families)}));
  LD_ASSIGN_OR_RETURN(const Checkpoint stands_at, store->ReadCheckpoint());

  // Replay the one projection aside, up to where the others stand.
  const std::filesystem::path scratch = dir.string() + ".only-" + std::string(name);
  std::error_code error;
  std::filesystem::remove_all(scratch, error);
  if (error) return Unavailable("cannot clear " + scratch.string() + ": " + error.message());
  const ProjectionSet one = {chosen};
  BoundedLog bounded(log, stands_at.next);
  RebuildResult result;
  Status copied;
  {
    LD_ASSIGN_OR_RETURN(auto aside, Store::Open({.dir = scratch,
                                                 .column_families = chosen->column_families(),
                                                 .block_cache_bytes = BlockCacheBytes(options),
                                                 .bulk_load = true,
                                                 .exclusive = false}));
    LD_RETURN_IF_ERROR(BulkReplay(bounded, *aside, one, options, stands_at.next.value,
                                  /*with_validator_state=*/false, result));
    LD_ASSIGN_OR_RETURN(const Checkpoint replayed, aside->ReadCheckpoint());
    if (replayed.counts != stands_at.counts) {
      return FailedPrecondition("the log holds less than the projections in " + dir.string() +
                                " have applied (they stand at log position " +
                                std::to_string(stands_at.next.value) +
                                "): rebuild them all instead");
    }
    // Its rows replace the store's at once, and the checkpoint stays.
    copied = store->ReplaceRows(*aside, chosen->column_families());
    // Whole again, if it had been created in a store that had applied events.
    if (copied.ok()) copied = store->MarkComplete(chosen->column_families());
  }
  std::filesystem::remove_all(scratch, error);
  LD_RETURN_IF_ERROR(copied);

  result.checkpoint = stands_at;
  result.seconds = SecondsSince(started);
  result.records_per_second = RecordsPerSecond(stands_at.counts, result.seconds);
  return result;
}

}  // namespace ledgerdesk::projections
