#pragma once

// The projections' RocksDB database (DATA_DIR/projections): one column family per projection
// column family, plus two internal ones: "checkpoint" (the next log position to read and the
// runner's counts) and "validator" (the self-validating read's state, durable_validator.h).
// Everything one batch of events changes — rows, validator state, checkpoint — is committed in ONE
// atomic RocksDB write, so the store always reflects exactly a prefix of the log.
//
// Thread safety: reads (Get, Scan, ReadCheckpoint, Digest) may run concurrently with each other and
// with one writer; a StoreBatch and Commit are used by one thread at a time (the runner's).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/process_lock.h"
#include "core/common/status.h"
#include "core/log/event_log.h"
#include "projections/durable_validator.h"
#include "projections/projection.h"
#include "projections/row_reader.h"

namespace ledgerdesk::projections {

inline constexpr std::string_view kCheckpointColumnFamily = "checkpoint";
inline constexpr std::string_view kValidatorColumnFamily = "validator";

// What the runner did with the records up to a checkpoint. Every reader of the same log prefix
// arrives at the same counts.
struct ApplyCounts {
  uint64_t applied = 0;
  uint64_t duplicates = 0;
  uint64_t conflicts = 0;
  uint64_t undecodable = 0;  // records that are not (known) envelopes: skipped
  friend bool operator==(const ApplyCounts&, const ApplyCounts&) = default;
};

struct Checkpoint {
  log::Position next;  // the next position to read: everything before it is applied
  ApplyCounts counts;
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

struct StoreOptions {
  std::filesystem::path dir;                 // created if missing
  std::vector<std::string> column_families;  // the projections' (see ColumnFamiliesOf)
  size_t block_cache_bytes = 32ull << 20;    // one LRU cache shared by all column families
  // Rebuild mode: commits skip the WAL and memtables are larger. Durable only after Flush(), so
  // only for a store that is thrown away if the process dies (rebuild builds in a scratch dir).
  bool bulk_load = false;
  // A bulk load writes each column family as SST files of about this many bytes of rows, written
  // on every core (a large column family would otherwise be written on one).
  size_t bulk_file_bytes = 32ull << 20;
  // Reads only, beside the process that writes the store (an audit beside serve): nothing is
  // created or installed, commits fail; reads see what was committed when it was opened.
  bool read_only = false;
  // A data dir's own store (serve's, a digest's): held under LockProjections while open, so that
  // a rebuild, a digest or a second serve beside it is refused instead of corrupting it. Off for
  // a store built aside (a rebuild's scratch store, whose rebuild holds the lock of the store it
  // replaces). Not taken by read-only opens.
  bool exclusive = true;
};

class StoreBatch;

class Store {
 public:
  // Opens or creates the database, creating missing column families. Completes a rebuild that was
  // interrupted after it finished building (see rebuild.h). Errors: kInvalidArgument for a bad or
  // reserved column family name; kUnavailable when RocksDB cannot open the directory (locked by
  // another process, I/O error: the message says which).
  static Result<std::unique_ptr<Store>> Open(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Position {0} and zero counts for a new store.
  Result<Checkpoint> ReadCheckpoint() const;
  // Fills `validator` with the committed state.
  Status LoadValidator(DurableValidator& validator) const;
  // One committed row of the validator state (see DurableValidator::RowKeysFor); nullopt when
  // there is none.
  Result<std::optional<std::string>> GetValidatorRow(std::string_view key) const;

  // Committed rows only (not a pending batch's). Errors: kInvalidArgument for an unknown column
  // family, kUnavailable for read errors.
  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) const;
  // Calls `visit` for every row of `cf` in key order (one consistent snapshot).
  Status Scan(std::string_view cf,
              const std::function<void(std::string_view key, std::string_view value)>& visit) const;

  // Calls `visit` for every row of `cf` whose key starts with `prefix`, in key order, until it
  // returns false (one consistent snapshot). Errors as Get.
  Status ScanPrefix(
      std::string_view cf, std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  // A read-only view of the committed rows pinned to one snapshot, so the reads of one query are
  // consistent with each other while the runner commits. The store must outlive it. Thread-safe;
  // the reader itself is used by one thread at a time.
  std::unique_ptr<RowReader> Reader() const;

  // Calls `visit` for every row of every projection column family, column families in name order,
  // rows in key order, all from one snapshot; returns the checkpoint of that snapshot.
  Result<Checkpoint> ScanAll(const std::function<void(std::string_view cf, std::string_view key,
                                                      std::string_view value)>& visit) const;

  // Writes the batch's staged rows and validator rows and `checkpoint` atomically. On success the
  // batch is empty (its read cache stays); on error nothing was written and the batch is reset.
  // A bulk-loading batch (StoreBatch) keeps its rows instead and writes them by IngestStaged once
  // they outgrow its cache; kFailedPrecondition after a Reset dropped rows it had kept.
  Status Commit(StoreBatch& batch, const Checkpoint& checkpoint);
  // Writes every row a bulk-loading batch keeps as sorted SST files, one per column family, and
  // ingests them together (a bulk load's last step; nothing for other batches).
  Status IngestStaged(StoreBatch& batch);
  // Writes `checkpoint` alone through the WAL with fsync (the last step of a rebuild).
  Status WriteCheckpointDurably(const Checkpoint& checkpoint);
  // Writes the whole state of `validator` into the validator column family at once (an SST file
  // ingested into the store: a rebuild's last step instead of rows in every batch).
  Status IngestValidator(const DurableValidator& validator);
  // Replaces the rows of `column_families` with those `source` holds in its column families of
  // the same names, all at once: sorted files of the rows that differ and of deletes for the rows
  // `source` lacks, ingested together, so readers see the old rows or the new, never a mix; the
  // checkpoint stays. Both stores are read in key order, so memory does not grow with the rows.
  // Nothing may write either store meanwhile. Errors: kInvalidArgument for a column family one
  // of the stores lacks; kUnavailable for read, write or ingestion errors (nothing replaced).
  Status ReplaceRows(const Store& source, const std::vector<std::string>& column_families);
  // Flushes every column family's memtable to SST files and waits.
  Status Flush();
  // What the store's SST files hold, over every column family (the checkpoint's and the
  // validator's too; not what is still in memtables), read from the files' own properties.
  struct FileContents {
    uint64_t entries = 0;    // puts and deletes
    uint64_t key_bytes = 0;  // of those entries, uncompressed
    uint64_t value_bytes = 0;
    uint64_t data_bytes = 0;  // the files' data blocks, as written (compressed where it paid)
  };
  Result<FileContents> FilesHold() const;
  // Flushes, then rewrites every column family's SST files (bottommost level too), so overwritten
  // and deleted values are physically gone from the files and the WAL (GDPR erasure).
  Status CompactAll();

  // The projections' column families, as given.
  const std::vector<std::string>& column_families() const;
  // Projection column families that did not exist before this Open.
  const std::vector<std::string>& created_column_families() const;
  // Projection column families created (by this Open or an earlier one, of any process) in a
  // store that had applied events already: they lack those events' rows, so a runner refuses the
  // store until they are rebuilt (a full rebuild makes a new store; RebuildOnly marks its
  // projection's column families complete). Durable: noted in the store when created.
  const std::vector<std::string>& incomplete_column_families() const;
  // kFailedPrecondition naming the first incomplete column family and what to do, when there is
  // one (for everything that reads or folds the projections).
  Status RequireComplete() const;
  // Notes that `column_families` hold every row again (after RebuildOnly replaced them).
  Status MarkComplete(const std::vector<std::string>& column_families);
  const std::filesystem::path& dir() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  // At open: notes column families created in a store that has applied events, and reads which
  // are noted.
  Status NoteIncompleteColumnFamilies();
  // IngestStaged; `more_to_come` (a write-out before the load's end): the batch remembers the
  // keys written (WrittenKeys), so that it need not read the store for keys it never wrote.
  Status WriteOut(StoreBatch& batch, bool more_to_come);
  std::unique_ptr<Impl> impl_;
  friend class StoreBatch;
};

// Writes staged for one atomic Commit. As a RowSink it covers every projection column family and
// reads its own staged writes before committed rows. It also keeps rows it read or wrote in a
// cache of up to `cache_bytes` (cleared whenever it grows past that) so a hot row is not read back
// from RocksDB in every batch; only this process writes the store, so the cache stays true.
// `store_starts_empty` (a rebuild's new store): while the cache has never been cleared it holds
// every row there is, so a row missing from it is missing, and no read goes to RocksDB.
//
// Bulk loading (a store opened with bulk_load that starts empty): rows are not inserted into
// memtables one by one in random order with every Commit. The batch keeps them — rows for reading
// in its cache, write-only rows (RowSink::PutWriteOnly) in plain per-column-family runs that no
// lookup ever touches — until they outgrow the memory budget or the load ends, and
// Store::IngestStaged then sorts them and writes each column family as one SST file: the
// sequential write that makes db_bench's fillseq fast. A row deleted before it was ever written
// out is simply dropped. The budget is `cache_bytes` of the heap the process uses as its
// allocator counts it (core/common/process_memory.h), above what it was when the batch was made:
// with their hash nodes, parsed messages and growing buffers the rows take about three times
// their bytes, which is all the cache's own count sees. Or `cache_bytes` of the rows' bytes
// alone, if that comes first.
//
// Get, Put, PutWriteOnly and Delete for different column families may run on different threads at
// once (the runner applies projections side by side); everything else needs the batch to itself.
class StoreBatch : public RowSink, public ValidatorRowWriter {
 public:
  explicit StoreBatch(Store& store, size_t cache_bytes = 8ull << 20,
                      bool store_starts_empty = false);
  ~StoreBatch() override;
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) override;
  Status Put(std::string_view cf, std::string_view key, std::string_view value) override;
  Status PutWriteOnly(std::string_view cf, std::string_view key, std::string_view value) override;
  Status PutWriteOnlyRow(std::string_view cf, std::string_view key,
                         const google::protobuf::MessageLite& row) override;
  Status Delete(std::string_view cf, std::string_view key) override;
  Result<const google::protobuf::MessageLite*> FindRow(
      std::string_view cf, std::string_view key,
      const google::protobuf::MessageLite& type) override;
  Result<google::protobuf::MessageLite*> EditRow(std::string_view cf, std::string_view key,
                                                 const google::protobuf::MessageLite& type,
                                                 bool create) override;
  // A bulk load keeps the entry with its owner (written out with it); other batches write it.
  Status MoveIndexEntry(std::string_view cf, std::string_view owner,
                        std::optional<std::string_view> from, std::optional<std::string_view> to,
                        IndexValue value = IndexValue::kEmpty) override;
  void PutValidatorRow(std::string_view key, std::string_view value) override;

  // Rows staged since the last commit.
  size_t staged() const;
  // A bulk load holds more than its memory budget: the next Commit writes its rows out (the runner
  // commits early then, instead of filling the rest of its batch). False for other batches.
  bool OverMemoryBudget() const;
  // How many times Commit wrote a bulk load's rows out before its end (0 when they fitted).
  size_t write_outs() const;
  // Drops everything staged and cached (after a failed commit).
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  friend class Store;
};

// Every column family of `projections`, in order. Errors: kInvalidArgument for a duplicate,
// reserved or empty name.
Result<std::vector<std::string>> ColumnFamiliesOf(const ProjectionSet& projections);

// A rebuild (rebuild.h) builds in RebuildScratchDir(dir), renames that to RebuiltDir(dir) once it
// is complete and durable, then InstallRebuiltStore moves it into place (the old store goes). Each
// step is a rename, so a crash leaves either the old store or the new one; Store::Open finishes an
// installation a crash interrupted. InstallRebuiltStore does nothing when there is no rebuilt
// store.
// One process at a time on the store in `dir`: the lock (the file `<dir>.lock`) that Store::Open
// takes, and a rebuild of `dir` holds from start to installation. Errors: kUnavailable naming the
// holder's pid while another process holds it.
Result<ProcessLock> LockProjections(const std::filesystem::path& dir);

std::filesystem::path RebuildScratchDir(const std::filesystem::path& dir);
std::filesystem::path RebuiltDir(const std::filesystem::path& dir);
Status InstallRebuiltStore(const std::filesystem::path& dir);

// SHA-256 hex over every projection column family's rows (digest.h): not the checkpoint nor the
// validator, so a live store and a rebuild of the same log prefix give the same digest.
Result<std::string> Digest(const Store& store);

// The digest and the checkpoint it corresponds to (one snapshot: consistent with a running runner).
struct StoreDigest {
  std::string hex;
  Checkpoint checkpoint;
};
Result<StoreDigest> DigestAt(const Store& store);

}  // namespace ledgerdesk::projections
