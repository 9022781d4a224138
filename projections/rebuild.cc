#include "projections/rebuild.h"

#include <chrono>
#include <system_error>

#include "projections/runner.h"

namespace ledgerdesk::projections {

Result<RebuildResult> Rebuild(log::EventLog& log, const ProjectionSet& projections,
                              const std::filesystem::path& dir, RebuildOptions options) {
  const auto started = std::chrono::steady_clock::now();
  LD_ASSIGN_OR_RETURN(auto column_families, ColumnFamiliesOf(projections));
  const auto scratch = RebuildScratchDir(dir);
  std::error_code error;
  std::filesystem::remove_all(scratch, error);
  std::filesystem::remove_all(RebuiltDir(dir), error);
  if (error) return Unavailable("cannot clear " + scratch.string() + ": " + error.message());

  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  Checkpoint checkpoint;
  {
    LD_ASSIGN_OR_RETURN(auto store, Store::Open({.dir = scratch,
                                                 .column_families = column_families,
                                                 .block_cache_bytes = options.block_cache_bytes,
                                                 .bulk_load = true}));
    LD_ASSIGN_OR_RETURN(auto runner,
                        ProjectionRunner::Create(log, *store, projections,
                                                 {.max_batch_events = options.batch_events,
                                                  .poll_wait = std::chrono::milliseconds(50),
                                                  .cache_bytes = options.cache_bytes,
                                                  .defer_validator_rows = true,
                                                  .expected_records = end.value,
                                                  .decode_ahead = true,
                                                  .fresh_store = true}));
    LD_RETURN_IF_ERROR(runner->CatchUp());
    LD_RETURN_IF_ERROR(runner->WriteValidatorState());
    runner.reset();
    // Rows and validator state were written without the WAL: make them durable first, and only
    // then the checkpoint that says they are there.
    LD_RETURN_IF_ERROR(store->Flush());
    LD_ASSIGN_OR_RETURN(checkpoint, store->ReadCheckpoint());
    LD_RETURN_IF_ERROR(store->WriteCheckpointDurably(checkpoint));
  }  // closed
  std::filesystem::rename(scratch, RebuiltDir(dir), error);
  if (error) {
    return Unavailable("cannot rename " + scratch.string() + " to " + RebuiltDir(dir).string() +
                       ": " + error.message());
  }
  LD_RETURN_IF_ERROR(InstallRebuiltStore(dir));

  RebuildResult result;
  result.checkpoint = checkpoint;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& counts = checkpoint.counts;
  const double records = static_cast<double>(counts.applied + counts.duplicates + counts.conflicts +
                                             counts.undecodable);
  result.records_per_second = result.seconds > 0 ? records / result.seconds : 0;
  return result;
}

}  // namespace ledgerdesk::projections
