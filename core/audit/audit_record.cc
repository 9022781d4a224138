#include "core/audit/audit_record.h"

#include <fcntl.h>
#include <google/protobuf/util/time_util.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::audit {
namespace {

namespace fs = std::filesystem;
using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point time) {
  return TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count());
}

Status SyncPath(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Internal("cannot open " + path.string());
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return Internal("cannot fsync " + path.string());
  return OkStatus();
}

// Which of `ids` the log holds already (a scan: only when records wait in the spool).
Result<std::set<std::string>> IdsInLog(log::EventLog& log, const std::set<std::string>& ids) {
  std::set<std::string> found;
  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(log::Position{0}));
  for (log::Position next{0}; next < end;) {
    LD_ASSIGN_OR_RETURN(auto records, reader->Read(4096, std::chrono::milliseconds(200)));
    if (records.empty()) break;
    for (const auto& record : records) {
      next = log::Position{record.position.value + 1};
      v1::Envelope envelope;
      if (envelope.ParseFromString(record.value) && ids.contains(envelope.event_id())) {
        found.insert(envelope.event_id());
      }
    }
  }
  return found;
}

}  // namespace

v1::Envelope AuditEnvelope(const AuditRequest& request, std::chrono::system_clock::time_point now) {
  v1::Envelope event;
  event.set_event_id(log::RandomEventId());
  event.set_stream("audit-" + log::Hex(event.event_id()));
  event.set_stream_version(1);
  *event.mutable_occurred_at() = ToTimestamp(now);
  event.mutable_actor()->set_role(v1::ROLE_AUDITOR);
  event.set_correlation_id(event.event_id());
  auto* recorded = event.mutable_audit_command_recorded();
  recorded->set_command(request.command);
  recorded->set_subject_index(request.subject_index);
  recorded->set_arguments("actor=" + request.actor +
                          (request.arguments.empty() ? "" : " " + request.arguments));
  log::StampEventType(event);
  return event;
}

std::string OsUser() {
  const uid_t uid = ::getuid();
  if (const passwd* entry = ::getpwuid(uid); entry != nullptr && entry->pw_name != nullptr) {
    return entry->pw_name;
  }
  return "uid " + std::to_string(uid);
}

Result<std::vector<log::Position>> AppendChained(log::EventLog& log,
                                                 std::vector<v1::Envelope> events) {
  if (!log.HasExclusiveWriter()) {
    return FailedPrecondition(
        "audit records are appended directly only to a log this process "
        "writes alone (" +
        log.Describe() + ")");
  }
  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  std::string previous;
  if (end.value > 0) {
    LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(log::Position{end.value - 1}));
    LD_ASSIGN_OR_RETURN(auto last, reader->Read(1, std::chrono::milliseconds(1000)));
    if (last.empty()) return Unavailable("cannot read the last record of " + log.Describe());
    previous = log::Sha256(last.front().value);
  }
  const auto now = ToTimestamp(std::chrono::system_clock::now());
  for (auto& event : events) {
    log::StampEventType(event);
    *event.mutable_recorded_at() = now;
    event.set_previous_hash(previous);
    previous = log::Sha256(event.SerializeAsString());
  }
  return log.Append(events);
}

Status Spool(const fs::path& spool_dir, const v1::Envelope& event) {
  std::error_code error;
  fs::create_directories(spool_dir, error);
  if (error) return Internal("cannot create " + spool_dir.string() + ": " + error.message());
  const std::string name = std::to_string(TimeUtil::TimestampToNanoseconds(event.occurred_at())) +
                           "-" + log::Hex(event.event_id());
  const fs::path temp = spool_dir / (name + ".tmp");
  const fs::path path = spool_dir / (name + ".pb");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!event.SerializeToOstream(&out) || !out.flush()) {
      return Internal("cannot write " + temp.string());
    }
  }
  LD_RETURN_IF_ERROR(SyncPath(temp, O_RDONLY));
  fs::rename(temp, path, error);
  if (error) return Internal("cannot rename " + temp.string() + ": " + error.message());
  return SyncPath(spool_dir, O_RDONLY | O_DIRECTORY);
}

std::vector<fs::path> SpooledFiles(const fs::path& spool_dir) {
  std::vector<fs::path> spooled;
  std::error_code error;
  if (fs::is_directory(spool_dir, error)) {
    for (const auto& entry : fs::directory_iterator(spool_dir, error)) {
      if (entry.path().extension() == ".pb") spooled.push_back(entry.path());
    }
  }
  // Names start with the time the record was made: oldest first.
  std::sort(spooled.begin(), spooled.end());
  return spooled;
}

Result<v1::Envelope> ReadSpooled(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound(file.string() + " is gone");
  v1::Envelope event;
  if (!event.ParseFromIstream(&in))
    return DataLoss(file.string() + " is not a spooled audit record");
  return event;
}

Result<std::vector<log::Position>> AppendWithSpool(log::EventLog& log, const fs::path& spool_dir,
                                                   std::vector<v1::Envelope> events) {
  const std::vector<fs::path> spooled = SpooledFiles(spool_dir);
  std::vector<v1::Envelope> all;
  std::set<std::string> ids;
  for (const auto& path : spooled) {
    LD_ASSIGN_OR_RETURN(v1::Envelope spooled_event, ReadSpooled(path));
    ids.insert(spooled_event.event_id());
    all.push_back(std::move(spooled_event));
  }
  if (!all.empty()) {
    // A serve that appended a record and stopped before removing its file: not again.
    LD_ASSIGN_OR_RETURN(const std::set<std::string> appended, IdsInLog(log, ids));
    std::erase_if(all, [&](const v1::Envelope& e) { return appended.contains(e.event_id()); });
  }
  const size_t spooled_count = all.size();
  for (auto& event : events) all.push_back(std::move(event));
  LD_ASSIGN_OR_RETURN(auto positions, AppendChained(log, std::move(all)));
  std::error_code error;
  for (const auto& path : spooled) fs::remove(path, error);
  return std::vector<log::Position>(positions.begin() + static_cast<ptrdiff_t>(spooled_count),
                                    positions.end());
}

}  // namespace ledgerdesk::audit
