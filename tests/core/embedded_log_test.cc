// The embedded log beyond the conformance suite: its file format, recovery from torn and corrupt
// tails, refusal of damage in the middle, the directory lock, read-only readers beside a writer,
// segments.

#include "core/log/embedded_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "core/log/crc32c.h"
#include "core/log/envelope_codec.h"
#include "core/log/writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

namespace fs = std::filesystem;
using testing::MakeEvent;

constexpr char kFirstSegment[] = "00000000000000000000.log";

std::unique_ptr<EmbeddedLog> OpenOrDie(const EmbeddedLogOptions& options) {
  auto log = EmbeddedLog::Open(options);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

// Every record from `from` to the end as it stands now.
Result<std::vector<LogRecord>> ReadAll(EventLog& log, Position from = Position{0}) {
  LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(from));
  std::vector<LogRecord> all;
  for (;;) {
    LD_ASSIGN_OR_RETURN(auto batch, reader->Read(1000, std::chrono::milliseconds(0)));
    if (batch.empty()) return all;
    for (auto& record : batch) all.push_back(std::move(record));
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

void FlipByte(const fs::path& path, uint64_t offset) {
  std::string data = ReadFile(path);
  ASSERT_LT(offset, data.size());
  data[offset] = static_cast<char>(data[offset] ^ 0x40);
  WriteFile(path, data);
}

class EmbeddedLogTest : public ::testing::Test {
 protected:
  fs::path dir() const { return temp_.path() / "log"; }
  fs::path segment() const { return dir() / kFirstSegment; }

  // Appends `appends` single-event appends and returns the segment's size after each one (the
  // first entry is the size before any).
  std::vector<uint64_t> AppendSingles(EmbeddedLog& log, int appends, const std::string& stream) {
    std::vector<uint64_t> sizes = {fs::file_size(segment())};
    for (int i = 1; i <= appends; ++i) {
      auto appended = log.Append({MakeEvent(stream, i, "single-" + std::to_string(i))});
      EXPECT_TRUE(appended.ok()) << appended.status().ToString();
      sizes.push_back(fs::file_size(segment()));
    }
    return sizes;
  }

  testing::TempDir temp_{"ledgerdesk-embedded"};
};

TEST(Crc32cTest, MatchesTheKnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(Crc32c(""), 0u);
  // Extending equals computing at once, whatever the split (and the alignment).
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over: the quick one";
  for (size_t split = 0; split <= text.size(); ++split) {
    EXPECT_EQ(Crc32cExtend(Crc32c(text.substr(0, split)), text.substr(split)), Crc32c(text));
  }
  EXPECT_EQ(UnmaskCrc32c(MaskCrc32c(0x12345678u)), 0x12345678u);
  EXPECT_NE(MaskCrc32c(0x12345678u), 0x12345678u);
}

TEST_F(EmbeddedLogTest, OpensEmptyAndDescribesItself) {
  auto log = OpenOrDie({.dir = dir()});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Describe(), "embedded log in " + dir().string());
  EXPECT_TRUE(log->HasExclusiveWriter());
  EXPECT_EQ(log->recovery().records, 0u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_TRUE(fs::exists(segment()));
  EXPECT_TRUE(fs::exists(dir() / "LOCK"));
  EXPECT_EQ(ReadFile(dir() / "LOCK"), std::to_string(::getpid()) + "\n");
  auto end = log->End();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->value, 0u);
}

TEST_F(EmbeddedLogTest, ReopenCountsRecordsAndKeepsTheValuesExactly) {
  std::vector<v1::Envelope> events;
  for (int i = 1; i <= 25; ++i) events.push_back(MakeEvent("exact", i, "m" + std::to_string(i)));
  {
    auto log = OpenOrDie({.dir = dir()});
    ASSERT_TRUE(log->Append(events).ok());
  }
  auto log = OpenOrDie({.dir = dir()});
  EXPECT_EQ(log->recovery().records, 25u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_TRUE(log->recovery().detail.empty());
  auto records = ReadAll(*log);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 25u);
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].position.value, i);
    EXPECT_EQ((*records)[i].key, "exact");
    EXPECT_EQ((*records)[i].value, events[i].SerializeAsString());
  }
}

TEST_F(EmbeddedLogTest, TornTailIsCutAndReportedAndLaterAppendsWork) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 5, "torn");
  }
  // The last record lost its end, as if the process stopped in the middle of writing it.
  fs::resize_file(segment(), sizes[4] + 10);
  auto log = OpenOrDie({.dir = dir()});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 4u);
  EXPECT_EQ(log->recovery().truncated_bytes, 10u);
  EXPECT_NE(log->recovery().detail.find(segment().string()), std::string::npos)
      << log->recovery().detail;
  EXPECT_NE(log->recovery().detail.find("position 4"), std::string::npos) << log->recovery().detail;
  EXPECT_NE(log->recovery().detail.find("truncated"), std::string::npos) << log->recovery().detail;
  EXPECT_EQ(fs::file_size(segment()), sizes[4]);
  EXPECT_EQ(log->End()->value, 4u);

  auto appended = log->Append({MakeEvent("torn", 5, "after")});
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ((*appended)[0].value, 4u);
  auto records = ReadAll(*log);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 5u);
  auto last = DecodeEnvelope(records->back().value);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->ticket_status_changed().changed_by(), "after");

  // And the repaired log opens clean.
  log.reset();
  log = OpenOrDie({.dir = dir()});
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(log->recovery().records, 5u);
}

TEST_F(EmbeddedLogTest, TailCutInsideTheHeaderIsCut) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 3, "header");
  }
  fs::resize_file(segment(), sizes[2] + 5);
  auto log = OpenOrDie({.dir = dir()});
  EXPECT_EQ(log->recovery().records, 2u);
  EXPECT_EQ(log->recovery().truncated_bytes, 5u);
}

TEST_F(EmbeddedLogTest, BitFlipInTheLastRecordIsCut) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 5, "flip");
  }
  FlipByte(segment(), sizes[5] - 3);  // in the last record's value
  auto log = OpenOrDie({.dir = dir()});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 4u);
  EXPECT_EQ(log->recovery().truncated_bytes, sizes[5] - sizes[4]);
  EXPECT_NE(log->recovery().detail.find("checksum"), std::string::npos) << log->recovery().detail;
  auto records = ReadAll(*log);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 4u);
}

TEST_F(EmbeddedLogTest, BitFlipInTheMiddleIsDataLossNamingThePosition) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 6, "middle");
  }
  FlipByte(segment(), sizes[2] + 40);  // inside record 2, records 3..5 intact after it
  const auto before = ReadFile(segment());
  auto log = EmbeddedLog::Open({.dir = dir()});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("position 2"), std::string::npos) << log.status().message();
  EXPECT_NE(log.status().message().find(segment().string()), std::string::npos)
      << log.status().message();
  // Nothing was cut.
  EXPECT_EQ(ReadFile(segment()), before);
  // Nor by a read-only open.
  auto read_only = EmbeddedLog::Open({.dir = dir(), .read_only = true});
  EXPECT_EQ(read_only.status().code(), StatusCode::kDataLoss);
}

TEST_F(EmbeddedLogTest, FlippedLengthInTheMiddleIsDataLoss) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 4, "length");
  }
  FlipByte(segment(), sizes[1] + 9);  // the value length of record 1: it now runs far ahead
  auto log = EmbeddedLog::Open({.dir = dir()});
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("position 1"), std::string::npos) << log.status().message();
}

TEST_F(EmbeddedLogTest, GarbageAfterTheLastRecordIsCut) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 3, "garbage");
  }
  std::string garbage;
  for (int i = 0; i < 3000; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 251));
  garbage += std::string(500, '\0');
  // A copy of earlier records is garbage too: they do not continue the log.
  garbage += ReadFile(segment()).substr(sizes[0], sizes[2] - sizes[0]);
  WriteFile(segment(), ReadFile(segment()) + garbage);
  auto log = OpenOrDie({.dir = dir()});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().records, 3u);
  EXPECT_EQ(log->recovery().truncated_bytes, garbage.size());
  EXPECT_EQ(fs::file_size(segment()), sizes[3]);
  ASSERT_TRUE(log->Append({MakeEvent("garbage", 4)}).ok());
  EXPECT_EQ(ReadAll(*log)->size(), 4u);
}

TEST_F(EmbeddedLogTest, AnAppendIsKeptWholeOrNotAtAll) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 2, "whole");
    std::vector<v1::Envelope> batch;
    for (int i = 3; i <= 7; ++i) batch.push_back(MakeEvent("whole", i));
    ASSERT_TRUE(log->Append(batch).ok());
  }
  const uint64_t full = fs::file_size(segment());
  // Only the last byte of the last of five records is missing: the whole append goes.
  fs::resize_file(segment(), full - 1);
  auto log = OpenOrDie({.dir = dir()});
  EXPECT_EQ(log->recovery().records, 2u);
  EXPECT_EQ(log->recovery().truncated_bytes, full - 1 - sizes[2]);
  EXPECT_NE(log->recovery().detail.find("position 2"), std::string::npos) << log->recovery().detail;
  EXPECT_EQ(ReadAll(*log)->size(), 2u);
}

TEST_F(EmbeddedLogTest, AnAppendCutAtARecordBoundaryIsCutWhole) {
  uint64_t before_batch;
  uint64_t after_two;
  {
    auto log = OpenOrDie({.dir = dir()});
    AppendSingles(*log, 1, "boundary");
    before_batch = fs::file_size(segment());
    ASSERT_TRUE(
        log->Append({MakeEvent("boundary", 2), MakeEvent("boundary", 3), MakeEvent("boundary", 4)})
            .ok());
    // Find where the second record of the append ends by appending it alone elsewhere.
  }
  {
    testing::TempDir other("ledgerdesk-embedded-size");
    auto probe = OpenOrDie({.dir = other.path() / "log"});
    const uint64_t empty = fs::file_size(other.path() / "log" / kFirstSegment);
    ASSERT_TRUE(probe->Append({MakeEvent("boundary", 2), MakeEvent("boundary", 3)}).ok());
    after_two = before_batch + fs::file_size(other.path() / "log" / kFirstSegment) - empty;
  }
  fs::resize_file(segment(), after_two);
  auto log = OpenOrDie({.dir = dir()});
  EXPECT_EQ(log->recovery().records, 1u);
  EXPECT_EQ(log->recovery().truncated_bytes, after_two - before_batch);
  EXPECT_NE(log->recovery().detail.find("incomplete append (2 of 3"), std::string::npos)
      << log->recovery().detail;
}

TEST_F(EmbeddedLogTest, AFileThatIsNotOursIsRefusedAndLeftAlone) {
  fs::create_directories(dir());
  const std::string foreign = "name,email\nJan Kowalski,jan@example.com\n";
  WriteFile(segment(), foreign);
  auto log = EmbeddedLog::Open({.dir = dir()});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("not a segment of an embedded log"), std::string::npos)
      << log.status().message();
  EXPECT_EQ(ReadFile(segment()), foreign);
}

TEST_F(EmbeddedLogTest, ADirectoryOfOtherFilesIsRefused) {
  fs::create_directories(dir());
  WriteFile(dir() / "notes.txt", "not a log");
  auto log = EmbeddedLog::Open({.dir = dir()});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("notes.txt"), std::string::npos) << log.status().message();
  EXPECT_FALSE(fs::exists(dir() / "LOCK"));
}

TEST_F(EmbeddedLogTest, ASegmentLeftHalfCreatedIsRemoved) {
  {
    auto log = OpenOrDie({.dir = dir()});
    AppendSingles(*log, 2, "temp");
  }
  const fs::path temp = dir() / "00000000000000000002.log.tmp";
  WriteFile(temp, "LDL");
  auto log = OpenOrDie({.dir = dir()});
  ASSERT_NE(log, nullptr);
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(log->recovery().records, 2u);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
}

TEST_F(EmbeddedLogTest, ASecondOpenIsUnavailableWithAClearMessage) {
  auto first = OpenOrDie({.dir = dir()});
  ASSERT_NE(first, nullptr);
  auto second = EmbeddedLog::Open({.dir = dir()});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  const std::string& message = second.status().message();
  EXPECT_NE(message.find(dir().string()), std::string::npos) << message;
  EXPECT_NE(message.find("in use by another ledgerdesk process"), std::string::npos) << message;
  EXPECT_NE(message.find("pid " + std::to_string(::getpid())), std::string::npos) << message;
  EXPECT_NE(message.find("--data-dir"), std::string::npos) << message;
  // The first one is untouched and the directory is free once it is closed.
  EXPECT_TRUE(first->Append({MakeEvent("lock", 1)}).ok());
  first.reset();
  auto third = OpenOrDie({.dir = dir()});
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(third->recovery().records, 1u);
}

TEST_F(EmbeddedLogTest, ReadOnlyBesideAWriterSeesLaterAppends) {
  auto writer = OpenOrDie({.dir = dir(), .segment_bytes = 2048});
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Append({MakeEvent("ro", 1), MakeEvent("ro", 2), MakeEvent("ro", 3)}).ok());

  auto reader_log = OpenOrDie({.dir = dir(), .read_only = true});
  ASSERT_NE(reader_log, nullptr);
  EXPECT_FALSE(reader_log->HasExclusiveWriter());
  EXPECT_EQ(reader_log->End()->value, 3u);
  EXPECT_EQ(reader_log->Append({MakeEvent("ro", 4)}).status().code(),
            StatusCode::kFailedPrecondition);
  auto reader = reader_log->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  auto first = (*reader)->Read(100, std::chrono::milliseconds(0));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 3u);

  // Later appends, enough of them to start new segments, in another thread.
  constexpr int kMore = 60;
  std::thread appender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (int i = 4; i < 4 + kMore; ++i) {
      EXPECT_TRUE(writer->Append({MakeEvent("ro", i, "later")}).ok());
    }
  });
  std::vector<LogRecord> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.size() < kMore && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*reader)->Read(100, std::chrono::milliseconds(500));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (auto& record : *batch) seen.push_back(std::move(record));
  }
  appender.join();
  ASSERT_EQ(seen.size(), size_t{kMore});
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].position.value, 3 + i);
  EXPECT_GT(std::distance(fs::directory_iterator(dir()), fs::directory_iterator()), 3);
  EXPECT_EQ(reader_log->End()->value, 3u + kMore);
  // A read-only open takes no lock: the writer is still the only writer.
  EXPECT_EQ(EmbeddedLog::Open({.dir = dir()}).status().code(), StatusCode::kUnavailable);
}

TEST_F(EmbeddedLogTest, ReadOnlyTakesAnUnfinishedTailForNotWrittenYet) {
  std::vector<uint64_t> sizes;
  {
    auto log = OpenOrDie({.dir = dir()});
    sizes = AppendSingles(*log, 4, "unfinished");
  }
  // Half of the fourth record, as a reader beside a writer may see it while it is being written.
  const std::string whole = ReadFile(segment());
  const uint64_t half = sizes[3] + (sizes[4] - sizes[3]) / 2;
  fs::resize_file(segment(), half);
  auto read_only = OpenOrDie({.dir = dir(), .read_only = true});
  ASSERT_NE(read_only, nullptr);
  EXPECT_EQ(read_only->End()->value, 3u);
  EXPECT_EQ(read_only->recovery().truncated_bytes, 0u);
  auto reader = read_only->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  auto records = (*reader)->Read(100, std::chrono::milliseconds(50));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 3u);
  // Nothing was cut.
  EXPECT_EQ(fs::file_size(segment()), half);
  // The writer finishes it (here: by hand, the same bytes) and the reader sees it.
  {
    std::ofstream out(segment(), std::ios::binary | std::ios::app);
    out << whole.substr(half);
  }
  auto more = (*reader)->Read(100, std::chrono::milliseconds(2000));
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  ASSERT_EQ(more->size(), 1u);
  EXPECT_EQ((*more)[0].position.value, 3u);
  EXPECT_EQ(read_only->End()->value, 4u);
}

TEST_F(EmbeddedLogTest, ReadOnlyOpenOfAMissingDirectoryIsNotFound) {
  auto log = EmbeddedLog::Open({.dir = dir(), .read_only = true});
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir()));
}

TEST_F(EmbeddedLogTest, SegmentsRollOverAndReadersCrossThem) {
  constexpr int kEvents = 300;
  std::vector<v1::Envelope> events;
  for (int i = 1; i <= kEvents; ++i) events.push_back(MakeEvent("seg", i, std::to_string(i)));
  {
    auto log = OpenOrDie({.dir = dir(), .segment_bytes = 4096});
    size_t next = 0;
    for (size_t size = 1; next < events.size(); size = size % 7 + 1) {
      std::vector<v1::Envelope> batch(events.begin() + next,
                                      events.begin() + std::min(events.size(), next + size));
      auto positions = log->Append(batch);
      ASSERT_TRUE(positions.ok()) << positions.status().ToString();
      EXPECT_EQ((*positions)[0].value, next);
      next += batch.size();
    }
  }
  // Segment files are named by their first position and none is past the limit.
  std::vector<uint64_t> firsts;
  for (const auto& entry : fs::directory_iterator(dir())) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".log")) continue;
    firsts.push_back(std::stoull(name.substr(0, 20)));
    EXPECT_LE(fs::file_size(entry.path()), 4096u) << name;
  }
  std::sort(firsts.begin(), firsts.end());
  ASSERT_GT(firsts.size(), 5u);
  EXPECT_EQ(firsts[0], 0u);

  auto log = OpenOrDie({.dir = dir(), .segment_bytes = 4096});
  EXPECT_EQ(log->recovery().records, size_t{kEvents});
  auto all = ReadAll(*log);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), size_t{kEvents});
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].position.value, i);
    EXPECT_EQ((*all)[i].value, events[i].SerializeAsString()) << "at " << i;
  }
  // A segment starts where its name says.
  for (uint64_t first : firsts) {
    auto from = ReadAll(*log, Position{first});
    ASSERT_TRUE(from.ok());
    ASSERT_FALSE(from->empty());
    EXPECT_EQ(from->front().position.value, first);
  }
  // Readers from every middle position see exactly the rest.
  for (uint64_t from = 0; from <= kEvents; from += 13) {
    auto rest = ReadAll(*log, Position{from});
    ASSERT_TRUE(rest.ok()) << rest.status().ToString();
    ASSERT_EQ(rest->size(), kEvents - from) << "from " << from;
    if (!rest->empty()) {
      EXPECT_EQ(rest->front().position.value, from);
    }
  }
  // Appends continue in the last segment after the restart.
  auto appended = log->Append({MakeEvent("seg", kEvents + 1)});
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ((*appended)[0].value, uint64_t{kEvents});
}

TEST_F(EmbeddedLogTest, ReaderSeeksThroughTheSparseIndexOfLargeSegments) {
  constexpr int kEvents = 4000;
  {
    auto log = OpenOrDie({.dir = dir(), .segment_bytes = 300 << 10});
    for (int i = 0; i < kEvents; i += 100) {
      std::vector<v1::Envelope> batch;
      for (int j = i + 1; j <= i + 100; ++j) batch.push_back(MakeEvent("index", j));
      ASSERT_TRUE(log->Append(batch).ok());
    }
    // Readers of the live log (index built by appends).
    for (uint64_t from : {0ull, 1ull, 999ull, 1777ull, 2500ull, 3999ull}) {
      auto reader = log->NewReader(Position{from});
      ASSERT_TRUE(reader.ok());
      auto batch = (*reader)->Read(3, std::chrono::milliseconds(0));
      ASSERT_TRUE(batch.ok()) << batch.status().ToString();
      ASSERT_FALSE(batch->empty());
      EXPECT_EQ(batch->front().position.value, from);
    }
  }
  auto log = OpenOrDie({.dir = dir(), .segment_bytes = 300 << 10});
  // Readers of the reopened log (index built by the scan).
  for (uint64_t from : {0ull, 1ull, 999ull, 1777ull, 2500ull, 3999ull}) {
    auto reader = log->NewReader(Position{from});
    ASSERT_TRUE(reader.ok());
    auto batch = (*reader)->Read(3, std::chrono::milliseconds(0));
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_FALSE(batch->empty());
    EXPECT_EQ(batch->front().position.value, from);
    auto decoded = DecodeEnvelope(batch->front().value);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->stream_version(), from + 1);
  }
  // Past the end: nothing yet, then what comes.
  auto reader = log->NewReader(Position{kEvents + 2});
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->Read(10, std::chrono::milliseconds(0))->empty());
  ASSERT_TRUE(log->Append({MakeEvent("index", kEvents + 1), MakeEvent("index", kEvents + 2),
                           MakeEvent("index", kEvents + 3)})
                  .ok());
  auto tail = (*reader)->Read(10, std::chrono::milliseconds(0));
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ(tail->front().position.value, uint64_t{kEvents + 2});
}

TEST_F(EmbeddedLogTest, DamageInAnEarlierSegmentIsDataLoss) {
  {
    auto log = OpenOrDie({.dir = dir(), .segment_bytes = 2048});
    for (int i = 1; i <= 40; ++i) ASSERT_TRUE(log->Append({MakeEvent("early", i)}).ok());
  }
  // The last record of the first segment is bit-flipped: later segments hold intact records.
  FlipByte(segment(), fs::file_size(segment()) - 2);
  auto log = EmbeddedLog::Open({.dir = dir(), .segment_bytes = 2048});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find(segment().string()), std::string::npos)
      << log.status().message();
}

TEST_F(EmbeddedLogTest, AMissingSegmentIsDataLoss) {
  std::vector<fs::path> segments;
  {
    auto log = OpenOrDie({.dir = dir(), .segment_bytes = 2048});
    for (int i = 1; i <= 40; ++i) ASSERT_TRUE(log->Append({MakeEvent("gap", i)}).ok());
  }
  for (const auto& entry : fs::directory_iterator(dir())) {
    if (entry.path().extension() == ".log") segments.push_back(entry.path());
  }
  std::sort(segments.begin(), segments.end());
  ASSERT_GE(segments.size(), 3u);
  fs::remove(segments[1]);
  auto log = EmbeddedLog::Open({.dir = dir()});
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find("missing"), std::string::npos) << log.status().message();
}

TEST_F(EmbeddedLogTest, AReaderRefusesARecordDamagedAfterOpen) {
  auto log = OpenOrDie({.dir = dir()});
  std::vector<uint64_t> sizes = AppendSingles(*log, 4, "later-damage");
  FlipByte(segment(), sizes[1] + 30);
  auto reader = log->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  auto records = (*reader)->Read(10, std::chrono::milliseconds(0));
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(records.status().message().find("position 1"), std::string::npos)
      << records.status().message();
}

TEST_F(EmbeddedLogTest, AFollowingReaderWakesOnAnAppendInTheSameProcess) {
  auto log = OpenOrDie({.dir = dir(), .sync = false});
  auto reader = log->NewReader(Position{0});
  ASSERT_TRUE(reader.ok());
  std::thread appender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(log->Append({MakeEvent("wake", 1)}).ok());
  });
  const auto start = std::chrono::steady_clock::now();
  auto records = (*reader)->Read(10, std::chrono::seconds(10));
  const auto waited = std::chrono::steady_clock::now() - start;
  appender.join();
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST_F(EmbeddedLogTest, ConcurrentAppendsGetDisjointDensePositions) {
  auto log = OpenOrDie({.dir = dir(), .segment_bytes = 8192, .sync = false});
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<uint64_t> positions;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 1; i <= 50; ++i) {
        auto appended = log->Append({MakeEvent("c" + std::to_string(t), 2 * i - 1),
                                     MakeEvent("c" + std::to_string(t), 2 * i)});
        ASSERT_TRUE(appended.ok());
        std::lock_guard lock(mutex);
        for (Position p : *appended) EXPECT_TRUE(positions.insert(p.value).second);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(positions.size(), 400u);
  EXPECT_EQ(*positions.rbegin(), 399u);
  auto all = ReadAll(*log);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 400u);
}

// The throughput the benchmark goal is about, through the Writer with many concurrent commands.
// Slow (real fdatasync): run with --gtest_also_run_disabled_tests.
TEST_F(EmbeddedLogTest, DISABLED_DurableAppendThroughput) {
  auto log = OpenOrDie({.dir = dir()});
  // fdatasync latency of single small appends.
  std::vector<double> append_ms;
  for (int i = 1; i <= 200; ++i) {
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(log->Append({MakeEvent("latency", i)}).ok());
    append_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(append_ms.begin(), append_ms.end());
  std::printf("single-event durable append: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              append_ms[append_ms.size() / 2], append_ms[append_ms.size() * 99 / 100],
              append_ms.back());

  // 64-event appends straight to the log, with and without fdatasync (the latter: the CPU cost).
  for (bool sync : {true, false}) {
    testing::TempDir other("ledgerdesk-embedded-bench");
    auto raw = OpenOrDie({.dir = other.path() / "log", .sync = sync});
    constexpr int kAppends = 300;
    std::vector<std::vector<v1::Envelope>> batches(kAppends);
    for (int a = 0; a < kAppends; ++a) {
      for (int i = 1; i <= 64; ++i) batches[a].push_back(MakeEvent("raw-" + std::to_string(a), i));
    }
    const auto start = std::chrono::steady_clock::now();
    for (const auto& batch : batches) ASSERT_TRUE(raw->Append(batch).ok());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("64-event appends%s: %.0f appends/s, %.0f events/s\n",
                sync ? " with fdatasync" : " without fdatasync", kAppends / seconds,
                kAppends * 64 / seconds);
  }

  // The Writer with 64 concurrent one-event commands.
  auto writer = Writer::Start(*log);
  ASSERT_TRUE(writer.ok());
  constexpr int kThreads = 64;
  constexpr int kCommands = 200;
  std::vector<std::thread> threads;
  std::vector<double> command_ms[kThreads];
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 1; i <= kCommands; ++i) {
        const auto begin = std::chrono::steady_clock::now();
        EXPECT_TRUE((*writer)->Append({MakeEvent("bench-" + std::to_string(t), i)}).ok());
        command_ms[t].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
                .count());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& per_thread : command_ms) all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::sort(all.begin(), all.end());
  std::printf(
      "writer, %d threads x %d one-event commands: %.0f events/s, p50 %.2f ms, p99 %.2f ms\n",
      kThreads, kCommands, kThreads * kCommands / seconds, all[all.size() / 2],
      all[all.size() * 99 / 100]);
}

}  // namespace
}  // namespace ledgerdesk::log
