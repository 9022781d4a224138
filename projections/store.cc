#include "projections/store.h"

#include <absl/container/node_hash_map.h>
#include <absl/hash/hash.h>
#include <fcntl.h>
#include <google/protobuf/arena.h>
#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/table_properties.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>
#include <system_error>
#include <thread>
#include <typeinfo>
#include <unordered_map>

#include "core/common/process_memory.h"
#include "projections/compression_choice.h"
#include "projections/digest.h"
#include "projections/key_sort.h"
#include "projections/row_codec.h"
#include "projections/task_pool.h"
#include "projections/written_keys.h"

namespace ledgerdesk::projections {
namespace {

constexpr std::string_view kCheckpointKey = "checkpoint";
// In the checkpoint column family: a projection column family that was created in a store that
// had applied events already (it lacks those events' rows until that projection is rebuilt).
// Kept until then, so every later open knows it, whoever created the column family.
constexpr std::string_view kIncompletePrefix = "incomplete/";

std::string IncompleteKey(std::string_view cf) {
  return std::string(kIncompletePrefix) + std::string(cf);
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return OkStatus();
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return DataLoss(std::move(message));
  if (status.IsInvalidArgument()) return InvalidArgument(std::move(message));
  return Unavailable(std::move(message));
}

void AppendFixed64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t ReadFixed64(std::string_view bytes, size_t offset) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

std::string EncodeCheckpoint(const Checkpoint& checkpoint) {
  std::string out;
  out.reserve(40);
  AppendFixed64(out, checkpoint.next.value);
  AppendFixed64(out, checkpoint.counts.applied);
  AppendFixed64(out, checkpoint.counts.duplicates);
  AppendFixed64(out, checkpoint.counts.conflicts);
  AppendFixed64(out, checkpoint.counts.undecodable);
  return out;
}

Result<Checkpoint> DecodeCheckpoint(std::string_view bytes) {
  if (bytes.size() != 40) {
    return DataLoss("projection checkpoint has " + std::to_string(bytes.size()) +
                    " bytes, expected 40");
  }
  Checkpoint checkpoint;
  checkpoint.next.value = ReadFixed64(bytes, 0);
  checkpoint.counts.applied = ReadFixed64(bytes, 8);
  checkpoint.counts.duplicates = ReadFixed64(bytes, 16);
  checkpoint.counts.conflicts = ReadFixed64(bytes, 24);
  checkpoint.counts.undecodable = ReadFixed64(bytes, 32);
  return checkpoint;
}

bool IsReserved(std::string_view name) {
  return name == kCheckpointColumnFamily || name == kValidatorColumnFamily ||
         name == rocksdb::kDefaultColumnFamilyName || name.starts_with("_");
}

rocksdb::CompressionType FastestCompression() {
  const auto supported = rocksdb::GetSupportedCompressions();
  for (auto preferred : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), preferred) != supported.end()) {
      return preferred;
    }
  }
  return rocksdb::kNoCompression;
}

// Writes `batch` through the WAL with fsync.
Status WriteDurably(rocksdb::DB& db, rocksdb::WriteBatch& batch, std::string_view what) {
  rocksdb::WriteOptions durable;
  durable.sync = true;
  return FromRocks(db.Write(durable, &batch), what);
}

Status SyncDir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Unavailable("cannot open " + dir.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Unavailable("cannot sync " + dir.string());
  return OkStatus();
}

Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  std::filesystem::rename(from, to, error);
  if (error) {
    return Unavailable("cannot rename " + from.string() + " to " + to.string() + ": " +
                       error.message());
  }
  return OkStatus();
}

std::filesystem::path WithSuffix(const std::filesystem::path& dir, std::string_view suffix) {
  std::filesystem::path clean = dir;
  if (!clean.has_filename()) clean = clean.parent_path();  // "a/b/" -> "a/b"
  return clean.string() + std::string(suffix);
}

}  // namespace

std::filesystem::path RebuildScratchDir(const std::filesystem::path& dir) {
  return WithSuffix(dir, ".rebuilding");
}
std::filesystem::path RebuiltDir(const std::filesystem::path& dir) {
  return WithSuffix(dir, ".rebuilt");
}

Result<ProcessLock> LockProjections(const std::filesystem::path& dir) {
  const std::filesystem::path file = WithSuffix(dir, ".lock");
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::absolute(file).parent_path(), error);
  if (error) return Unavailable("cannot create the directory of " + file.string());
  return ProcessLock::Acquire(file, "the projection store in " + dir.string(),
                              "; stop it first (serve, a rebuild and a digest each need the store "
                              "to themselves), or use another --data-dir");
}

Status InstallRebuiltStore(const std::filesystem::path& dir) {
  const auto rebuilt = RebuiltDir(dir);
  const auto old = WithSuffix(dir, ".old");
  std::error_code error;
  if (!std::filesystem::exists(rebuilt, error)) return OkStatus();
  if (std::filesystem::exists(dir, error)) {
    std::filesystem::remove_all(old, error);
    LD_RETURN_IF_ERROR(Rename(dir, old));
  }
  LD_RETURN_IF_ERROR(Rename(rebuilt, dir));
  LD_RETURN_IF_ERROR(SyncDir(std::filesystem::absolute(dir).parent_path()));
  std::filesystem::remove_all(old, error);
  return OkStatus();
}

Result<std::vector<std::string>> ColumnFamiliesOf(const ProjectionSet& projections) {
  std::vector<std::string> all;
  std::set<std::string, std::less<>> seen;
  for (const auto& projection : projections) {
    for (auto& cf : projection->column_families()) {
      if (cf.empty() || IsReserved(cf)) {
        return InvalidArgument("projection " + std::string(projection->name()) +
                               " uses a reserved column family name \"" + cf + "\"");
      }
      if (!seen.insert(cf).second) {
        return InvalidArgument("column family " + cf + " is owned by two projections");
      }
      all.push_back(std::move(cf));
    }
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Store

struct Store::Impl {
  ProcessLock lock;  // first: released after everything else is closed
  StoreOptions options;
  std::vector<std::string> created;
  std::vector<std::string> incomplete;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned by db; destroyed before it
  rocksdb::ColumnFamilyHandle* checkpoint = nullptr;
  rocksdb::ColumnFamilyHandle* validator = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> projection;  // same order as options.column_families
  rocksdb::WriteOptions write_options;

  ~Impl() {
    if (db == nullptr) return;
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    db->Close();
  }

  // Index in `projection` of a projection column family, or -1.
  int IndexOf(std::string_view cf) const {
    const auto& names = options.column_families;
    for (size_t i = 0; i < names.size(); ++i) {
      // As string_views: lengths are compared first (std::string == string_view compares bytes).
      if (std::string_view(names[i]) == cf) return static_cast<int>(i);
    }
    return -1;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  for (const auto& cf : options.column_families) {
    if (cf.empty() || IsReserved(cf)) {
      return InvalidArgument("reserved column family name \"" + cf + "\"");
    }
  }
  ProcessLock lock;
  if (!options.read_only && options.exclusive) {
    LD_ASSIGN_OR_RETURN(lock, LockProjections(options.dir));
  }
  if (!options.read_only) {
    LD_RETURN_IF_ERROR(InstallRebuiltStore(options.dir));
    std::error_code error;
    std::filesystem::create_directories(options.dir, error);
    if (error) {
      return Unavailable("cannot create " + options.dir.string() + ": " + error.message());
    }
  }

  auto table = rocksdb::BlockBasedTableOptions();
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // LZ4 although the rows' bulk is ciphertext: keys and the rows' structure compress (11 % off
  // the generated service desk's store, 384 -> 343 MB, when every file is compressed). A bulk
  // load writes uncompressed the files where a sample shows it would not pay
  // (compression_choice.h).
  cf_options.compression = FastestCompression();
  cf_options.level_compaction_dynamic_level_bytes = true;
  if (options.bulk_load) {
    cf_options.write_buffer_size = 256ull << 20;
    cf_options.max_write_buffer_number = 4;
    cf_options.level0_slowdown_writes_trigger = 40;
    cf_options.level0_stop_writes_trigger = 60;
  } else {
    cf_options.write_buffer_size = 32ull << 20;
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 256ull << 20;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  std::vector<std::string> existing;
  rocksdb::Status listed =
      rocksdb::DB::ListColumnFamilies(db_options, options.dir.string(), &existing);
  if (!listed.ok()) existing.clear();  // a new database
  std::vector<std::string> wanted = {rocksdb::kDefaultColumnFamilyName,
                                     std::string(kCheckpointColumnFamily),
                                     std::string(kValidatorColumnFamily)};
  wanted.insert(wanted.end(), options.column_families.begin(), options.column_families.end());
  for (const auto& name : existing) {
    if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) wanted.push_back(name);
  }

  auto impl = std::make_unique<Impl>();
  impl->lock = std::move(lock);
  for (const auto& cf : options.column_families) {
    if (std::find(existing.begin(), existing.end(), cf) == existing.end()) {
      impl->created.push_back(cf);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  // The validator's rows are random ids (they do not compress) that are only ever read whole at
  // open (no point reads: no filter).
  rocksdb::ColumnFamilyOptions validator_options = cf_options;
  auto validator_table = table;
  validator_table.filter_policy.reset();
  validator_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(validator_table));
  validator_options.compression = rocksdb::kNoCompression;
  for (const auto& name : wanted) {
    descriptors.emplace_back(name, name == kValidatorColumnFamily ? validator_options : cf_options);
  }
  rocksdb::DB* raw = nullptr;
  if (options.read_only) {
    const bool complete = std::all_of(wanted.begin(), wanted.end(), [&](const std::string& name) {
      return std::find(existing.begin(), existing.end(), name) != existing.end();
    });
    if (!complete) {
      return FailedPrecondition("the projection store in " + options.dir.string() +
                                " is missing or lacks projections (run projections rebuild)");
    }
    LD_RETURN_IF_ERROR(FromRocks(rocksdb::DB::OpenForReadOnly(db_options, options.dir.string(),
                                                              descriptors, &impl->handles, &raw),
                                 "cannot open the projection store in " + options.dir.string()));
  } else {
    LD_RETURN_IF_ERROR(FromRocks(
        rocksdb::DB::Open(db_options, options.dir.string(), descriptors, &impl->handles, &raw),
        "cannot open the projection store in " + options.dir.string()));
  }
  impl->db.reset(raw);
  impl->checkpoint = impl->handles[1];
  impl->validator = impl->handles[2];
  for (size_t i = 0; i < options.column_families.size(); ++i) {
    impl->projection.push_back(impl->handles[3 + i]);
  }
  impl->write_options.disableWAL = options.bulk_load;
  impl->options = std::move(options);
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  LD_RETURN_IF_ERROR(store->NoteIncompleteColumnFamilies());
  return store;
}

Status Store::NoteIncompleteColumnFamilies() {
  Impl& impl = *impl_;
  if (!impl.created.empty() && !impl.options.read_only) {
    LD_ASSIGN_OR_RETURN(const Checkpoint checkpoint, ReadCheckpoint());
    if (checkpoint.next.value > 0) {
      rocksdb::WriteBatch markers;
      for (const auto& cf : impl.created) {
        LD_RETURN_IF_ERROR(FromRocks(markers.Put(impl.checkpoint, IncompleteKey(cf), ""),
                                     "cannot note a new column family"));
      }
      LD_RETURN_IF_ERROR(WriteDurably(*impl.db, markers, "cannot note the new column families"));
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(
      impl.db->NewIterator(rocksdb::ReadOptions(), impl.checkpoint));
  const rocksdb::Slice prefix(kIncompletePrefix.data(), kIncompletePrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string cf = it->key().ToString().substr(kIncompletePrefix.size());
    if (std::find(impl.options.column_families.begin(), impl.options.column_families.end(), cf) !=
        impl.options.column_families.end()) {
      impl.incomplete.push_back(std::move(cf));
    }
  }
  return FromRocks(it->status(), "cannot read the projection checkpoint");
}

Status Store::MarkComplete(const std::vector<std::string>& column_families) {
  rocksdb::WriteBatch done;
  for (const auto& cf : column_families) {
    LD_RETURN_IF_ERROR(
        FromRocks(done.Delete(impl_->checkpoint, IncompleteKey(cf)), "cannot mark " + cf));
  }
  LD_RETURN_IF_ERROR(WriteDurably(*impl_->db, done, "cannot mark rebuilt column families"));
  auto& incomplete = impl_->incomplete;
  for (const auto& cf : column_families) {
    incomplete.erase(std::remove(incomplete.begin(), incomplete.end(), cf), incomplete.end());
  }
  return OkStatus();
}

Result<Checkpoint> Store::ReadCheckpoint() const {
  std::string value;
  rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->checkpoint, kCheckpointKey, &value);
  if (status.IsNotFound()) return Checkpoint();
  LD_RETURN_IF_ERROR(FromRocks(status, "cannot read the projection checkpoint"));
  return DecodeCheckpoint(value);
}

Status Store::LoadValidator(DurableValidator& validator) const {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options, impl_->validator));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    LD_RETURN_IF_ERROR(validator.LoadRow(it->key().ToStringView(), it->value().ToStringView()));
  }
  return FromRocks(it->status(), "cannot read the projection validator state");
}

Result<std::optional<std::string>> Store::GetValidatorRow(std::string_view key) const {
  std::string value;
  rocksdb::Status status = impl_->db->Get(rocksdb::ReadOptions(), impl_->validator,
                                          rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  LD_RETURN_IF_ERROR(FromRocks(status, "cannot read the projection validator state"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> Store::Get(std::string_view cf, std::string_view key) const {
  const int index = impl_->IndexOf(cf);
  if (index < 0) return InvalidArgument("no projection column family " + std::string(cf));
  std::string value;
  rocksdb::Status status = impl_->db->Get(rocksdb::ReadOptions(), impl_->projection[index],
                                          rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  LD_RETURN_IF_ERROR(FromRocks(status, "cannot read " + std::string(cf)));
  return std::optional<std::string>(std::move(value));
}

Status Store::Scan(
    std::string_view cf,
    const std::function<void(std::string_view key, std::string_view value)>& visit) const {
  const int index = impl_->IndexOf(cf);
  if (index < 0) return InvalidArgument("no projection column family " + std::string(cf));
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->projection[index]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    visit(it->key().ToStringView(), it->value().ToStringView());
  }
  return FromRocks(it->status(), "cannot scan " + std::string(cf));
}

namespace {

// Visits the rows of `handle` under `prefix` with `read_options` (a snapshot or none).
Status ScanPrefixWith(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle, const rocksdb::ReadOptions& read_options,
    std::string_view cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options, handle));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    if (!visit(key, it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "cannot scan " + std::string(cf));
}

// Store::Reader(): every read at one snapshot, released with the reader.
class SnapshotReader : public RowReader {
 public:
  SnapshotReader(rocksdb::DB& db, const std::vector<std::string>& names,
                 const std::vector<rocksdb::ColumnFamilyHandle*>& handles)
      : db_(db), names_(names), handles_(handles), snapshot_(db.GetSnapshot()) {
    read_options_.snapshot = snapshot_;
  }
  ~SnapshotReader() override { db_.ReleaseSnapshot(snapshot_); }
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) const override {
    LD_ASSIGN_OR_RETURN(auto* handle, Handle(cf));
    std::string value;
    rocksdb::Status status =
        db_.Get(read_options_, handle, rocksdb::Slice(key.data(), key.size()), &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    LD_RETURN_IF_ERROR(FromRocks(status, "cannot read " + std::string(cf)));
    return std::optional<std::string>(std::move(value));
  }

  Status ScanPrefix(std::string_view cf, std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override {
    LD_ASSIGN_OR_RETURN(auto* handle, Handle(cf));
    return ScanPrefixWith(db_, handle, read_options_, cf, prefix, visit);
  }

 private:
  Result<rocksdb::ColumnFamilyHandle*> Handle(std::string_view cf) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == cf) return handles_[i];
    }
    return InvalidArgument("no projection column family " + std::string(cf));
  }

  rocksdb::DB& db_;
  const std::vector<std::string>& names_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions read_options_;
};

}  // namespace

Status Store::ScanPrefix(
    std::string_view cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  const int index = impl_->IndexOf(cf);
  if (index < 0) return InvalidArgument("no projection column family " + std::string(cf));
  return ScanPrefixWith(*impl_->db, impl_->projection[index], rocksdb::ReadOptions(), cf, prefix,
                        visit);
}

std::unique_ptr<RowReader> Store::Reader() const {
  return std::make_unique<SnapshotReader>(*impl_->db, impl_->options.column_families,
                                          impl_->projection);
}

Result<Checkpoint> Store::ScanAll(
    const std::function<void(std::string_view cf, std::string_view key, std::string_view value)>&
        visit) const {
  struct SnapshotRelease {
    rocksdb::DB* db;
    void operator()(const rocksdb::Snapshot* snapshot) const { db->ReleaseSnapshot(snapshot); }
  };
  std::unique_ptr<const rocksdb::Snapshot, SnapshotRelease> snapshot(impl_->db->GetSnapshot(),
                                                                     {impl_->db.get()});
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.snapshot = snapshot.get();
  std::vector<size_t> order(impl_->projection.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto& names = impl_->options.column_families;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return names[a] < names[b]; });
  for (size_t index : order) {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(read_options, impl_->projection[index]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      visit(names[index], it->key().ToStringView(), it->value().ToStringView());
    }
    LD_RETURN_IF_ERROR(FromRocks(it->status(), "cannot scan " + names[index]));
  }
  std::string value;
  rocksdb::Status status = impl_->db->Get(read_options, impl_->checkpoint, kCheckpointKey, &value);
  if (status.IsNotFound()) return Checkpoint();
  LD_RETURN_IF_ERROR(FromRocks(status, "cannot read the projection checkpoint"));
  return DecodeCheckpoint(value);
}

Status Store::WriteCheckpointDurably(const Checkpoint& checkpoint) {
  rocksdb::WriteBatch write;
  LD_RETURN_IF_ERROR(
      FromRocks(write.Put(impl_->checkpoint, kCheckpointKey, EncodeCheckpoint(checkpoint)),
                "cannot write the projection checkpoint"));
  return WriteDurably(*impl_->db, write, "cannot write the projection checkpoint");
}

namespace {

// Receives one SST file's rows in strictly increasing key order.
class SstRows {
 public:
  explicit SstRows(rocksdb::SstFileWriter& writer) : writer_(writer) {}
  void Put(std::string_view key, std::string_view value) {
    if (status_.ok()) status_ = writer_.Put(Slice(key), Slice(value));
    ++rows_;
  }
  void Delete(std::string_view key) {
    if (status_.ok()) status_ = writer_.Delete(Slice(key));
    ++rows_;
  }
  const rocksdb::Status& status() const { return status_; }
  size_t rows() const { return rows_; }

 private:
  static rocksdb::Slice Slice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }
  rocksdb::SstFileWriter& writer_;
  rocksdb::Status status_;
  size_t rows_ = 0;
};

// Writes the rows `fill` gives into a new SST file at `path` for column family `handle`; false
// when `fill` gave none (no file is left then).
// `compress`: false writes the file uncompressed whatever the column family's compression.
Result<bool> WriteSstFile(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
                          const std::string& path, const std::function<void(SstRows&)>& fill,
                          bool compress = true) {
  rocksdb::Options options(rocksdb::DBOptions(), db.GetOptions(handle));
  if (!compress) options.compression = rocksdb::kNoCompression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, handle);
  LD_RETURN_IF_ERROR(FromRocks(writer.Open(path), "cannot write " + path));
  SstRows rows(writer);
  fill(rows);
  if (rows.status().ok() && rows.rows() == 0) {
    writer.Finish().PermitUncheckedError();
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return false;
  }
  LD_RETURN_IF_ERROR(FromRocks(rows.status(), "cannot write " + path));
  LD_RETURN_IF_ERROR(FromRocks(writer.Finish(), "cannot write " + path));
  return true;
}

}  // namespace

Status Store::IngestValidator(const DurableValidator& validator) {
  const std::string path = (impl_->options.dir / "validator-bulk.sst").string();
  LD_ASSIGN_OR_RETURN(
      const bool written, WriteSstFile(*impl_->db, impl_->validator, path, [&](SstRows& rows) {
        validator.VisitRows(
            [&](std::string_view key, std::string_view value) { rows.Put(key, value); });
      }));
  if (!written) return OkStatus();
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  return FromRocks(impl_->db->IngestExternalFile(impl_->validator, {path}, ingest),
                   "cannot ingest the validator state");
}

Status Store::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocks(impl_->db->Flush(options, impl_->handles), "cannot flush the projection store");
}

Result<Store::FileContents> Store::FilesHold() const {
  FileContents contents;
  for (auto* handle : impl_->handles) {
    rocksdb::TablePropertiesCollection files;
    LD_RETURN_IF_ERROR(FromRocks(impl_->db->GetPropertiesOfAllTables(handle, &files),
                                 "cannot read the projection store's file properties"));
    for (const auto& [path, properties] : files) {
      contents.entries += properties->num_entries;
      // RocksDB counts its 8-byte sequence number and type with each key.
      contents.key_bytes += properties->raw_key_size - 8 * properties->num_entries;
      contents.value_bytes += properties->raw_value_size;
      contents.data_bytes += properties->data_size;
    }
  }
  return contents;
}

Status Store::CompactAll() {
  LD_RETURN_IF_ERROR(Flush());
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  options.exclusive_manual_compaction = true;
  for (auto* handle : impl_->handles) {
    LD_RETURN_IF_ERROR(FromRocks(impl_->db->CompactRange(options, handle, nullptr, nullptr),
                                 "cannot compact the projection store"));
  }
  return FromRocks(impl_->db->FlushWAL(true), "cannot sync the projection store's WAL");
}

const std::vector<std::string>& Store::column_families() const {
  return impl_->options.column_families;
}
const std::vector<std::string>& Store::created_column_families() const { return impl_->created; }
const std::vector<std::string>& Store::incomplete_column_families() const {
  return impl_->incomplete;
}
Status Store::RequireComplete() const {
  if (impl_->incomplete.empty()) return OkStatus();
  return FailedPrecondition("column family " + impl_->incomplete.front() +
                            " is new in the projection store in " + impl_->options.dir.string() +
                            ", which had applied events before it (made by an older version): "
                            "run `ledgerdesk projections rebuild` (with serve stopped) first");
}
const std::filesystem::path& Store::dir() const { return impl_->options.dir; }

Status Store::ReplaceRows(const Store& source, const std::vector<std::string>& column_families) {
  std::vector<rocksdb::IngestExternalFileArg> files;
  auto remove_files = [&] {
    std::error_code ignored;
    for (const auto& file : files) std::filesystem::remove(file.external_files.front(), ignored);
  };
  for (const std::string& cf : column_families) {
    const int mine = impl_->IndexOf(cf);
    const int theirs = source.impl_->IndexOf(cf);
    if (mine < 0 || theirs < 0) {
      remove_files();
      return InvalidArgument("column family " + cf + " is not in both projection stores");
    }
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> old_rows(
        impl_->db->NewIterator(read_options, impl_->projection[mine]));
    std::unique_ptr<rocksdb::Iterator> new_rows(
        source.impl_->db->NewIterator(read_options, source.impl_->projection[theirs]));
    const std::string path = (impl_->options.dir / ("replace-" + cf + ".sst")).string();
    auto written = WriteSstFile(*impl_->db, impl_->projection[mine], path, [&](SstRows& out) {
      old_rows->SeekToFirst();
      new_rows->SeekToFirst();
      while (old_rows->Valid() || new_rows->Valid()) {
        const int order = !old_rows->Valid()   ? 1
                          : !new_rows->Valid() ? -1
                                               : old_rows->key().compare(new_rows->key());
        if (order < 0) {
          out.Delete(old_rows->key().ToStringView());
          old_rows->Next();
          continue;
        }
        if (order > 0 || old_rows->value() != new_rows->value()) {
          out.Put(new_rows->key().ToStringView(), new_rows->value().ToStringView());
        }
        if (order == 0) old_rows->Next();
        new_rows->Next();
      }
    });
    Status read = FromRocks(old_rows->status(), "cannot read " + cf);
    if (read.ok()) read = FromRocks(new_rows->status(), "cannot read the replacement " + cf);
    if (written.ok() && *written) {
      files.emplace_back();
      files.back().column_family = impl_->projection[mine];
      files.back().external_files = {path};
      files.back().options.move_files = true;
    }
    if (!written.ok() || !read.ok()) {
      remove_files();
      std::error_code ignored;
      std::filesystem::remove(path, ignored);  // a file that was not finished, if any
      return written.ok() ? read : written.status();
    }
  }
  if (files.empty()) return OkStatus();  // nothing differs
  Status ingested =
      FromRocks(impl_->db->IngestExternalFiles(files), "cannot replace the projection rows");
  if (!ingested.ok()) remove_files();
  return ingested;
}

// ---------------------------------------------------------------------------------------------
// StoreBatch

namespace {

// Write-only rows of one column family, appended as they come (RowSink::PutWriteOnly): length-
// prefixed keys and values packed into blocks that never move, so a row costs no allocation of
// its own. (One buffer doubling as it grew copied every row again at each doubling and held the
// old buffer beside the new meanwhile: the tickets' messages jumped a rebuild's memory by 128 MB
// at once, past its budget, between two checks of it.)
class WriteOnlyRun {
 public:
  void Add(std::string_view key, std::string_view value) {
    char* out = Add(key, value.size());
    if (!value.empty()) std::memcpy(out, value.data(), value.size());
  }
  // Serialized straight into the run (no string in between).
  void Add(std::string_view key, const google::protobuf::MessageLite& row) {
    const size_t size = row.ByteSizeLong();
    row.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(Add(key, size)));
  }
  size_t bytes() const { return bytes_ + rows_.size() * sizeof(const char*); }
  bool empty() const { return rows_.empty(); }
  void Clear() {
    blocks_.clear();
    blocks_.shrink_to_fit();
    rows_.clear();
    rows_.shrink_to_fit();
    block_used_ = block_size_ = bytes_ = 0;
  }
  // Sorts the rows by key; of rows with equal keys the last added is kept.
  void SortByKey() {
    std::vector<KeyRef> keys;
    keys.reserve(rows_.size());
    // Of equal keys the later row sorts last (KeyRef's order breaks ties).
    for (size_t i = 0; i < rows_.size(); ++i) keys.push_back({PartAt(rows_[i]), i});
    SortKeys(keys);
    std::vector<const char*> sorted;
    sorted.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i + 1 < keys.size() && keys[i].key == keys[i + 1].key) continue;
      sorted.push_back(rows_[keys[i].order]);
    }
    rows_ = std::move(sorted);
  }
  size_t size() const { return rows_.size(); }
  std::string_view key(size_t i) const { return PartAt(rows_[i]); }
  std::string_view value(size_t i) const { return PartAt(rows_[i] + 4 + key(i).size()); }

 private:
  static constexpr size_t kBlockBytes = 4 << 20;

  // Adds a row of `key` and a value of `value_size` bytes, to be written at the pointer returned.
  char* Add(std::string_view key, size_t value_size) {
    const size_t size = 8 + key.size() + value_size;
    if (blocks_.empty() || block_used_ + size > block_size_) {
      block_size_ = std::max(kBlockBytes, size);
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_size_));
      block_used_ = 0;
    }
    char* row = blocks_.back().get() + block_used_;
    block_used_ += size;
    bytes_ += size;
    rows_.push_back(row);
    row = WritePart(row, key);
    return WriteSize(row, value_size);
  }

  // A part is its size (4 bytes) and its bytes.
  static char* WriteSize(char* out, size_t size) {
    const auto bytes = static_cast<uint32_t>(size);
    std::memcpy(out, &bytes, 4);
    return out + 4;
  }
  static char* WritePart(char* out, std::string_view part) {
    out = WriteSize(out, part.size());
    if (!part.empty()) std::memcpy(out, part.data(), part.size());
    return out + part.size();
  }
  static std::string_view PartAt(const char* at) {
    uint32_t size;
    std::memcpy(&size, at, 4);
    return {at + 4, size};
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;          // of the last block
  size_t block_size_ = 0;          // of the last block
  size_t bytes_ = 0;               // of all rows
  std::vector<const char*> rows_;  // in the order added; after SortByKey, in key order
};

// A row's key held inside the row cache's node: a lookup that finds a row touches the node alone,
// not the node and then a separately allocated string (that second cache miss was most of a
// rebuild's lookups). Longer keys than kInline bytes, rare, go to the heap.
class RowKey {
 public:
  explicit RowKey(std::string_view key) : size_(static_cast<uint32_t>(key.size())) {
    char* bytes = inline_;
    if (key.size() > kInline) {
      heap_ = std::make_unique<char[]>(key.size());
      bytes = heap_.get();
    }
    std::memcpy(bytes, key.data(), key.size());
  }
  RowKey(const RowKey& other) : RowKey(other.view()) {}
  RowKey& operator=(const RowKey&) = delete;

  std::string_view view() const { return {heap_ ? heap_.get() : inline_, size_}; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kInline = 100;
  uint32_t size_;
  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
};

struct RowKeyHash {
  using is_transparent = void;
  // Through absl::string_view (Debian's absl has its own): absl::Hash of a std::string_view falls
  // back to std::hash, several times slower on keys this long.
  size_t operator()(std::string_view key) const {
    return absl::Hash<absl::string_view>()(absl::string_view(key.data(), key.size()));
  }
  size_t operator()(const RowKey& key) const { return (*this)(key.view()); }
};

struct RowKeyEq {
  using is_transparent = void;
  static std::string_view View(std::string_view key) { return key; }
  static std::string_view View(const RowKey& key) { return key.view(); }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return View(a) == View(b);
  }
};

}  // namespace

struct StoreBatch::Impl {
  struct Entry {
    std::optional<std::string> value;
    // The row kept parsed (RowSink::EditRow), on its family's arena. While `edited` (from an
    // EditRow until the row is committed) the message is the row and may still change: its bytes
    // are serialized whenever they are read or written.
    google::protobuf::MessageLite* parsed = nullptr;
    bool edited = false;
    bool dirty = false;
    // Bulk loads: the key of the index entry this row keeps (RowSink::MoveIndexEntry), written
    // out with the row; none when it has none or the entry is a row of its own.
    std::unique_ptr<std::string> index_key;
    bool index_copies_row = false;  // the entry's value is this row's bytes (IndexValue::kOwnerRow)

    // The bytes, serialized from the parsed message while it is edited.
    const std::optional<std::string>& Bytes() {
      if (edited) {
        if (!value) value.emplace();
        parsed->SerializeToString(&*value);
      }
      return value;
    }
  };
  // Rows keep their addresses (the dirty lists and `last` point at them), and a lookup probes
  // one group of control bytes instead of walking a bucket chain: std::unordered_map's lookups
  // were a tenth of a rebuild's CPU.
  using Table = absl::node_hash_map<RowKey, Entry, RowKeyHash, RowKeyEq>;

  // One column family's staged and cached rows. Column families share nothing here, so
  // projections (each owning its own) may be applied on several threads at once.
  struct Family {
    Table table;
    std::vector<Table::value_type*> dirty;  // rows to commit (not kept for bulk loads)
    // The row the last Get touched: a projection's read-modify-write then skips the second lookup.
    Table::value_type* last = nullptr;
    WriteOnlyRun write_only;  // bulk loads only
    // Bulk loads: the keys written out before the end; a key missing from the table and from
    // these is in no file either. Kept across Clear (the files keep the rows).
    WrittenKeys written;
    // Owns the parsed rows: freed all at once when the family is cleared.
    google::protobuf::Arena arena;
    size_t cache_bytes = 0;
    size_t write_only_bytes = 0;
    size_t dirty_rows = 0;  // rows Put or deleted and not yet written out
    // Index entries (RowSink::MoveIndexEntry) became rows of their own when their owners went.
    bool entries_of_their_own = false;

    void Clear() {
      table.clear();
      dirty.clear();
      last = nullptr;
      write_only.Clear();
      arena.Reset();
      cache_bytes = write_only_bytes = dirty_rows = 0;
      entries_of_their_own = false;
    }

    void MarkDirty(Table::value_type* row, bool keep_list) {
      if (row->second.dirty) return;
      row->second.dirty = true;
      if (keep_list) dirty.push_back(row);
      ++dirty_rows;
    }
  };

  Store& store;
  size_t cache_limit;
  std::vector<Family> families;  // per projection column family
  rocksdb::WriteBatch validator_rows;
  size_t validator_count = 0;

  // The cache holds every row of the store (it started empty and was never cleared since).
  bool complete = false;
  bool committed_any = false;

  // Bulk loading (store.h): dirty rows and write-only rows stay here across commits.
  const bool bulk;
  bool ingested_any = false;   // some rows are in the store's files: deletes must be written
  bool lost_rows = false;      // a Reset dropped rows a commit had kept
  size_t memory_at_start = 0;  // the process's heap in use when the load began
  size_t write_outs = 0;       // by Commit, over the budget
  // Every write-out so far left its keys in the families' `written` (IngestStaged called before
  // the end of a load does not).
  bool written_keys_known = true;

  Impl(Store& s, size_t limit, bool starts_empty)
      : store(s),
        cache_limit(limit),
        families(s.column_families().size()),
        complete(starts_empty),
        bulk(starts_empty && s.impl_->options.bulk_load),
        memory_at_start(bulk ? HeapInUseBytes() : 0) {}

  Result<size_t> Index(std::string_view cf) const {
    const int index = store.impl_->IndexOf(cf);
    if (index < 0) return InvalidArgument("no projection column family " + std::string(cf));
    return static_cast<size_t>(index);
  }

  template <typename Field>
  size_t Sum(Field field) const {
    size_t sum = 0;
    for (const Family& family : families) sum += family.*field;
    return sum;
  }
  size_t HeldBytes() const { return Sum(&Family::cache_bytes) + Sum(&Family::write_only_bytes); }

  // store.h: the process's heap has grown by the budget since the load began, or the rows' bytes
  // alone exceed it. Growth counts only once rows of an eighth of the budget are held (about
  // half of it in memory): memory a write-out cannot give back (the validator's state grows with
  // every event) must not make the load write out a few rows every chunk.
  bool OverMemoryBudget() const {
    if (!bulk) return false;
    const size_t held = HeldBytes();
    if (held > cache_limit) return true;
    if (held < cache_limit / 8) return false;
    const size_t now = HeapInUseBytes();
    return now > memory_at_start && now - memory_at_start > cache_limit;
  }

  // Whether the store may hold a row at `key` that the cache lacks.
  bool MayBeInStore(const Family& family, std::string_view key) const {
    if (complete) return false;
    // A bulk load's store holds only what the load wrote out (it started empty).
    if (bulk && written_keys_known) return family.written.MayHold(RowKeyHash()(key));
    return true;
  }

  static Table::value_type* Find(Family& family, std::string_view key) {
    if (family.last != nullptr && family.last->first.view() == key) return family.last;
    auto it = family.table.find(key);
    return it == family.table.end() ? nullptr : &*it;
  }

  void Stage(Family& family, std::string_view key, std::optional<std::string_view> value) {
    if (bulk && complete && !value) {
      // Never written out and nowhere else: forgetting the row is deleting it (a Get then misses
      // it, which is right), and the table does not fill with dead rows.
      Forget(family, key);
      return;
    }
    Table::value_type* row = Find(family, key);
    if (row == nullptr) {
      row = &*family.table.emplace(RowKey(key), Entry()).first;
      family.cache_bytes += key.size() + 64;
    }
    Entry& entry = row->second;
    if (auto kept = TakeIndexEntry(family, entry)) Stage(family, kept->first, kept->second);
    entry.parsed = nullptr;  // replaced by the bytes (its memory goes with the arena)
    entry.edited = false;
    if (entry.value) family.cache_bytes -= entry.value->size();
    if (value) {
      if (entry.value) {
        entry.value->assign(*value);  // reuses the buffer: a hot row is rewritten every event
      } else {
        entry.value.emplace(*value);
      }
      family.cache_bytes += value->size();
    } else {
      entry.value.reset();
    }
    family.MarkDirty(row, /*keep_list=*/!bulk);  // a bulk load finds its dirty rows at the end
  }

  // The index entry `entry` keeps (RowSink::MoveIndexEntry), taken off it as the key and value
  // of a row of its own for the caller to stage: the row is being replaced or dropped, and
  // Delete + Put would have left its entry (a copy of the row as it was, or "") in place.
  std::optional<std::pair<std::string, std::string>> TakeIndexEntry(Family& family, Entry& entry) {
    if (entry.index_key == nullptr) return std::nullopt;
    std::pair<std::string, std::string> kept(
        std::move(*entry.index_key),
        entry.index_copies_row ? entry.Bytes().value_or("") : std::string());
    family.cache_bytes -= kept.first.size() + 32;
    entry.index_key.reset();
    family.entries_of_their_own = true;
    return kept;
  }

  // Drops the row at `key` from the table (a bulk load's rows there are all it has of them). The
  // index entry the row kept outlives it, as a row of its own.
  void Forget(Family& family, std::string_view key) {
    auto it = family.table.find(key);
    if (it == family.table.end()) return;
    auto kept = TakeIndexEntry(family, it->second);
    family.cache_bytes -= it->first.size() + 64 + (it->second.value ? it->second.value->size() : 0);
    if (it->second.dirty) --family.dirty_rows;
    if (&*it == family.last) family.last = nullptr;
    family.table.erase(it);
    if (kept) Stage(family, kept->first, kept->second);
  }

  // The row at `key` of `family` (index `index`), read from the store into the cache if needed.
  Result<Table::value_type*> Load(size_t index, std::string_view key) {
    Family& family = families[index];
    if (auto* row = Find(family, key); row != nullptr) {
      family.last = row;
      return row;
    }
    std::optional<std::string> value;
    if (MayBeInStore(family, key)) {
      LD_ASSIGN_OR_RETURN(value, store.Get(store.impl_->options.column_families[index], key));
    }
    family.cache_bytes += key.size() + 64 + (value ? value->size() : 0);
    family.last = &*family.table.emplace(RowKey(key), Entry{std::move(value)}).first;
    return family.last;
  }

  // The row at `key`, its message parsed as `type` (from its bytes on first use); the message is
  // null when there is no row and not `create`.
  Result<Table::value_type*> Parsed(size_t index, std::string_view key,
                                    const google::protobuf::MessageLite& type, bool create) {
    Family& family = families[index];
    LD_ASSIGN_OR_RETURN(Table::value_type * row, Load(index, key));
    Entry& entry = row->second;
    if (entry.parsed != nullptr) {
      if (typeid(*entry.parsed) != typeid(type)) {
        return Internal("row " + std::string(key) + " of " +
                        store.impl_->options.column_families[index] + " asked for as two types");
      }
      return row;
    }
    if (!entry.value && !create) return row;
    google::protobuf::MessageLite* parsed = type.New(&family.arena);
    if (entry.value) {
      // A row that does not parse stays bytes (and an error each time it is asked for).
      LD_RETURN_IF_ERROR(
          rows::ParseRow(store.impl_->options.column_families[index], key, *entry.value, *parsed));
      family.cache_bytes += entry.value->size();  // the message is about as large as its bytes
    } else {
      entry.edited = true;  // a new row: written even if left empty
      family.MarkDirty(row, /*keep_list=*/!bulk);
    }
    entry.parsed = parsed;
    return row;
  }

  // Bulk loads: a write-only row (a value's bytes or a message) into its family's run.
  template <typename Value>
  Status AddWriteOnly(std::string_view cf, std::string_view key, const Value& value) {
    LD_ASSIGN_OR_RETURN(const size_t index, Index(cf));
    Family& family = families[index];
    const size_t before = family.write_only.bytes();
    family.write_only.Add(key, value);
    family.write_only_bytes += family.write_only.bytes() - before;
    return OkStatus();
  }

  void Reset() {
    const bool holds_kept_rows = bulk && ((committed_any && Sum(&Family::dirty_rows) > 0) ||
                                          Sum(&Family::write_only_bytes) > 0);
    if (holds_kept_rows) lost_rows = true;
    // Cleared after rows were committed: what the cache does not hold may be in the store now.
    if (committed_any) complete = false;
    for (Family& family : families) family.Clear();
    validator_rows.Clear();
    validator_count = 0;
  }
};

StoreBatch::StoreBatch(Store& store, size_t cache_bytes, bool store_starts_empty)
    : impl_(std::make_unique<Impl>(store, cache_bytes, store_starts_empty)) {}
StoreBatch::~StoreBatch() = default;

Result<std::optional<std::string>> StoreBatch::Get(std::string_view cf, std::string_view key) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  LD_ASSIGN_OR_RETURN(auto* row, impl_->Load(index, key));
  return row->second.Bytes();
}

Result<const google::protobuf::MessageLite*> StoreBatch::FindRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  LD_ASSIGN_OR_RETURN(auto* row, impl_->Parsed(index, key, type, /*create=*/false));
  return static_cast<const google::protobuf::MessageLite*>(row->second.parsed);
}

Result<google::protobuf::MessageLite*> StoreBatch::EditRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type,
    bool create) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  LD_ASSIGN_OR_RETURN(auto* row, impl_->Parsed(index, key, type, create));
  if (row->second.parsed == nullptr) return row->second.parsed;
  row->second.edited = true;
  impl_->families[index].MarkDirty(row, /*keep_list=*/!impl_->bulk);
  return row->second.parsed;
}

Status StoreBatch::Put(std::string_view cf, std::string_view key, std::string_view value) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  impl_->Stage(impl_->families[index], key, value);
  return OkStatus();
}

Status StoreBatch::PutWriteOnly(std::string_view cf, std::string_view key, std::string_view value) {
  if (!impl_->bulk) return Put(cf, key, value);
  return impl_->AddWriteOnly(cf, key, value);
}

Status StoreBatch::PutWriteOnlyRow(std::string_view cf, std::string_view key,
                                   const google::protobuf::MessageLite& row) {
  if (!impl_->bulk) return RowSink::PutWriteOnlyRow(cf, key, row);  // a Put, as PutWriteOnly
  return impl_->AddWriteOnly(cf, key, row);
}

Status StoreBatch::Delete(std::string_view cf, std::string_view key) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  impl_->Stage(impl_->families[index], key, std::nullopt);
  return OkStatus();
}

Status StoreBatch::MoveIndexEntry(std::string_view cf, std::string_view owner,
                                  std::optional<std::string_view> from,
                                  std::optional<std::string_view> to, IndexValue value) {
  LD_ASSIGN_OR_RETURN(const size_t index, impl_->Index(cf));
  Impl::Family& family = impl_->families[index];
  Impl::Table::value_type* row = impl_->bulk ? Impl::Find(family, owner) : nullptr;
  if (row == nullptr) return RowSink::MoveIndexEntry(cf, owner, from, to, value);
  Impl::Entry& entry = row->second;
  if (entry.index_key == nullptr) {
    // The entry is a row of its own, if any (written out before, or Put): delete that.
    if (from) impl_->Stage(family, *from, std::nullopt);
  } else if (!from || *entry.index_key != *from) {
    return Internal("the index entry of row " + std::string(owner) + " of " + std::string(cf) +
                    " is not where the fold moves it from");
  } else if (from != to && impl_->MayBeInStore(family, *from)) {
    // Kept here, but an earlier write-out may have written it there (before it came back).
    impl_->Stage(family, *from, std::nullopt);
  }
  if (!to) {
    if (entry.index_key) family.cache_bytes -= entry.index_key->size() + 32;
    entry.index_key.reset();
    return OkStatus();
  }
  if (entry.index_key == nullptr) {
    entry.index_key = std::make_unique<std::string>();
    family.cache_bytes += 32;  // as TakeIndexEntry counts it back
  }
  // The table may hold the entry's new key as a row of its own (after a write-out: a delete of
  // what the store has; an entry left by an owner deleted or overwritten): the entry kept here
  // replaces it. Otherwise no such row exists, and the lookup is spared.
  if (!impl_->complete || family.entries_of_their_own) impl_->Forget(family, *to);
  family.cache_bytes -= entry.index_key->size();
  family.cache_bytes += to->size();
  entry.index_key->assign(*to);
  entry.index_copies_row = value == IndexValue::kOwnerRow;
  family.MarkDirty(row, /*keep_list=*/false);  // written out (with its entry) at the end
  return OkStatus();
}

void StoreBatch::PutValidatorRow(std::string_view key, std::string_view value) {
  impl_->validator_rows.Put(impl_->store.impl_->validator, rocksdb::Slice(key.data(), key.size()),
                            rocksdb::Slice(value.data(), value.size()));
  ++impl_->validator_count;
}

size_t StoreBatch::staged() const {
  return impl_->Sum(&Impl::Family::dirty_rows) + impl_->validator_count;
}

bool StoreBatch::OverMemoryBudget() const { return impl_->OverMemoryBudget(); }
size_t StoreBatch::write_outs() const { return impl_->write_outs; }

void StoreBatch::Reset() { impl_->Reset(); }

Status Store::Commit(StoreBatch& batch, const Checkpoint& checkpoint) {
  StoreBatch::Impl& staged = *batch.impl_;
  if (staged.lost_rows) {
    return FailedPrecondition(
        "a bulk load dropped rows it had not written yet (after an error): start it again");
  }
  rocksdb::WriteBatch& write = staged.validator_rows;
  rocksdb::Status status;
  for (size_t index = 0; index < staged.families.size() && status.ok(); ++index) {
    auto* cf = impl_->projection[index];
    for (auto* row : staged.families[index].dirty) {
      const std::string_view view = row->first.view();
      const rocksdb::Slice key(view.data(), view.size());
      if (const auto& value = row->second.Bytes()) {
        status = write.Put(cf, key, *value);
      } else {
        status = write.Delete(cf, key);
      }
      if (!status.ok()) break;
    }
  }
  if (status.ok())
    status = write.Put(impl_->checkpoint, kCheckpointKey, EncodeCheckpoint(checkpoint));
  if (status.ok()) status = impl_->db->Write(impl_->write_options, &write);
  if (!status.ok()) {
    staged.Reset();
    return FromRocks(status, "cannot commit projection rows");
  }
  staged.committed_any = true;
  write.Clear();
  staged.validator_count = 0;
  if (staged.bulk) {
    if (!staged.OverMemoryBudget()) return OkStatus();
    ++staged.write_outs;
    return WriteOut(batch, /*more_to_come=*/true);
  }
  for (auto& family : staged.families) {
    for (auto* row : family.dirty) row->second.dirty = row->second.edited = false;
    family.dirty.clear();
    family.dirty_rows = 0;
  }
  if (staged.Sum(&StoreBatch::Impl::Family::cache_bytes) > staged.cache_limit) staged.Reset();
  return OkStatus();
}

Status Store::IngestStaged(StoreBatch& batch) { return WriteOut(batch, /*more_to_come=*/false); }

Status Store::WriteOut(StoreBatch& batch, bool more_to_come) {
  StoreBatch::Impl& staged = *batch.impl_;
  if (!staged.bulk) return OkStatus();
  if (staged.lost_rows) {
    return FailedPrecondition(
        "a bulk load dropped rows it had not written yet (after an error): start it again");
  }
  using Row = std::pair<std::string_view, const StoreBatch::Impl::Entry*>;
  // One row of a file: a value, or a delete of a row an earlier file may hold. A row edited
  // parsed is serialized only as its file is written, into a buffer the writer reuses: serialized
  // here, one column family per task, the tickets' rows were the longest task of all, and each
  // row's bytes were fresh memory (about 130 MB at a million events).
  struct Out {
    std::string_view key;
    std::string_view value;
    const google::protobuf::MessageLite* message;  // the value, when not null
    bool deleted;
  };
  // The value of `row`; a message's is serialized into `scratch`.
  auto value_of = [](const Out& row, std::string& scratch) -> std::string_view {
    if (row.message == nullptr) return row.value;
    scratch.clear();
    row.message->AppendToString(&scratch);
    return scratch;
  };
  const size_t count = staged.families.size();
  std::vector<std::vector<Out>> sorted(count);

  // A column family's rows are its table's and its write-only run's, which hold different keys:
  // each is sorted on its own (a large column family is sorted on two cores), then the two are
  // merged into `sorted[index]`.
  std::vector<std::vector<Row>> sorted_tables(count);
  auto sort_table = [&](size_t index) {
    std::vector<Row> rows;
    rows.reserve(staged.families[index].dirty_rows);
    static const StoreBatch::Impl::Entry kIndexEntry{std::string()};  // an empty row
    for (auto& [key, entry] : staged.families[index].table) {
      if (entry.dirty) rows.emplace_back(key.view(), &entry);
      if (entry.index_key) {
        rows.emplace_back(*entry.index_key, entry.index_copies_row ? &entry : &kIndexEntry);
      }
    }
    std::vector<KeyRef> keys(rows.size());
    for (size_t i = 0; i < keys.size(); ++i) keys[i] = {rows[i].first, i};
    SortKeys(keys);
    std::vector<Row>& table_rows = sorted_tables[index];
    table_rows.reserve(keys.size());
    for (const KeyRef& key : keys) table_rows.push_back(rows[key.order]);
  };
  auto merge = [&](size_t index) -> Status {
    const std::vector<Row>& table_rows = sorted_tables[index];
    const WriteOnlyRun& run = staged.families[index].write_only;
    std::vector<Out>& out = sorted[index];
    out.reserve(table_rows.size() + run.size());
    size_t t = 0, w = 0;
    while (t < table_rows.size() || w < run.size()) {
      const bool take_table =
          w == run.size() || (t < table_rows.size() && table_rows[t].first < run.key(w));
      if (take_table) {
        const auto& [key, entry] = table_rows[t++];
        if (entry->edited) {
          out.push_back({key, {}, entry->parsed, false});
        } else if (entry->value) {
          out.push_back({key, *entry->value, nullptr, false});
        } else if (staged.ingested_any) {  // an earlier file may hold it
          out.push_back({key, {}, nullptr, true});
        }
        continue;
      }
      if (t < table_rows.size() && table_rows[t].first == run.key(w)) {
        return Internal("column family " + impl_->options.column_families[index] +
                        " has a row written both write-only and for reading");
      }
      out.push_back({run.key(w), run.value(w), nullptr, false});
      ++w;
    }
    return OkStatus();
  };

  // Sorting, then writing, on every core (the applying and decoding threads are idle meanwhile),
  // the largest tasks first.
  TaskPool pool(CoresToUse() - 1);
  auto largest_first = [&pool](size_t tasks, const std::function<size_t(size_t)>& size_of,
                               const std::function<Status(size_t)>& task) -> Status {
    std::vector<size_t> order(tasks);
    for (size_t i = 0; i < tasks; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return size_of(a) > size_of(b); });
    std::vector<Status> errors(tasks);
    pool.Run(tasks, [&](size_t i) { errors[order[i]] = task(order[i]); });
    for (Status& error : errors) LD_RETURN_IF_ERROR(error);
    return OkStatus();
  };
  auto rows_of = [&](size_t i) {
    return staged.families[i].dirty_rows + staged.families[i].write_only.size();
  };
  LD_RETURN_IF_ERROR(largest_first(
      2 * count,
      [&](size_t i) {
        return i < count ? staged.families[i].dirty_rows
                         : staged.families[i - count].write_only.size();
      },
      [&](size_t i) {
        if (i < count) {
          sort_table(i);
        } else {
          staged.families[i - count].write_only.SortByKey();
        }
        return OkStatus();
      }));
  LD_RETURN_IF_ERROR(largest_first(count, rows_of, merge));

  // Written as files of about bulk_file_bytes each, a column family's files holding consecutive
  // key ranges, so that a large column family is written on every core too.
  const size_t file_bytes = std::max<size_t>(impl_->options.bulk_file_bytes, 1);
  struct Piece {
    size_t index;  // column family
    size_t begin, end;
    size_t bytes;
    std::string path;
  };
  std::vector<Piece> pieces;  // in column family and key order
  for (size_t index = 0; index < count; ++index) {
    const std::vector<Out>& rows = sorted[index];
    // The messages' sizes, from the first few (measuring them all would read every one twice).
    size_t measured = 0, measured_bytes = 0;
    for (size_t i = 0; i < rows.size() && measured < 64; ++i) {
      if (rows[i].message == nullptr) continue;
      measured_bytes += rows[i].message->ByteSizeLong();
      ++measured;
    }
    const size_t message_bytes = measured == 0 ? 0 : measured_bytes / measured;
    size_t begin = 0, bytes = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      bytes += rows[i].key.size() + (rows[i].message ? message_bytes : rows[i].value.size());
      if (bytes >= file_bytes || i + 1 == rows.size()) {
        pieces.push_back({index, begin, i + 1, bytes,
                          (impl_->options.dir / ("bulk-" + impl_->options.column_families[index] +
                                                 "-" + std::to_string(begin) + ".sst"))
                              .string()});
        begin = i + 1;
        bytes = 0;
      }
    }
  }
  LD_RETURN_IF_ERROR(largest_first(
      pieces.size(), [&](size_t i) { return pieces[i].bytes; },
      [&](size_t i) -> Status {
        const Piece& piece = pieces[i];
        const std::vector<Out>& rows = sorted[piece.index];
        // Ciphertext does not compress: LZ4 only where a sample of the file's rows shows it pays.
        std::string scratch;
        const bool compress = CompressionPays(piece.end - piece.begin, [&](size_t row) {
          const Out& sample = rows[piece.begin + row];
          return std::pair(sample.key, value_of(sample, scratch));
        });
        return WriteSstFile(
                   *impl_->db, impl_->projection[piece.index], piece.path,
                   [&](SstRows& out) {
                     for (size_t row = piece.begin; row < piece.end; ++row) {
                       const Out& next = rows[row];
                       if (next.deleted) {
                         out.Delete(next.key);
                       } else {
                         out.Put(next.key, value_of(next, scratch));
                       }
                     }
                   },
                   compress)
            .status();
      }));

  // Ingested together: each column family's files in key order.
  std::vector<rocksdb::IngestExternalFileArg> files;
  for (Piece& piece : pieces) {
    if (files.empty() || files.back().column_family != impl_->projection[piece.index]) {
      files.emplace_back();
      files.back().column_family = impl_->projection[piece.index];
      files.back().options.move_files = true;
    }
    files.back().external_files.push_back(std::move(piece.path));
  }
  if (!files.empty()) {
    LD_RETURN_IF_ERROR(
        FromRocks(impl_->db->IngestExternalFiles(files), "cannot ingest the projection rows"));
  }
  staged.ingested_any = true;
  if (!more_to_come) {
    staged.written_keys_known = false;
  } else {
    for (size_t index = 0; index < count; ++index) {
      std::vector<uint64_t> hashes;
      hashes.reserve(sorted[index].size());
      for (const Out& row : sorted[index]) {
        if (!row.deleted) hashes.push_back(RowKeyHash()(row.key));
      }
      staged.families[index].written.Add(hashes);
    }
  }
  for (auto& family : staged.families) family.Clear();  // written out: nothing is lost
  staged.Reset();
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------

Result<StoreDigest> DigestAt(const Store& store) {
  RowDigest digest;
  LD_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                      store.ScanAll([&](std::string_view cf, std::string_view key,
                                        std::string_view value) { digest.Add(cf, key, value); }));
  return StoreDigest{digest.FinishHex(), checkpoint};
}

Result<std::string> Digest(const Store& store) {
  LD_ASSIGN_OR_RETURN(StoreDigest digest, DigestAt(store));
  return std::move(digest.hex);
}

}  // namespace ledgerdesk::projections
