#pragma once

// Rebuilding the projection store from the whole log, as fast as the machine allows: the same
// runner code as live (so the same decoding, validation and folds), in a scratch store with the WAL
// off, large batches and a large row cache. At the end everything is flushed to SST files, then the
// checkpoint is written with fsync, and the new store replaces the old one by renames
// (store.h: a crash at any point leaves the old store or the complete new one, never a mix).

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "projections/projection.h"
#include "projections/store.h"
#include "projections/task_pool.h"

namespace ledgerdesk::projections {

// A rebuild's default memory budget: 1 GiB, or a quarter of the memory the process may use (the
// machine's, or its container's limit) when that is less.
size_t DefaultRebuildMemory();

struct RebuildOptions {
  size_t batch_events = 200'000;  // records per (WAL-less) write batch
  // How much the rebuild may grow the process's memory by holding rows (StoreBatch, store.h): the
  // rows are written out as sorted files whenever they outgrow it, and the load goes on. About
  // 0.95 GB per million events of `bench rebuild`'s log; a larger budget than the rows need
  // writes them out once, at the end, which is fastest.
  size_t memory_bytes = DefaultRebuildMemory();
  size_t block_cache_bytes = 64ull << 20;
  // Projections applied side by side (RunnerOptions::apply_threads).
  size_t apply_threads = CoresToUse();
  // Told how far the replay is, on the calling thread: the records replayed of all there are to
  // replay, after every batch (about every batch_events records) with phase "folding", then once
  // with phase "writing the sorted files" before the rows are written at the end.
  std::function<void(uint64_t done, uint64_t total, const std::string& phase)> progress;
};

struct RebuildResult {
  Checkpoint checkpoint;  // where the rebuilt store stands
  double seconds = 0;     // from the first read to the installed store
  double records_per_second = 0;
  // Where `seconds` went: reading, validating and folding the log; then sorting the rows, writing
  // them as SST files and making them durable. (The rest: clearing, renaming, for RebuildOnly the
  // copy into the store.)
  double fold_seconds = 0;
  double write_seconds = 0;
  // Times the rows were written out before the end, to stay within memory_bytes (0: they fitted).
  size_t write_outs = 0;
};

// Replays `log` from its start up to its end as seen when called into a new store that then takes
// the place of the store in `dir` (which need not exist; no runner may have it open). Errors: those
// of the log, the store and the projections; on error the store in `dir` is unchanged.
Result<RebuildResult> Rebuild(log::EventLog& log, const ProjectionSet& projections,
                              const std::filesystem::path& dir, RebuildOptions options = {});

// Rebuilds the one projection of `projections` called `name` in the store in `dir` (opened with
// every column family of `projections`; no runner may have it open) and leaves the others' rows
// alone: the projection is replayed from the start of `log` up to the store's checkpoint, aside in
// a scratch store, and its column families' rows are then replaced by the replayed ones at once
// (Store::ReplaceRows: ingested files, read from both stores in key order, so memory stays within
// `options.memory_bytes`), keeping the checkpoint: the store stays a consistent prefix of the log.
// Errors: kInvalidArgument naming the projections when `name` is none of them; kFailedPrecondition
// when the log holds less than the store has applied; those of the log, the store and the
// projection. On error the store in `dir` is unchanged.
Result<RebuildResult> RebuildOnly(log::EventLog& log, const ProjectionSet& projections,
                                  std::string_view name, const std::filesystem::path& dir,
                                  RebuildOptions options = {});

// "a, b, c": the names of `projections`, in order (for messages).
std::string ProjectionNames(const ProjectionSet& projections);

}  // namespace ledgerdesk::projections
