#include "projections/runner.h"

#include <google/protobuf/arena.h>

#include <algorithm>
#include <deque>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::projections {

// A projection's view of the batch: only the column families it owns.
class ProjectionRunner::OwnedRows : public RowSink {
 public:
  OwnedRows(RowSink& inner, const Projection& projection)
      : inner_(inner), name_(projection.name()), owned_(projection.column_families()) {}

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.Get(cf, key);
  }
  Status Put(std::string_view cf, std::string_view key, std::string_view value) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.Put(cf, key, value);
  }
  Status Delete(std::string_view cf, std::string_view key) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.Delete(cf, key);
  }
  Status PutWriteOnly(std::string_view cf, std::string_view key, std::string_view value) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.PutWriteOnly(cf, key, value);
  }
  Status PutWriteOnlyRow(std::string_view cf, std::string_view key,
                         const google::protobuf::MessageLite& row) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.PutWriteOnlyRow(cf, key, row);
  }
  Result<const google::protobuf::MessageLite*> FindRow(
      std::string_view cf, std::string_view key,
      const google::protobuf::MessageLite& type) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.FindRow(cf, key, type);
  }
  Status MoveIndexEntry(std::string_view cf, std::string_view owner,
                        std::optional<std::string_view> from, std::optional<std::string_view> to,
                        IndexValue value) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.MoveIndexEntry(cf, owner, from, to, value);
  }
  Result<google::protobuf::MessageLite*> EditRow(std::string_view cf, std::string_view key,
                                                 const google::protobuf::MessageLite& type,
                                                 bool create) override {
    LD_RETURN_IF_ERROR(Check(cf));
    return inner_.EditRow(cf, key, type, create);
  }

 private:
  Status Check(std::string_view cf) const {
    for (const auto& owned : owned_) {
      if (std::string_view(owned) == cf) return OkStatus();
    }
    return InvalidArgument("projection " + name_ + " does not own column family " +
                           std::string(cf));
  }

  RowSink& inner_;
  std::string name_;
  std::vector<std::string> owned_;
};

// A record and what decoding it gave.
struct ProjectionRunner::Decoded {
  log::LogRecord record;
  std::shared_ptr<google::protobuf::Arena> arena;  // owns `envelope`; one per chunk of records
  v1::Envelope* envelope = nullptr;                // null when the record does not decode
};

namespace {

// Decodes `records` onto one arena: allocating and freeing thousands of envelopes' fields one by
// one is most of what decoding costs.
template <typename Decoded>
std::vector<Decoded> DecodeAll(std::vector<log::LogRecord>& records) {
  std::vector<Decoded> out;
  out.reserve(records.size());
  auto arena = std::make_shared<google::protobuf::Arena>();
  for (auto& record : records) {
    auto* envelope = google::protobuf::Arena::CreateMessage<v1::Envelope>(arena.get());
    const bool decoded = log::DecodeEnvelopeInto(record.value, *envelope).ok();
    out.push_back({std::move(record), arena, decoded ? envelope : nullptr});
  }
  return out;
}

}  // namespace

// Records in log order, decoded.
class ProjectionRunner::DecodingReader {
 public:
  virtual ~DecodingReader() = default;
  // Like LogReader::Read.
  virtual Result<std::vector<Decoded>> Read(size_t max_records, std::chrono::milliseconds wait) = 0;
  // Takes back records the caller is done with (freeing them is work a second thread can do).
  virtual void Recycle(std::vector<Decoded> done) { (void)done; }
};

class ProjectionRunner::InlineDecodingReader : public DecodingReader {
 public:
  explicit InlineDecodingReader(std::unique_ptr<log::LogReader> reader)
      : reader_(std::move(reader)) {}
  Result<std::vector<Decoded>> Read(size_t max_records, std::chrono::milliseconds wait) override {
    LD_ASSIGN_OR_RETURN(auto records, reader_->Read(max_records, wait));
    return DecodeAll<Decoded>(records);
  }

 private:
  std::unique_ptr<log::LogReader> reader_;
};

// Reads and decodes in its own thread into a bounded queue of chunks.
class ProjectionRunner::AheadDecodingReader : public DecodingReader {
 public:
  AheadDecodingReader(std::unique_ptr<log::LogReader> reader, std::chrono::milliseconds poll)
      : reader_(std::move(reader)), poll_(poll), thread_([this] { Run(); }) {}

  ~AheadDecodingReader() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  Result<std::vector<Decoded>> Read(size_t max_records, std::chrono::milliseconds wait) override {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return !chunks_.empty() || !error_.ok(); });
    // "Nothing" must mean the log had nothing (CatchUp stops on it), not that the decoding thread
    // is still busy (a starved thread on a loaded machine): wait until its own read came back
    // empty.
    changed_.wait(lock, [&] { return !chunks_.empty() || !error_.ok() || log_was_empty_; });
    if (chunks_.empty()) {
      if (!error_.ok()) return error_;
      return std::vector<Decoded>();
    }
    std::vector<Decoded> out;
    if (chunks_.front().size() - front_taken_ <= max_records && front_taken_ == 0) {
      out = std::move(chunks_.front());
      chunks_.pop_front();
    } else {
      auto& front = chunks_.front();
      const size_t take = std::min(max_records, front.size() - front_taken_);
      out.reserve(take);
      for (size_t i = 0; i < take; ++i) out.push_back(std::move(front[front_taken_ + i]));
      front_taken_ += take;
      if (front_taken_ == front.size()) {
        chunks_.pop_front();
        front_taken_ = 0;
      }
    }
    lock.unlock();
    changed_.notify_all();
    return out;
  }

  // Whichever thread has time to spare frees: this one when the applying thread waits for
  // decoded records, the decoding thread when it is ahead.
  void Recycle(std::vector<Decoded> done) override {
    {
      std::lock_guard lock(mutex_);
      if (chunks_.size() < kMaxChunks / 2) return;  // `done` is freed here, by the caller
      spent_.push_back(std::move(done));
    }
    changed_.notify_all();
  }

 private:
  // Small, so that the projections fold a chunk while its decoded records are still in the
  // caches (the decoding thread wrote them on the other core): 256 records folded 7-10 % faster
  // than 2 048 (25 runs in turn of rebuild_profile 300000; 128 no faster than 256).
  static constexpr size_t kChunk = 256;
  // Enough to keep the applying thread fed (2, 4 and 32 chunks of 2 048 ahead rebuilt equally
  // fast; 8 of 256 was slower than 4: the records waited longer and went cold); each chunk ahead
  // holds its records twice, raw and decoded.
  static constexpr size_t kMaxChunks = 4;

  void Run() {
    for (;;) {
      std::vector<std::vector<Decoded>> spent;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock,
                      [&] { return stopping_ || chunks_.size() < kMaxChunks || !spent_.empty(); });
        if (stopping_) return;
        spent.swap(spent_);
      }
      if (!spent.empty()) {
        spent.clear();  // destroyed here, not in the applying thread
        continue;
      }
      auto records = reader_->Read(kChunk, poll_);
      std::vector<Decoded> chunk;
      if (records.ok()) chunk = DecodeAll<Decoded>(*records);
      {
        std::lock_guard lock(mutex_);
        if (!records.ok()) {
          error_ = records.status();
          stopping_ = true;
        } else if (!chunk.empty()) {
          chunks_.push_back(std::move(chunk));
        }
        log_was_empty_ = records.ok() && records->empty();
      }
      changed_.notify_all();
      if (!records.ok()) return;
      if (records->empty()) {
        // A log may answer "nothing" at once instead of waiting for records: do not spin on it.
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, poll_, [&] { return stopping_ || !spent_.empty(); });
      }
    }
  }

  std::unique_ptr<log::LogReader> reader_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<Decoded>> chunks_;
  std::vector<std::vector<Decoded>> spent_;
  size_t front_taken_ = 0;
  Status error_;
  bool log_was_empty_ = false;  // the decoding thread's last read returned nothing
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the fields it uses
};

ProjectionRunner::ProjectionRunner(log::EventLog& log, Store& store, ProjectionSet projections,
                                   RunnerOptions options)
    : log_(log), store_(store), projections_(std::move(projections)), options_(options) {
  options_.max_batch_events = std::max<size_t>(options_.max_batch_events, 1);
  const size_t threads = std::min(options_.apply_threads, projections_.size());
  if (threads > 1) pool_ = std::make_unique<TaskPool>(threads - 1);
  apply_seconds_.assign(projections_.size(), 0);
}

Result<std::unique_ptr<ProjectionRunner>> ProjectionRunner::Create(log::EventLog& log, Store& store,
                                                                   ProjectionSet projections,
                                                                   RunnerOptions options) {
  LD_ASSIGN_OR_RETURN(auto column_families, ColumnFamiliesOf(projections));
  if (column_families != store.column_families()) {
    return InvalidArgument("the projection store in " + store.dir().string() +
                           " was opened with other column families than these projections own");
  }
  LD_ASSIGN_OR_RETURN(Checkpoint checkpoint, store.ReadCheckpoint());
  LD_RETURN_IF_ERROR(store.RequireComplete());
  std::unique_ptr<ProjectionRunner> runner(
      new ProjectionRunner(log, store, std::move(projections), options));
  runner->batch_ = std::make_unique<StoreBatch>(
      store, runner->options_.cache_bytes,
      /*store_starts_empty=*/options.fresh_store && checkpoint.next.value == 0);
  for (const auto& projection : runner->projections_) {
    runner->owned_rows_.push_back(std::make_unique<OwnedRows>(*runner->batch_, *projection));
  }
  LD_RETURN_IF_ERROR(runner->Recover());
  return runner;
}

ProjectionRunner::~ProjectionRunner() { Stop(); }

Status ProjectionRunner::Recover() {
  batch_->Reset();
  reader_.reset();
  validator_ = std::make_unique<DurableValidator>();
  validator_->Reserve(options_.expected_records);
  LD_RETURN_IF_ERROR(store_.LoadValidator(*validator_));
  LD_ASSIGN_OR_RETURN(pending_, store_.ReadCheckpoint());
  LD_RETURN_IF_ERROR(CheckStoreFollowsLog(pending_));
  LD_ASSIGN_OR_RETURN(auto reader, log_.NewReader(pending_.next));
  if (options_.decode_ahead) {
    reader_ = std::make_unique<AheadDecodingReader>(std::move(reader), options_.poll_wait);
  } else {
    reader_ = std::make_unique<InlineDecodingReader>(std::move(reader));
  }
  {
    std::lock_guard lock(mutex_);
    committed_ = pending_;
  }
  changed_.notify_all();
  return OkStatus();
}

bool ProjectionRunner::Admit(const Decoded& decoded) {
  pending_.next.value = std::max(pending_.next.value, decoded.record.position.value + 1);
  if (decoded.envelope == nullptr) {  // not ours, or from a newer version: every reader skips it
    ++pending_.counts.undecodable;
    return false;
  }
  switch (validator_->Admit(*decoded.envelope)) {
    case log::Verdict::kDuplicate:
      ++pending_.counts.duplicates;
      return false;
    case log::Verdict::kConflict:
      ++pending_.counts.conflicts;
      return false;
    case log::Verdict::kApply:
      break;
  }
  ++pending_.counts.applied;
  if (options_.after_erasures && decoded.envelope->has_subject_erased()) {
    erased_key_ids_.push_back(decoded.envelope->subject_erased().key_id());
  }
  return true;
}

Status ProjectionRunner::ApplyTo(size_t index, const Decoded& decoded) {
  Status status =
      projections_[index]->Apply(decoded.record, *decoded.envelope, *owned_rows_[index]);
  if (status.ok()) return status;
  return status.WithContext("projection " + std::string(projections_[index]->name()) +
                            " at log position " + std::to_string(decoded.record.position.value));
}

Status ProjectionRunner::ApplyChunk(std::vector<Decoded>& records) {
  if (pool_ == nullptr) {
    for (const Decoded& decoded : records) {
      if (!Admit(decoded)) continue;
      for (size_t i = 0; i < projections_.size(); ++i) LD_RETURN_IF_ERROR(ApplyTo(i, decoded));
    }
    return OkStatus();
  }
  std::vector<const Decoded*> admitted;
  admitted.reserve(records.size());
  // The validator's memory is random (ids): load it a few records ahead.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i + kAhead < records.size() && records[i + kAhead].envelope != nullptr) {
      validator_->Prefetch(*records[i + kAhead].envelope);
    }
    if (Admit(records[i])) admitted.push_back(&records[i]);
  }
  // The slowest projections start first, so the threads finish together.
  std::vector<size_t> order(projections_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return apply_seconds_[a] > apply_seconds_[b]; });
  std::vector<Status> failed(projections_.size());
  std::vector<uint64_t> failed_at(projections_.size(), UINT64_MAX);
  pool_->Run(order.size(), [&](size_t task) {
    const size_t index = order[task];
    const auto started = std::chrono::steady_clock::now();
    for (const Decoded* decoded : admitted) {
      Status status = ApplyTo(index, *decoded);
      if (!status.ok()) {
        failed[index] = std::move(status);
        failed_at[index] = decoded->record.position.value;
        break;
      }
    }
    apply_seconds_[index] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  });
  // The same error one thread would have stopped at: the earliest record's, first projection's.
  size_t first = 0;
  for (size_t i = 1; i < failed.size(); ++i) {
    if (failed_at[i] < failed_at[first]) first = i;
  }
  return failed[first];
}

Result<size_t> ProjectionRunner::Step(std::chrono::milliseconds wait) {
  if (reader_ == nullptr) LD_RETURN_IF_ERROR(Recover());
  size_t consumed = 0;
  Status failed;
  while (consumed < options_.max_batch_events) {
    auto records = reader_->Read(options_.max_batch_events - consumed,
                                 consumed == 0 ? wait : std::chrono::milliseconds(0));
    if (!records.ok()) {
      failed = records.status();
      break;
    }
    if (records->empty()) break;
    failed = ApplyChunk(*records);
    if (!failed.ok()) break;
    consumed += records->size();
    reader_->Recycle(std::move(*records));
    // A bulk load over its memory budget commits now, which writes its rows out (store.h).
    if (batch_->OverMemoryBudget()) break;
  }
  if (failed.ok() && consumed > 0) {
    if (options_.defer_validator_rows) {
      validator_->DropChanges();
    } else {
      validator_->StageChanges(*batch_);
    }
    failed = store_.Commit(*batch_, pending_);
  }
  if (!failed.ok()) {
    // Nothing of this batch is committed: start again from the last commit.
    erased_key_ids_.clear();
    Status recovered = Recover();
    if (!recovered.ok()) reader_.reset();
    return failed;
  }
  if (consumed > 0) {
    {
      std::lock_guard lock(mutex_);
      committed_ = pending_;
      last_error_ = OkStatus();
    }
    changed_.notify_all();
    if (options_.after_commit) options_.after_commit(pending_);
  }
  if (!erased_key_ids_.empty()) {
    options_.after_erasures(erased_key_ids_);
    erased_key_ids_.clear();
  }
  return consumed;
}

Status ProjectionRunner::CatchUp() {
  {
    std::lock_guard lock(mutex_);
    if (running_) return FailedPrecondition("the projection runner is following the log already");
  }
  LD_ASSIGN_OR_RETURN(const log::Position end, log_.End());
  // Positions need not be dense (Kafka's transaction markers take offsets): a few empty reads
  // before the end mean there is nothing more to apply.
  for (int idle = 0; pending_.next < end && idle < 3;) {
    LD_ASSIGN_OR_RETURN(const size_t consumed, Step(options_.poll_wait));
    idle = consumed == 0 ? idle + 1 : 0;
  }
  return OkStatus();
}

Status ProjectionRunner::CheckStoreFollowsLog(const Checkpoint& checkpoint) {
  auto end = log_.End();
  if (!end.ok() || checkpoint.next.value <= end->value) return OkStatus();
  return FailedPrecondition(
      "the projections in " + store_.dir().string() + " have applied events up to log position " +
      std::to_string(checkpoint.next.value - 1) + ", but " + log_.Describe() +
      (end->value == 0 ? " holds none" : " ends at position " + std::to_string(end->value - 1)) +
      ": they were made from another log (a recreated topic, another cluster?); point the "
      "command at that log, or run `ledgerdesk projections rebuild` to make them from this one");
}

Status ProjectionRunner::Start() {
  std::lock_guard lock(mutex_);
  if (running_) return FailedPrecondition("the projection runner is following the log already");
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return OkStatus();
}

void ProjectionRunner::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
}

void ProjectionRunner::Run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto consumed = Step(options_.poll_wait);
    if (consumed.ok()) continue;
    std::unique_lock lock(mutex_);
    last_error_ = consumed.status();
    changed_.wait_for(lock, options_.retry_backoff, [&] { return stopping_; });
  }
}

Status ProjectionRunner::WriteValidatorState() {
  {
    std::lock_guard lock(mutex_);
    if (running_) return FailedPrecondition("the projection runner is following the log already");
  }
  return store_.IngestValidator(*validator_);
}

Status ProjectionRunner::FinishBulkLoad() {
  {
    std::lock_guard lock(mutex_);
    if (running_) return FailedPrecondition("the projection runner is following the log already");
  }
  return store_.IngestStaged(*batch_);
}

log::Position ProjectionRunner::applied_position() const {
  std::lock_guard lock(mutex_);
  return committed_.next;
}

bool ProjectionRunner::WaitFor(log::Position position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return committed_.next >= position; });
}

size_t ProjectionRunner::write_outs() const { return batch_->write_outs(); }

ApplyCounts ProjectionRunner::counts() const {
  std::lock_guard lock(mutex_);
  return committed_.counts;
}

Status ProjectionRunner::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace ledgerdesk::projections
