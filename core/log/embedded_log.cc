#include "core/log/embedded_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "core/common/process_lock.h"
#include "core/log/crc32c.h"

namespace ledgerdesk::log {
namespace {

namespace fs = std::filesystem;

// On disk (after LevelDB's log format, without its blocks: a record is found by its header alone).
// A segment file is named by the position of its first record (20 digits, ".log") and holds
// kMagic, then records back to back. A record is a header, the key (the stream), the value (the
// serialized Envelope); the header's fields are little-endian:
//   u32 masked CRC-32C of everything after it (rest of the header, key, value)
//   u32 key length, u32 value length, u64 position,
//   u32 index of the record in its append, u32 number of records in that append.
// The last two make an append atomic: opening keeps only whole appends, and a reader of a log
// another process writes sees an append only when all of it is there.
constexpr std::string_view kMagic("LDLOG01\n", 8);
constexpr uint64_t kMagicSize = kMagic.size();
constexpr size_t kHeaderSize = 28;
constexpr uint32_t kMaxKeyBytes = 64u << 10;
constexpr uint32_t kMaxValueBytes = 64u << 20;
constexpr uint64_t kIndexStride = 64u << 10;  // a sparse index entry per this many bytes of log
// Looking past a corrupt record for intact ones, a header whose append starts implausibly far
// ahead is taken for noise.
constexpr uint64_t kMaxPositionJump = 1ull << 40;
constexpr size_t kReadChunk = 1u << 20;
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr char kLockFileName[] = "LOCK";
constexpr std::string_view kSegmentSuffix = ".log";
constexpr std::string_view kTempSuffix = ".tmp";

// ---- POSIX files ----------------------------------------------------------------------------

std::string ErrnoText(int error) { return std::generic_category().message(error); }

Status IoError(std::string_view what, const fs::path& path, int error) {
  return Internal(std::string(what) + " " + path.string() + ": " + ErrnoText(error));
}

// An open file descriptor, closed when the object goes. Reads and writes are positional and
// retried on EINTR and short transfers.
class File {
 public:
  File() = default;
  ~File() { Close(); }
  File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
  File& operator=(File&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
      path_ = std::move(other.path_);
    }
    return *this;
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  static Result<File> Open(const fs::path& path, int flags, mode_t mode = 0644) {
    int fd;
    do {
      fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return IoError("cannot open", path, errno);
    File file;
    file.fd_ = fd;
    file.path_ = path;
    return file;
  }

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const fs::path& path() const { return path_; }

  Result<struct stat> Stat() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return IoError("cannot stat", path_, errno);
    return st;
  }

  Result<uint64_t> Size() const {
    LD_ASSIGN_OR_RETURN(struct stat st, Stat());
    return static_cast<uint64_t>(st.st_size);
  }

  // Reads up to `n` bytes at `offset` into `buffer`; fewer only at the end of the file.
  Result<size_t> ReadAt(uint64_t offset, char* buffer, size_t n) const {
    size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, buffer + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot read", path_, errno);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

  // The bytes from `offset` to the end of the file as it is now.
  Result<std::string> ReadFrom(uint64_t offset) const {
    LD_ASSIGN_OR_RETURN(uint64_t size, Size());
    std::string data(size > offset ? size - offset : 0, '\0');
    LD_ASSIGN_OR_RETURN(size_t got, ReadAt(offset, data.data(), data.size()));
    data.resize(got);
    return data;
  }

  Status WriteAt(uint64_t offset, std::string_view data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t put =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (put < 0) {
        if (errno == EINTR) continue;
        return IoError("cannot write", path_, errno);
      }
      done += static_cast<size_t>(put);
    }
    return OkStatus();
  }

  Status Truncate(uint64_t size) {
    int rc;
    do {
      rc = ::ftruncate(fd_, static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return IoError("cannot truncate", path_, errno);
    return OkStatus();
  }

  Status DataSync() {
    if (::fdatasync(fd_) != 0) return IoError("cannot fdatasync", path_, errno);
    return OkStatus();
  }

  Status Sync() {
    if (::fsync(fd_) != 0) return IoError("cannot fsync", path_, errno);
    return OkStatus();
  }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
  fs::path path_;
};

// Makes the directory's entries (files created, renamed, removed in it) durable.
Status SyncDir(const fs::path& dir) {
  LD_ASSIGN_OR_RETURN(File file, File::Open(dir, O_RDONLY | O_DIRECTORY));
  return file.Sync();
}

// ---- segment names ----------------------------------------------------------------------------

std::string SegmentName(uint64_t first_position) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(first_position));
  return std::string(name) + std::string(kSegmentSuffix);
}

std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != 20 + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  uint64_t value = 0;
  const char* last = name.data() + 20;
  if (!std::all_of(name.data(), last, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  auto [end, error] = std::from_chars(name.data(), last, value);
  if (error != std::errc() || end != last) return std::nullopt;
  return value;
}

// ---- records --------------------------------------------------------------------------------

void Put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}
void Put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xffu);
}
uint32_t Get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t Get64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

struct RecordHeader {
  uint32_t masked_crc = 0;
  uint32_t key_bytes = 0;
  uint32_t value_bytes = 0;
  uint64_t position = 0;
  uint32_t index = 0;  // in its append
  uint32_t count = 0;  // records in its append

  uint64_t record_bytes() const { return kHeaderSize + uint64_t{key_bytes} + value_bytes; }
  uint64_t append_first() const { return position - index; }
};

RecordHeader DecodeHeader(const char* p) {
  return {.masked_crc = Get32(p),
          .key_bytes = Get32(p + 4),
          .value_bytes = Get32(p + 8),
          .position = Get64(p + 12),
          .index = Get32(p + 20),
          .count = Get32(p + 24)};
}

bool Plausible(const RecordHeader& h) {
  return h.key_bytes <= kMaxKeyBytes && h.value_bytes <= kMaxValueBytes && h.count > 0 &&
         h.index < h.count && h.position >= h.index;
}

bool ChecksumMatches(const RecordHeader& h, const char* record) {
  return UnmaskCrc32c(h.masked_crc) == Crc32c(std::string_view(record + 4, h.record_bytes() - 4));
}

enum class Parse { kOk, kTruncated, kCorrupt };

struct Parsed {
  Parse outcome = Parse::kOk;
  RecordHeader header;
  const char* why = "";
};

// Parses the record at the start of `data`.
Parsed ParseRecord(std::string_view data) {
  if (data.size() < kHeaderSize) return {Parse::kTruncated, {}, "a truncated record header"};
  const RecordHeader h = DecodeHeader(data.data());
  if (!Plausible(h)) return {Parse::kCorrupt, h, "bytes that are not a record header"};
  if (data.size() < h.record_bytes()) return {Parse::kTruncated, h, "a truncated record"};
  if (!ChecksumMatches(h, data.data())) {
    return {Parse::kCorrupt, h, "a record that fails its checksum"};
  }
  return {Parse::kOk, h, ""};
}

struct IndexPoint {
  uint64_t position = 0;
  uint64_t offset = 0;
};

// What scanning a stretch of a segment found.
struct Scan {
  uint64_t boundary_offset = 0;    // file offset after the last whole append
  uint64_t boundary_position = 0;  // the position after it
  uint64_t records = 0;            // records in whole appends
  std::vector<IndexPoint> index;   // sparse index points within whole appends
  uint64_t last_indexed = 0;       // offset of the last index point of the segment
  // Empty when every byte belongs to whole appends; else what is wrong at problem_offset.
  std::string problem;
  uint64_t problem_offset = 0;
  uint64_t problem_position = 0;
  uint64_t look_ahead_from = 0;  // where intact records after the problem may start
};

// Scans `data`, the bytes of a segment from file offset `base` (the start of an append, at
// `position`) to the end of the file as read. `last_indexed` is the offset of the segment's last
// index point.
Scan ScanRecords(std::string_view data, uint64_t base, uint64_t position, uint64_t last_indexed) {
  Scan scan{.boundary_offset = base, .boundary_position = position, .last_indexed = last_indexed};
  size_t offset = 0;
  uint64_t next = position;
  uint32_t expected_index = 0;
  uint32_t expected_count = 0;
  uint64_t indexed = last_indexed;
  std::vector<IndexPoint> pending;
  while (offset < data.size()) {
    const Parsed parsed = ParseRecord(data.substr(offset));
    const RecordHeader& h = parsed.header;
    if (parsed.outcome != Parse::kOk) {
      scan.problem = parsed.why;
    } else if (h.position != next) {
      scan.problem = "a record numbered " + std::to_string(h.position) + " where " +
                     std::to_string(next) + " belongs";
    } else if (h.index != expected_index || (expected_index > 0 && h.count != expected_count)) {
      scan.problem = "a record out of its append's sequence";
    }
    if (!scan.problem.empty()) {
      scan.problem_offset = base + offset;
      scan.problem_position = next;
      scan.look_ahead_from = base + offset + 1;
      break;
    }
    if (base + offset - indexed >= kIndexStride) {
      pending.push_back({next, base + offset});
      indexed = base + offset;
    }
    offset += h.record_bytes();
    ++next;
    if (h.index + 1 == h.count) {
      scan.boundary_offset = base + offset;
      scan.boundary_position = next;
      scan.records += h.count;
      scan.index.insert(scan.index.end(), pending.begin(), pending.end());
      scan.last_indexed = indexed;
      pending.clear();
      expected_index = 0;
    } else {
      expected_index = h.index + 1;
      expected_count = h.count;
    }
  }
  if (scan.problem.empty() && scan.boundary_offset != base + offset) {
    scan.problem = "an incomplete append (" + std::to_string(expected_index) + " of " +
                   std::to_string(expected_count) + " records)";
    scan.problem_offset = scan.boundary_offset;
    scan.problem_position = scan.boundary_position;
    scan.look_ahead_from = base + offset;
  }
  return scan;
}

struct Found {
  uint64_t offset = 0;
  uint64_t position = 0;
};

// Looks in `data` (file bytes from `base`), from file offset `from` on, for an intact record of an
// append after the one that would start at `boundary_position`: proof that what precedes it is
// not a torn tail but damage in the middle of the log.
std::optional<Found> FindLaterAppend(std::string_view data, uint64_t base, uint64_t from,
                                     uint64_t boundary_position) {
  if (data.size() < kHeaderSize) return std::nullopt;
  for (uint64_t offset = from > base ? from - base : 0; offset + kHeaderSize <= data.size();
       ++offset) {
    const RecordHeader h = DecodeHeader(data.data() + offset);
    if (!Plausible(h)) continue;
    const uint64_t first = h.append_first();
    if (first <= boundary_position || first - boundary_position > kMaxPositionJump) continue;
    if (h.record_bytes() > data.size() - offset) continue;
    if (ChecksumMatches(h, data.data() + offset)) return Found{base + offset, h.position};
  }
  return std::nullopt;
}

// ---- shared state -------------------------------------------------------------------------

struct SegmentInfo {
  uint64_t first_position = 0;
  fs::path path;
  uint64_t bytes = 0;  // the bytes of whole appends: what readers may read
};

struct IndexEntry {
  uint64_t position = 0;
  size_t segment = 0;
  uint64_t offset = 0;
};

// What the log and its readers share (readers keep it alive if they outlive the log).
class LogState {
 public:
  LogState(fs::path dir, bool read_only) : dir_(std::move(dir)), read_only_(read_only) {}

  const fs::path& dir() const { return dir_; }
  bool read_only() const { return read_only_; }

  std::mutex mu;
  std::condition_variable appended;
  // Guarded by mu.
  std::vector<SegmentInfo> segments;
  std::vector<IndexEntry> index;  // by position
  uint64_t end = 0;
  uint64_t last_indexed = 0;  // offset of the last index entry in the last segment

  // Read-only logs only: takes in what another process appended since (whole appends only).
  Status Refresh();

 private:
  struct Grown {
    bool progressed = false;
    bool whole = false;  // the segment holds whole appends only, up to its end
  };
  Result<Grown> RefreshLastSegment(size_t segment, uint64_t bytes, uint64_t position,
                                   uint64_t last_indexed);

  const fs::path dir_;
  const bool read_only_;

  std::mutex refresh_mu_;  // one refresh at a time; guards the fields below
  File refresh_file_;
  size_t refresh_segment_ = SIZE_MAX;
  // The last segment's size and mtime when a refresh last found an unfinished tail in it, so an
  // idle poll does not scan the same bytes again.
  std::optional<std::pair<uint64_t, int64_t>> unchanged_tail_;
  Status refresh_error_;
};

Status LogState::Refresh() {
  std::lock_guard refreshing(refresh_mu_);
  if (!refresh_error_.ok()) return refresh_error_;
  for (;;) {
    size_t segment_count;
    SegmentInfo last;
    uint64_t position;
    uint64_t last_idx;
    {
      std::lock_guard lock(mu);
      segment_count = segments.size();
      if (segment_count > 0) last = segments.back();
      position = end;
      last_idx = last_indexed;
    }
    if (segment_count > 0) {
      LD_ASSIGN_OR_RETURN(Grown grown,
                          RefreshLastSegment(segment_count - 1, last.bytes, position, last_idx));
      if (grown.progressed) continue;
      if (!grown.whole) return OkStatus();
      // An empty segment is never followed by another: the writer starts one past a full one.
      if (last.first_position == position) return OkStatus();
    }
    // Everything there is whole: has the writer started the next segment?
    const fs::path next = dir_ / SegmentName(position);
    std::error_code error;
    if (!fs::exists(next, error)) return OkStatus();
    LD_ASSIGN_OR_RETURN(File file, File::Open(next, O_RDONLY));
    std::string magic(kMagicSize, '\0');
    LD_ASSIGN_OR_RETURN(size_t got, file.ReadAt(0, magic.data(), magic.size()));
    if (got < kMagicSize) return OkStatus();  // not written yet
    if (magic != kMagic) {
      refresh_error_ = DataLoss(next.string() + " is not a segment of an embedded log");
      return refresh_error_;
    }
    std::lock_guard lock(mu);
    segments.push_back({.first_position = position, .path = next, .bytes = kMagicSize});
    index.push_back({.position = position, .segment = segments.size() - 1, .offset = kMagicSize});
    last_indexed = kMagicSize;
  }
}

Result<LogState::Grown> LogState::RefreshLastSegment(size_t segment, uint64_t bytes,
                                                     uint64_t position, uint64_t last_idx) {
  if (refresh_segment_ != segment) {
    std::string path;
    {
      std::lock_guard lock(mu);
      path = segments[segment].path;
    }
    LD_ASSIGN_OR_RETURN(refresh_file_, File::Open(path, O_RDONLY));
    refresh_segment_ = segment;
    unchanged_tail_.reset();
  }
  LD_ASSIGN_OR_RETURN(struct stat st, refresh_file_.Stat());
  const auto size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (size == bytes) return Grown{.progressed = false, .whole = true};
  if (size < bytes) {
    refresh_error_ = DataLoss(refresh_file_.path().string() + " shrank to " + std::to_string(size) +
                              " bytes below the " + std::to_string(bytes) +
                              " bytes of whole appends already read");
    return refresh_error_;
  }
  if (unchanged_tail_ == std::make_pair(size, mtime)) return Grown{};

  Scan scan;
  for (int attempt = 0;; ++attempt) {
    LD_ASSIGN_OR_RETURN(std::string data, refresh_file_.ReadFrom(bytes));
    scan = ScanRecords(data, bytes, position, last_idx);
    if (scan.problem.empty()) break;
    auto later = FindLaterAppend(data, bytes, scan.look_ahead_from, scan.boundary_position);
    if (!later) break;
    // A writer's append may have been caught half copied while the next one was already there:
    // read again before calling it damage (the earlier append is whole by now).
    if (attempt == 0) continue;
    refresh_error_ = DataLoss(
        refresh_file_.path().string() + " has " + scan.problem + " at offset " +
        std::to_string(scan.problem_offset) + " (position " +
        std::to_string(scan.problem_position) + "), and intact records follow it (position " +
        std::to_string(later->position) + " at offset " + std::to_string(later->offset) + ")");
    return refresh_error_;
  }
  if (!scan.problem.empty()) unchanged_tail_ = std::make_pair(size, mtime);
  if (scan.boundary_offset == bytes) return Grown{};
  {
    std::lock_guard lock(mu);
    segments[segment].bytes = scan.boundary_offset;
    end = scan.boundary_position;
    for (const IndexPoint& point : scan.index) {
      index.push_back({.position = point.position, .segment = segment, .offset = point.offset});
    }
    last_indexed = scan.last_indexed;
  }
  appended.notify_all();
  return Grown{.progressed = true, .whole = scan.problem.empty()};
}

// ---- reader -----------------------------------------------------------------------------------

class EmbeddedReader final : public LogReader {
 public:
  EmbeddedReader(std::shared_ptr<LogState> state, size_t segment, uint64_t offset,
                 uint64_t position, uint64_t from)
      : state_(std::move(state)),
        segment_(segment),
        offset_(offset),
        position_(position),
        from_(from) {}

  Result<std::vector<LogRecord>> Read(size_t max_records, std::chrono::milliseconds wait) override {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      LD_ASSIGN_OR_RETURN(auto records, ReadAvailable(max_records));
      if (!records.empty() || max_records == 0) return records;
      LD_ASSIGN_OR_RETURN(bool more, WaitForMore(deadline));
      if (!more) return records;
    }
  }

 private:
  // Waits until the log has grown past the reader or `deadline` passes; true if it grew.
  Result<bool> WaitForMore(std::chrono::steady_clock::time_point deadline) {
    if (!state_->read_only()) {
      std::unique_lock lock(state_->mu);
      return state_->appended.wait_until(lock, deadline, [&] { return state_->end > position_; });
    }
    // Another process appends: look at the files now and then.
    for (;;) {
      LD_RETURN_IF_ERROR(state_->Refresh());
      {
        std::lock_guard lock(state_->mu);
        if (state_->end > position_) return true;
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
    }
  }

  // The records there are now, up to `max`.
  Result<std::vector<LogRecord>> ReadAvailable(size_t max) {
    std::vector<LogRecord> out;
    while (out.size() < max) {
      SegmentInfo segment;
      bool has_next;
      uint64_t end;
      {
        std::lock_guard lock(state_->mu);
        end = state_->end;
        if (position_ >= end || segment_ >= state_->segments.size()) break;
        segment = state_->segments[segment_];
        has_next = segment_ + 1 < state_->segments.size();
      }
      if (offset_ >= segment.bytes) {
        if (!has_next) break;
        ++segment_;
        offset_ = kMagicSize;
        continue;
      }
      if (segment.first_position > position_) {
        return Corrupt(segment.path, "the segment starts past the position the reader is at");
      }
      if (file_segment_ != segment_) {
        LD_ASSIGN_OR_RETURN(file_, File::Open(segment.path, O_RDONLY));
        file_segment_ = segment_;
        buffer_.clear();
        buffer_offset_ = 0;
      }
      while (out.size() < max && offset_ < segment.bytes && position_ < end) {
        LD_RETURN_IF_ERROR(Fill(kHeaderSize, segment.bytes));
        const RecordHeader h = DecodeHeader(buffer_.data() + (offset_ - buffer_offset_));
        if (!Plausible(h)) return Corrupt(segment.path, "bytes that are not a record header");
        LD_RETURN_IF_ERROR(Fill(h.record_bytes(), segment.bytes));
        const char* record = buffer_.data() + (offset_ - buffer_offset_);
        if (!ChecksumMatches(h, record)) {
          return Corrupt(segment.path, "a record that fails its checksum");
        }
        if (h.position != position_) {
          return Corrupt(segment.path, "a record numbered " + std::to_string(h.position));
        }
        if (position_ >= from_) {
          out.push_back({.position = Position{position_},
                         .key = std::string(record + kHeaderSize, h.key_bytes),
                         .value = std::string(record + kHeaderSize + h.key_bytes, h.value_bytes)});
        }
        offset_ += h.record_bytes();
        ++position_;
      }
    }
    return out;
  }

  // Makes the buffer hold the `n` bytes at offset_, all below `limit` (the whole appends).
  Status Fill(uint64_t n, uint64_t limit) {
    if (offset_ >= buffer_offset_ && offset_ + n <= buffer_offset_ + buffer_.size()) {
      return OkStatus();
    }
    if (offset_ + n > limit) {
      return Corrupt(file_.path(), "a record that runs past the end of the appended bytes");
    }
    const uint64_t length = std::min<uint64_t>(limit - offset_, std::max<uint64_t>(n, kReadChunk));
    buffer_.resize(length);
    buffer_offset_ = offset_;
    LD_ASSIGN_OR_RETURN(size_t got, file_.ReadAt(offset_, buffer_.data(), buffer_.size()));
    if (got < length) {
      buffer_.clear();
      return Corrupt(file_.path(), "a file shorter than what was appended to it");
    }
    return OkStatus();
  }

  Status Corrupt(const fs::path& path, const std::string& what) const {
    return DataLoss("the embedded log is corrupt at position " + std::to_string(position_) +
                    " in " + path.string() + " (offset " + std::to_string(offset_) + "): " + what);
  }

  std::shared_ptr<LogState> state_;
  size_t segment_;
  uint64_t offset_;
  uint64_t position_;  // of the record at offset_
  uint64_t from_;      // records before it are skipped
  File file_;
  size_t file_segment_ = SIZE_MAX;
  std::string buffer_;  // bytes of the file from buffer_offset_
  uint64_t buffer_offset_ = 0;
};

// ---- the log ----------------------------------------------------------------------------------

// Creates an empty segment (through a temporary name, so a segment always has its magic) and
// returns it open for appending.
Result<File> CreateSegment(const fs::path& dir, uint64_t first_position) {
  const fs::path path = dir / SegmentName(first_position);
  fs::path temp = path;
  temp += kTempSuffix;
  {
    LD_ASSIGN_OR_RETURN(File file, File::Open(temp, O_WRONLY | O_CREAT | O_TRUNC));
    LD_RETURN_IF_ERROR(file.WriteAt(0, kMagic));
    LD_RETURN_IF_ERROR(file.DataSync());
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return IoError("cannot rename", temp, errno);
  LD_RETURN_IF_ERROR(SyncDir(dir));
  return File::Open(path, O_WRONLY);
}

class EmbeddedLogImpl final : public EmbeddedLog {
 public:
  EmbeddedLogImpl(EmbeddedLogOptions options, std::shared_ptr<LogState> state)
      : options_(std::move(options)), state_(std::move(state)) {}

  Result<std::vector<Position>> Append(const std::vector<v1::Envelope>& events) override;
  Result<Position> End() override;
  Result<std::unique_ptr<LogReader>> NewReader(Position from) override;
  bool HasExclusiveWriter() const override { return !options_.read_only; }
  std::string Describe() const override { return "embedded log in " + options_.dir.string(); }
  const EmbeddedLogRecovery& recovery() const override { return recovery_; }

  Status Lock();
  Status Recover();

 private:
  Status RollOver();

  const EmbeddedLogOptions options_;
  const std::shared_ptr<LogState> state_;
  EmbeddedLogRecovery recovery_;
  ProcessLock lock_;

  std::mutex append_mu_;  // one append at a time; guards the fields below
  File active_;           // the last segment
  uint64_t active_bytes_ = 0;
  uint64_t active_last_indexed_ = 0;
  uint64_t next_position_ = 0;
  std::string buffer_;
  Status broken_;  // set when an append failed in a way that leaves the file in doubt
};

Status EmbeddedLogImpl::Lock() {
  const fs::path path = options_.dir / kLockFileName;
  std::error_code error;
  const bool existed = fs::exists(path, error);
  LD_ASSIGN_OR_RETURN(lock_, ProcessLock::Acquire(path, "the data dir " + options_.dir.string(),
                                                  "; stop it or use another --data-dir"));
  if (!existed) LD_RETURN_IF_ERROR(SyncDir(options_.dir));
  return OkStatus();
}

// Reads every segment, checks every record, rebuilds the index and, when writable, cuts a torn
// or corrupt tail.
Status EmbeddedLogImpl::Recover() {
  const fs::path& dir = options_.dir;
  const bool writable = !options_.read_only;
  std::map<uint64_t, fs::path> found;
  bool removed_temp = false;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (auto first = ParseSegmentName(name)) {
      found[*first] = entry.path();
    } else if (writable && name.ends_with(kTempSuffix) &&
               ParseSegmentName(name.substr(0, name.size() - kTempSuffix.size()))) {
      // A segment being created when a process stopped: it has no records.
      if (::unlink(entry.path().c_str()) != 0) return IoError("cannot remove", entry.path(), errno);
      removed_temp = true;
    }
  }
  if (error) return Internal("cannot list " + dir.string() + ": " + error.message());
  if (removed_temp) LD_RETURN_IF_ERROR(SyncDir(dir));

  std::vector<SegmentInfo> segments;
  std::vector<IndexEntry> index;
  uint64_t position = found.empty() ? 0 : found.begin()->first;
  uint64_t last_indexed = 0;
  uint64_t records = 0;
  std::optional<File> last_file;
  for (auto it = found.begin(); it != found.end(); ++it) {
    const auto& [first, path] = *it;
    const bool is_last = std::next(it) == found.end();
    if (first != position) {
      return DataLoss("the embedded log in " + dir.string() + " is not whole: " + path.string() +
                      " starts at position " + std::to_string(first) + " but position " +
                      std::to_string(position) + " comes next (a segment is missing or damaged)");
    }
    LD_ASSIGN_OR_RETURN(File file, File::Open(path, writable ? O_RDWR : O_RDONLY));
    LD_ASSIGN_OR_RETURN(std::string data, file.ReadFrom(0));
    if (data.size() < kMagicSize && is_last && kMagic.starts_with(data)) {
      // An empty segment whose creation stopped short (the rename makes that unlikely).
      if (!writable) break;
      LD_RETURN_IF_ERROR(file.Truncate(0));
      LD_RETURN_IF_ERROR(file.WriteAt(0, kMagic));
      LD_RETURN_IF_ERROR(file.DataSync());
      data = kMagic;
    }
    if (!std::string_view(data).starts_with(kMagic)) {
      return DataLoss(path.string() +
                      " is not a segment of an embedded log (it does not start with the segment "
                      "header); move it out of " +
                      dir.string() + " if it does not belong there");
    }
    segments.push_back({.first_position = first, .path = path, .bytes = kMagicSize});
    index.push_back({.position = first, .segment = segments.size() - 1, .offset = kMagicSize});
    Scan scan =
        ScanRecords(std::string_view(data).substr(kMagicSize), kMagicSize, position, kMagicSize);
    for (const IndexPoint& point : scan.index) {
      index.push_back(
          {.position = point.position, .segment = segments.size() - 1, .offset = point.offset});
    }
    segments.back().bytes = scan.boundary_offset;
    position = scan.boundary_position;
    last_indexed = scan.last_indexed;
    records += scan.records;
    if (scan.problem.empty()) {
      last_file = std::move(file);
      continue;
    }

    // Damage. A tail (nothing intact after it) is cut; anything else is refused.
    std::optional<Found> later =
        FindLaterAppend(data, 0, scan.look_ahead_from, scan.boundary_position);
    fs::path later_path = path;
    std::vector<std::pair<fs::path, uint64_t>> after;  // the segments after this one, with sizes
    for (auto rest = std::next(it); rest != found.end(); ++rest) {
      LD_ASSIGN_OR_RETURN(File other, File::Open(rest->second, O_RDONLY));
      LD_ASSIGN_OR_RETURN(std::string other_data, other.ReadFrom(0));
      if (!std::string_view(other_data).starts_with(kMagic)) {
        return DataLoss(rest->second.string() +
                        " is not a segment of an embedded log (it does not start with the "
                        "segment header); move it out of " +
                        dir.string() + " if it does not belong there");
      }
      after.emplace_back(rest->second, other_data.size());
      if (!later) {
        later = FindLaterAppend(other_data, 0, kMagicSize, scan.boundary_position);
        later_path = rest->second;
      }
    }
    if (later) {
      return DataLoss("the embedded log in " + dir.string() + " is damaged: " + path.string() +
                      " has " + scan.problem + " at offset " + std::to_string(scan.problem_offset) +
                      " (position " + std::to_string(scan.problem_position) +
                      "), and intact records follow it (position " +
                      std::to_string(later->position) + " at offset " +
                      std::to_string(later->offset) + " of " + later_path.string() +
                      "), so it is not a torn tail; refusing to open rather than skip or drop "
                      "records: restore the log from a backup");
    }
    const uint64_t cut = data.size() - scan.boundary_offset;
    uint64_t removed_bytes = 0;
    if (writable) {
      LD_RETURN_IF_ERROR(file.Truncate(scan.boundary_offset));
      LD_RETURN_IF_ERROR(file.Sync());
      for (const auto& [other, size] : after) {
        if (::unlink(other.c_str()) != 0) return IoError("cannot remove", other, errno);
        removed_bytes += size;
      }
      if (!after.empty()) LD_RETURN_IF_ERROR(SyncDir(dir));
    }
    recovery_.truncated_bytes = cut + removed_bytes;
    recovery_.detail =
        std::string(writable ? "cut off " : "found (and left, read-only) ") + std::to_string(cut) +
        " bytes of a torn or corrupt tail at offset " + std::to_string(scan.boundary_offset) +
        " of " + path.string() + " (from position " + std::to_string(scan.boundary_position) +
        " on): " + scan.problem + " at offset " + std::to_string(scan.problem_offset) +
        " (position " + std::to_string(scan.problem_position) +
        "); the records before it are intact";
    if (!after.empty()) {
      recovery_.detail += std::string(writable ? ", and removed " : ", and ") +
                          std::to_string(after.size()) +
                          " later segment file(s) without intact records";
    }
    if (!writable) recovery_.truncated_bytes = 0;  // nothing was cut
    last_file = std::move(file);
    break;
  }

  if (writable && segments.empty()) {
    LD_ASSIGN_OR_RETURN(File created, CreateSegment(dir, position));
    segments.push_back(
        {.first_position = position, .path = dir / SegmentName(position), .bytes = kMagicSize});
    index.push_back({.position = position, .segment = 0, .offset = kMagicSize});
    last_indexed = kMagicSize;
    last_file = std::move(created);
  }
  recovery_.records = records;
  if (writable) {
    active_ = std::move(*last_file);
    active_bytes_ = segments.back().bytes;
    active_last_indexed_ = last_indexed;
    next_position_ = position;
  }
  std::lock_guard lock(state_->mu);
  state_->segments = std::move(segments);
  state_->index = std::move(index);
  state_->end = position;
  state_->last_indexed = last_indexed;
  return OkStatus();
}

Status EmbeddedLogImpl::RollOver() {
  LD_ASSIGN_OR_RETURN(File created, CreateSegment(options_.dir, next_position_));
  active_ = std::move(created);
  active_bytes_ = kMagicSize;
  active_last_indexed_ = kMagicSize;
  std::lock_guard lock(state_->mu);
  state_->segments.push_back({.first_position = next_position_,
                              .path = options_.dir / SegmentName(next_position_),
                              .bytes = kMagicSize});
  state_->index.push_back(
      {.position = next_position_, .segment = state_->segments.size() - 1, .offset = kMagicSize});
  state_->last_indexed = kMagicSize;
  return OkStatus();
}

Result<std::vector<Position>> EmbeddedLogImpl::Append(const std::vector<v1::Envelope>& events) {
  if (options_.read_only) {
    return FailedPrecondition("the " + Describe() +
                              " is open read-only: appends go through the process that holds it");
  }
  if (events.empty()) return std::vector<Position>{};
  if (events.size() > UINT32_MAX) return InvalidArgument("too many events for one append");
  std::lock_guard appending(append_mu_);
  if (!broken_.ok()) return broken_;

  // One buffer with every record of the call: one write, one fdatasync.
  std::vector<uint32_t> value_bytes(events.size());
  uint64_t total = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const size_t key = events[i].stream().size();
    const size_t value = events[i].ByteSizeLong();
    if (key > kMaxKeyBytes || value > kMaxValueBytes) {
      return InvalidArgument("event " + std::to_string(i) + " is too large for the " + Describe() +
                             " (stream id of " + std::to_string(key) + " bytes, envelope of " +
                             std::to_string(value) + " bytes)");
    }
    value_bytes[i] = static_cast<uint32_t>(value);
    total += kHeaderSize + key + value;
  }
  if (active_bytes_ > kMagicSize && active_bytes_ + total > options_.segment_bytes) {
    LD_RETURN_IF_ERROR(RollOver());
  }

  buffer_.resize(total);
  std::vector<IndexEntry> new_index;
  uint64_t last_indexed = active_last_indexed_;
  char* p = buffer_.data();
  const auto count = static_cast<uint32_t>(events.size());
  for (uint32_t i = 0; i < count; ++i) {
    const std::string& key = events[i].stream();
    const uint64_t position = next_position_ + i;
    const uint64_t record_bytes = kHeaderSize + key.size() + value_bytes[i];
    Put32(p + 4, static_cast<uint32_t>(key.size()));
    Put32(p + 8, value_bytes[i]);
    Put64(p + 12, position);
    Put32(p + 20, i);
    Put32(p + 24, count);
    std::memcpy(p + kHeaderSize, key.data(), key.size());
    auto* value = reinterpret_cast<uint8_t*>(p + kHeaderSize + key.size());
    if (events[i].SerializeWithCachedSizesToArray(value) != value + value_bytes[i]) {
      return Internal("an envelope changed size while it was serialized");
    }
    Put32(p, MaskCrc32c(Crc32c(std::string_view(p + 4, record_bytes - 4))));
    const uint64_t offset = active_bytes_ + static_cast<uint64_t>(p - buffer_.data());
    if (offset - last_indexed >= kIndexStride) {
      new_index.push_back({.position = position, .segment = 0, .offset = offset});
      last_indexed = offset;
    }
    p += record_bytes;
  }

  if (Status written = active_.WriteAt(active_bytes_, buffer_); !written.ok()) {
    // Take the partial append back so that the next one does not follow garbage.
    if (Status undone = active_.Truncate(active_bytes_); !undone.ok()) {
      broken_ = Internal("the " + Describe() + " takes no more appends after a failed write (" +
                         written.message() + "; " + undone.message() + "); restart the process");
    }
    return written;
  }
  if (options_.sync) {
    if (Status synced = active_.DataSync(); !synced.ok()) {
      // After a failed fdatasync the kernel may have dropped the dirty pages: nothing written
      // since the last good one can be trusted. Reopening cuts what did not reach the disk.
      broken_ = Internal("the " + Describe() + " takes no more appends after a failed sync (" +
                         synced.message() + "); restart the process");
      return synced;
    }
  }

  active_bytes_ += total;
  active_last_indexed_ = last_indexed;
  next_position_ += count;
  {
    std::lock_guard lock(state_->mu);
    const size_t segment = state_->segments.size() - 1;
    state_->segments.back().bytes = active_bytes_;
    state_->end = next_position_;
    for (IndexEntry& entry : new_index) {
      entry.segment = segment;
      state_->index.push_back(entry);
    }
    state_->last_indexed = last_indexed;
  }
  state_->appended.notify_all();

  std::vector<Position> positions(count);
  for (uint32_t i = 0; i < count; ++i) positions[i] = Position{next_position_ - count + i};
  return positions;
}

Result<Position> EmbeddedLogImpl::End() {
  if (options_.read_only) LD_RETURN_IF_ERROR(state_->Refresh());
  std::lock_guard lock(state_->mu);
  return Position{state_->end};
}

Result<std::unique_ptr<LogReader>> EmbeddedLogImpl::NewReader(Position from) {
  std::lock_guard lock(state_->mu);
  const auto& index = state_->index;
  // The last index entry at or before `from`; the reader skips the records between.
  auto it =
      std::upper_bound(index.begin(), index.end(), from.value,
                       [](uint64_t value, const IndexEntry& e) { return value < e.position; });
  if (it == index.begin()) {
    const uint64_t start = state_->segments.empty() ? 0 : state_->segments.front().first_position;
    return std::unique_ptr<LogReader>(
        std::make_unique<EmbeddedReader>(state_, 0, kMagicSize, start, from.value));
  }
  --it;
  return std::unique_ptr<LogReader>(
      std::make_unique<EmbeddedReader>(state_, it->segment, it->offset, it->position, from.value));
}

}  // namespace

Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::Open(const EmbeddedLogOptions& options) {
  if (options.dir.empty()) return InvalidArgument("the embedded log needs a directory");
  const fs::path& dir = options.dir;
  std::error_code error;
  if (options.read_only) {
    if (!fs::is_directory(dir, error)) {
      return NotFound("there is no embedded log in " + dir.string() +
                      " (the directory does not exist)");
    }
  } else {
    const bool existed = fs::exists(dir, error);
    if (!existed) {
      fs::create_directories(dir, error);
      if (error) return Internal("cannot create " + dir.string() + ": " + error.message());
      if (dir.has_parent_path()) LD_RETURN_IF_ERROR(SyncDir(dir.parent_path()));
    } else if (!fs::is_directory(dir, error)) {
      return FailedPrecondition(dir.string() + " is not a directory; the embedded log needs one");
    } else {
      // Refuse a directory that holds other things and no log: a mistyped --data-dir.
      std::string stranger;
      bool ours = false;
      for (const auto& entry : fs::directory_iterator(dir, error)) {
        const std::string name = entry.path().filename().string();
        if (name == kLockFileName || ParseSegmentName(name)) {
          ours = true;
          break;
        }
        if (stranger.empty()) stranger = name;
      }
      if (error) return Internal("cannot list " + dir.string() + ": " + error.message());
      if (!ours && !stranger.empty()) {
        return FailedPrecondition(dir.string() + " holds files that are not an embedded log (" +
                                  stranger +
                                  "); refusing to write there: use an empty directory or "
                                  "another --data-dir");
      }
    }
  }
  for (int attempt = 0;; ++attempt) {
    auto log = std::make_unique<EmbeddedLogImpl>(
        options, std::make_shared<LogState>(dir, options.read_only));
    if (!options.read_only) LD_RETURN_IF_ERROR(log->Lock());
    Status recovered = log->Recover();
    // Beside a running writer, an append may have been read half copied while the next one was
    // already complete, which looks like damage in the middle: look once more before saying so.
    if (recovered.code() == StatusCode::kDataLoss && options.read_only && attempt == 0) continue;
    LD_RETURN_IF_ERROR(recovered);
    return std::unique_ptr<EmbeddedLog>(std::move(log));
  }
}

}  // namespace ledgerdesk::log
