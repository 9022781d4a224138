#include "core/audit/log_prefix.h"

#include <google/protobuf/util/time_util.h>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::audit {
namespace {

class PrefixReader : public log::LogReader {
 public:
  PrefixReader(std::unique_ptr<log::LogReader> reader, log::Position end)
      : reader_(std::move(reader)), end_(end) {}

  Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                           std::chrono::milliseconds wait) override {
    if (done_) return std::vector<log::LogRecord>();
    LD_ASSIGN_OR_RETURN(auto records, reader_->Read(max_records, wait));
    while (!records.empty() && records.back().position >= end_) {
      records.pop_back();
      done_ = true;
    }
    return records;
  }

 private:
  std::unique_ptr<log::LogReader> reader_;
  log::Position end_;
  bool done_ = false;
};

class PrefixLog : public log::EventLog {
 public:
  PrefixLog(log::EventLog& log, log::Position end) : log_(log), end_(end) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>&) override {
    return FailedPrecondition("a log prefix is read-only");
  }
  Result<log::Position> End() override {
    LD_ASSIGN_OR_RETURN(log::Position end, log_.End());
    return std::min(end, end_);
  }
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override {
    LD_ASSIGN_OR_RETURN(auto reader, log_.NewReader(from));
    return std::unique_ptr<log::LogReader>(new PrefixReader(std::move(reader), end_));
  }
  bool HasExclusiveWriter() const override { return true; }
  std::string Describe() const override {
    return log_.Describe() + " before position " + std::to_string(end_.value);
  }

 private:
  log::EventLog& log_;
  log::Position end_;
};

}  // namespace

std::unique_ptr<log::EventLog> LogPrefix(log::EventLog& log, log::Position end) {
  return std::make_unique<PrefixLog>(log, end);
}

Result<log::Position> PositionAfter(log::EventLog& log,
                                    std::chrono::system_clock::time_point until) {
  const int64_t until_us =
      std::chrono::duration_cast<std::chrono::microseconds>(until.time_since_epoch()).count();
  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(log::Position{0}));
  log::Position next{0};
  while (next < end) {
    LD_ASSIGN_OR_RETURN(auto records, reader->Read(4096, std::chrono::milliseconds(200)));
    if (records.empty()) break;
    for (const auto& record : records) {
      if (record.position >= end) return end;
      next = log::Position{record.position.value + 1};
      auto envelope = log::DecodeEnvelope(record.value);
      if (!envelope.ok()) continue;
      if (google::protobuf::util::TimeUtil::TimestampToMicroseconds(envelope->recorded_at()) >
          until_us) {
        return record.position;
      }
    }
  }
  return end;
}

}  // namespace ledgerdesk::audit
