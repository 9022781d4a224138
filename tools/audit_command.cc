// `ledgerdesk audit history|replay|verify|erase`: GDPR access, point-in-time replay, integrity
// checks and erasure by crypto-shredding. Every audit command is itself recorded in the log as an
// AuditCommandRecorded event (core/audit/audit_record.h).

#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "core/app/index_key.h"
#include "core/app/personal_data.h"
#include "core/audit/audit_record.h"
#include "core/audit/chain.h"
#include "core/audit/event_json.h"
#include "core/audit/log_prefix.h"
#include "core/blobs/blob_store.h"
#include "core/crypto/keyed_hash.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/embedded_log.h"
#include "core/log/envelope_codec.h"
#include "core/log/log_factory.h"
#include "core/mail/eml.h"
#include "core/values/ascii.h"
#include "core/values/email.h"
#include "core/values/nip.h"
#include "migrator/transcript_redaction.h"
#include "pdfexport/access_report.h"
#include "projections/default_projections.h"
#include "projections/rebuild.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "projections/subject_index_projection.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/operator_commands.h"
#include "tools/progress.h"

namespace ledgerdesk::tools {
namespace {

namespace fs = std::filesystem;
using google::protobuf::util::TimeUtil;

// A replay dir names the data dir it was made from here; audits of it are recorded there.
constexpr char kReplayMarker[] = "REPLAY-OF";

fs::path KeysDir(const fs::path& data_dir) { return data_dir / "keys"; }
fs::path IndexKeyFile(const fs::path& data_dir) { return KeysDir(data_dir) / "email-index.key"; }
fs::path ProjectionsDir(const fs::path& data_dir) { return data_dir / "projections"; }

// Where the record of an audit of `data_dir` is spooled when it cannot be appended now.
fs::path SpoolDir(const fs::path& data_dir) {
  std::ifstream marker(data_dir / kReplayMarker);
  std::string source;
  if (marker && std::getline(marker, source) && !source.empty()) {
    return fs::path(source) / audit::kSpoolDirName;
  }
  return data_dir / audit::kSpoolDirName;
}

bool IsReplay(const fs::path& data_dir) { return fs::exists(data_dir / kReplayMarker); }

CommandLine& AuditOptions(CommandLine& cli) {
  return cli.LogOptions().Option("actor", "NAME",
                                 "who asks, for the audit trail (default: the OS user)");
}

audit::AuditRequest Request(const CommandLine& cli, std::string command) {
  return {.command = std::move(command), .actor = cli.Get("actor", audit::OsUser())};
}

// The log for an audit that only reads: writable when nothing else holds it (so the audit record
// is appended at once), else a read-only follower beside the process that writes.
struct OpenedLog {
  std::unique_ptr<log::EventLog> log;
  bool writable = false;
};

Result<OpenedLog> OpenForAudit(log::LogOptions options, bool want_writable) {
  if (want_writable && options.backend == log::Backend::kEmbedded) {
    options.read_only = false;
    auto log = log::OpenLog(options);
    if (log.ok()) return OpenedLog{std::move(*log), true};
    if (log.status().code() != StatusCode::kUnavailable) return log.status();
  }
  options.read_only = true;
  LD_ASSIGN_OR_RETURN(auto log, log::OpenLog(options));
  return OpenedLog{std::move(log), false};
}

// Records the audit: appended when `log` may be written here, else spooled (and said so).
Status Record(const std::string& command, const log::LogOptions& options, log::EventLog* log,
              const audit::AuditRequest& request) {
  v1::Envelope event = audit::AuditEnvelope(request, std::chrono::system_clock::now());
  const fs::path spool = SpoolDir(options.data_dir);
  if (log != nullptr && log->HasExclusiveWriter() && !IsReplay(options.data_dir)) {
    std::vector<v1::Envelope> events;
    events.push_back(std::move(event));
    LD_ASSIGN_OR_RETURN(auto positions, audit::AppendWithSpool(*log, spool, std::move(events)));
    std::cerr << "ledgerdesk " << command << ": recorded in the audit trail at log position "
              << positions.back().value << "\n";
    return OkStatus();
  }
  LD_RETURN_IF_ERROR(audit::Spool(spool, event));
  std::cerr << "ledgerdesk " << command << ": recorded in " << spool.string()
            << " (a running serve appends it to the log; else the next audit that can write it)\n";
  return OkStatus();
}

// The projection store as it stands (it is not advanced here: serve's runner, `projections
// rebuild` or `audit erase` do that). For reading only, it is opened read-only (beside serve too,
// and without RocksDB's write-side start-up); it is created only when there is none yet. A store
// lacking a projection's column family (made before it existed: the subject index's postings) is
// refused: that projection would miss the earlier events.
Result<std::unique_ptr<projections::Store>> OpenStore(const fs::path& data_dir, bool writable) {
  LD_ASSIGN_OR_RETURN(auto families,
                      projections::ColumnFamiliesOf(projections::DefaultProjections()));
  const fs::path dir = ProjectionsDir(data_dir);
  const bool exists = fs::exists(dir / "CURRENT");
  auto open = [&]() -> Result<std::unique_ptr<projections::Store>> {
    if (!writable && exists) {
      auto store =
          projections::Store::Open({.dir = dir, .column_families = families, .read_only = true});
      if (store.ok() || store.status().code() != StatusCode::kFailedPrecondition) return store;
    }
    auto store = projections::Store::Open({.dir = dir, .column_families = families});
    if (!store.ok() && !writable && store.status().code() == StatusCode::kUnavailable) {
      return projections::Store::Open({.dir = dir, .column_families = families, .read_only = true});
    }
    return store;
  };
  LD_ASSIGN_OR_RETURN(auto store, open());
  LD_RETURN_IF_ERROR(store->RequireComplete());
  return store;
}

// Applies what the store's runner has not applied yet, so the store is at the end of the log.
Status CatchUp(log::EventLog& log, projections::Store& store) {
  LD_ASSIGN_OR_RETURN(auto runner, projections::ProjectionRunner::Create(
                                       log, store, projections::DefaultProjections()));
  return runner->CatchUp();
}

// The subject index up to the end of the log: the store's rows, plus the records past its
// checkpoint folded in memory (not written), admitted by the same validation the runner applies,
// with just the validator rows those records need read from the store.
Result<projections::SubjectMatch> FindInIndex(log::EventLog& log, const projections::Store& store,
                                              const projections::SubjectQuery& query) {
  auto reader = store.Reader();
  LD_ASSIGN_OR_RETURN(const projections::Checkpoint checkpoint, store.ReadCheckpoint());
  projections::DurableValidator validator;
  std::set<std::string> loaded;
  projections::LayeredRows rows(*reader);
  const projections::SubjectIndexProjection index;
  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  LD_ASSIGN_OR_RETURN(auto records, log.NewReader(checkpoint.next));
  for (log::Position next = checkpoint.next; next < end;) {
    LD_ASSIGN_OR_RETURN(auto batch, records->Read(4096, std::chrono::milliseconds(200)));
    if (batch.empty()) break;
    for (const auto& record : batch) {
      if (record.position >= end) break;
      next = log::Position{record.position.value + 1};
      auto envelope = log::DecodeEnvelope(record.value);
      if (!envelope.ok()) continue;
      for (const auto& key : projections::DurableValidator::RowKeysFor(*envelope)) {
        if (!loaded.insert(key).second) continue;
        LD_ASSIGN_OR_RETURN(auto row, store.GetValidatorRow(key));
        if (row) LD_RETURN_IF_ERROR(validator.LoadRow(key, *row));
      }
      if (validator.Admit(*envelope) != log::Verdict::kApply) continue;
      LD_RETURN_IF_ERROR(index.Apply(record, *envelope, rows));
    }
  }
  return projections::FindSubject(rows, query);
}

// Reads the records at `positions` (ascending), reading on through short gaps.
Status ReadPositions(log::EventLog& log, const std::vector<log::Position>& positions,
                     const std::function<Status(const log::LogRecord&)>& visit) {
  constexpr uint64_t kMaxGap = 512;
  std::unique_ptr<log::LogReader> reader;
  uint64_t next = 0;  // the position `reader` returns next
  for (size_t i = 0; i < positions.size();) {
    const uint64_t want = positions[i].value;
    if (reader == nullptr || want < next || want - next > kMaxGap) {
      LD_ASSIGN_OR_RETURN(reader, log.NewReader(positions[i]));
      next = want;
    }
    const uint64_t span = std::min<uint64_t>(
        positions[std::min(positions.size() - 1, i + 64)].value - want + 1, 1024);
    LD_ASSIGN_OR_RETURN(auto records, reader->Read(span, std::chrono::milliseconds(1000)));
    if (records.empty()) return DataLoss("log position " + std::to_string(want) + " is not there");
    for (const auto& record : records) {
      next = record.position.value + 1;
      while (i < positions.size() && positions[i] < record.position) ++i;  // not there: skipped
      if (i < positions.size() && positions[i] == record.position) {
        LD_RETURN_IF_ERROR(visit(record));
        ++i;
      }
    }
  }
  return OkStatus();
}

// --subject EMAIL|NIP as an index query (and the keyed hash, for the audit record).
Result<projections::SubjectQuery> ParseSubject(const std::string& text, const fs::path& data_dir) {
  if (text.find('@') != std::string::npos) {
    LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(text));
    LD_ASSIGN_OR_RETURN(std::string key, app::LoadOrCreateIndexKey(IndexKeyFile(data_dir)));
    LD_ASSIGN_OR_RETURN(std::string index, crypto::EmailIndex(key, email));
    return projections::SubjectQuery{.email_index = std::move(index)};
  }
  auto nip = values::Nip::Parse(text);
  if (!nip.ok()) {
    return InvalidArgument("--subject takes an e-mail address or a NIP (10 digits): " +
                           nip.status().message());
  }
  return projections::SubjectQuery{.nip = nip->value()};
}

// An RFC 3339 time ("t" and "z" may be lower case, §5.6); nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& rfc3339) {
  std::string text = rfc3339;
  for (char& c : text) c = values::ToAsciiUpper(c);
  google::protobuf::Timestamp timestamp;
  if (!TimeUtil::FromString(text, &timestamp)) return std::nullopt;
  return std::chrono::system_clock::time_point(
      std::chrono::microseconds(TimeUtil::TimestampToMicroseconds(timestamp)));
}

// ---- history ----------------------------------------------------------------------------------

pdfexport::AccessReport ReportOf(const std::string& subject,
                                 const std::vector<audit::OpenedEvent>& events,
                                 const projections::SubjectMatch& match) {
  pdfexport::AccessReport report;
  report.subject = subject;
  report.generated_at = TimeUtil::ToString(TimeUtil::GetCurrentTime());
  std::map<std::string, std::string> latest;  // personal field -> its last value
  std::map<std::string, size_t> types;
  for (const auto& event : events) {
    ++types[event.type];
    for (const auto& line : event.personal) {
      const size_t colon = line.find(": ");
      latest[line.substr(0, colon)] = line.substr(colon + 2);
    }
    pdfexport::AccessReportEntry entry;
    entry.when = event.time;
    entry.who = event.actor;
    entry.what =
        event.type + " (log position " + std::to_string(event.position) + ", " + event.stream + ")";
    entry.details = event.personal;
    report.entries.push_back(std::move(entry));
  }
  if (!match.accounts.empty()) {
    std::string accounts;
    for (const auto& account : match.accounts) accounts += (accounts.empty() ? "" : ", ") + account;
    report.summary.push_back("Accounts: " + accounts);
  }
  if (!match.organizations.empty()) {
    std::string orgs;
    for (const auto& org : match.organizations) orgs += (orgs.empty() ? "" : ", ") + org;
    report.summary.push_back("Organizations: " + orgs);
  }
  report.summary.push_back("Events: " + std::to_string(events.size()));
  for (const auto& [type, count] : types) {
    report.summary.push_back("  " + type + ": " + std::to_string(count));
  }
  report.summary.push_back("Personal data held (latest value of each field):");
  if (latest.empty()) report.summary.push_back("  none");
  for (const auto& [field, value] : latest) report.summary.push_back("  " + field + ": " + value);
  return report;
}

int History(const Args& args) {
  const std::string name = "audit history";
  CommandLine cli(name, "--subject EMAIL|NIP [--format json|pdf] [--out FILE] [LOG OPTIONS]",
                  "GDPR right of access: every event about a person (by e-mail) or an "
                  "organization (by NIP), in log order, decoded, personal fields opened "
                  "([erased] after an erasure). Found through the subject index, not a scan of "
                  "the log. Works beside a running serve.");
  AuditOptions(cli)
      .Option("subject", "EMAIL|NIP", "the person's e-mail address or the organization's NIP")
      .Option("format", "json|pdf", "one JSON object per line (default) or a PDF report")
      .Option("out", "FILE", "write there instead of standard output (required for pdf)");
  if (auto exit = cli.Parse(args)) return *exit;
  if (!cli.Has("subject")) return cli.UsageError("--subject is required");
  const std::string format = cli.Get("format", "json");
  if (format != "json" && format != "pdf") return cli.UsageError("--format is json or pdf");
  if (format == "pdf" && !cli.Has("out")) return cli.UsageError("--format pdf needs --out FILE");
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());
  auto query = ParseSubject(cli.Get("subject"), options->data_dir);
  if (!query.ok()) return cli.UsageError(query.status().message());

  auto opened = OpenForAudit(*options, true);
  if (!opened.ok()) return Fail(name, opened.status());
  log::EventLog& log = *opened->log;
  auto store = OpenStore(options->data_dir, false);
  if (!store.ok()) return Fail(name, store.status());
  auto match = FindInIndex(log, **store, *query);
  if (!match.ok()) return Fail(name, match.status());
  auto keys = log::OpenSubjectKeyStore(*options);
  if (!keys.ok()) return Fail(name, keys.status());
  const app::PersonalData personal(**keys);

  std::ofstream file;
  if (format == "json" && cli.Has("out")) {
    file.open(cli.Get("out"), std::ios::binary | std::ios::trunc);
    if (!file) return Fail(name, Unavailable("cannot write " + cli.Get("out")));
  }
  std::ostream& out = file.is_open() ? file : std::cout;
  std::vector<audit::OpenedEvent> events;
  Status read = ReadPositions(log, match->positions, [&](const log::LogRecord& record) -> Status {
    LD_ASSIGN_OR_RETURN(v1::Envelope envelope, log::DecodeEnvelope(record.value));
    LD_ASSIGN_OR_RETURN(audit::OpenedEvent event, audit::OpenEvent(record, envelope, personal));
    if (format == "json") out << audit::EventJsonLine(event, envelope) << "\n";
    events.push_back(std::move(event));
    return OkStatus();
  });
  if (!read.ok()) return Fail(name, read);
  out.flush();
  if (format == "pdf") {
    const std::string subject = query->nip.empty()
                                    ? "the person with the e-mail address " + cli.Get("subject")
                                    : "the organization with NIP " + query->nip;
    auto rendered = pdfexport::RenderAccessReport(ReportOf(subject, events, *match), {});
    if (!rendered.ok()) return Fail(name, rendered.status());
    std::ofstream pdf(cli.Get("out"), std::ios::binary | std::ios::trunc);
    pdf.write(rendered->data(), static_cast<std::streamsize>(rendered->size()));
    if (!pdf.flush()) return Fail(name, Unavailable("cannot write " + cli.Get("out")));
  }
  if (!file.is_open() && format == "json") std::cout.flush();
  if (match->accounts.empty() && match->organizations.empty()) {
    std::cerr << "ledgerdesk " << name << ": no account or organization has this "
              << (query->nip.empty() ? "e-mail address" : "NIP") << "\n";
  } else {
    std::cerr << "ledgerdesk " << name << ": " << events.size() << " event(s)\n";
  }

  auto request = Request(cli, "history");
  request.subject_index = query->email_index;
  request.arguments = "format=" + format + (query->nip.empty() ? "" : " nip=" + query->nip);
  store->reset();
  if (Status recorded = Record(name, *options, opened->writable ? &log : nullptr, request);
      !recorded.ok()) {
    return Fail(name, recorded);
  }
  return kExitOk;
}

// ---- verify -----------------------------------------------------------------------------------

// The first row where two stores differ, as a sentence; "" when they are equal.
Result<std::string> FirstDifference(const projections::Store& live,
                                    const projections::Store& rebuilt) {
  auto live_rows = live.Reader();
  auto rebuilt_rows = rebuilt.Reader();
  std::string difference;
  for (const auto& cf : live.column_families()) {
    auto compare = [&](const projections::RowReader& from, const projections::RowReader& other,
                       const char* missing_in) -> Status {
      Status status;
      LD_RETURN_IF_ERROR(from.ScanPrefix(cf, "", [&](std::string_view key, std::string_view value) {
        auto there = other.Get(cf, key);
        if (!there.ok()) {
          status = there.status();
          return false;
        }
        if (!*there) {
          difference = "row " + cf + "/" + std::string(key) + " is missing in the " + missing_in;
        } else if (**there != value) {
          difference = "row " + cf + "/" + std::string(key) + " differs (live " +
                       std::to_string(value.size()) + " bytes, rebuilt " +
                       std::to_string((*there)->size()) + " bytes)";
        }
        return difference.empty();
      }));
      return status;
    };
    LD_RETURN_IF_ERROR(compare(*live_rows, *rebuilt_rows, "rebuild"));
    if (!difference.empty()) return difference;
    LD_RETURN_IF_ERROR(compare(*rebuilt_rows, *live_rows, "live projections"));
    if (!difference.empty()) return difference;
  }
  return difference;
}

int Verify(const Args& args) {
  const std::string name = "audit verify";
  CommandLine cli(name, "[LOG OPTIONS]",
                  "Walks the whole log checking every record's checksum and the previous-hash "
                  "chain, then rebuilds the projections in a temporary directory up to where the "
                  "live ones stand and compares their digests. Prints the first difference and "
                  "exits 1 on any. Works beside a running serve.");
  AuditOptions(cli);
  if (auto exit = cli.Parse(args)) return *exit;
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());
  auto request = Request(cli, "verify");

  auto read_only = *options;
  read_only.read_only = true;
  auto log = log::OpenLog(read_only);
  bool intact = true;
  if (!log.ok()) {
    if (log.status().code() != StatusCode::kDataLoss) return Fail(name, log.status());
    std::cout << "log: NOT intact: " << log.status().message() << "\n";
    intact = false;
  }
  if (intact) {
    auto chain = audit::VerifyChain(**log);
    if (!chain.ok()) return Fail(name, chain.status());
    const double rate = chain->seconds > 0 ? chain->records / chain->seconds : 0;
    if (chain->intact) {
      std::printf("log: %llu records, checksums and hash chain intact (%.2f s, %.0f events/s)\n",
                  static_cast<unsigned long long>(chain->records), chain->seconds, rate);
    } else {
      std::printf("log: NOT intact: %s\n", chain->first_break.c_str());
      intact = false;
    }
  }
  const bool log_intact = intact;
  if (intact) {
    // The live projections brought to the end of the log when nothing else holds them; beside
    // serve, compared where its runner stands.
    auto families = projections::ColumnFamiliesOf(projections::DefaultProjections());
    auto store = projections::Store::Open(
        {.dir = ProjectionsDir(options->data_dir), .column_families = *families});
    if (store.ok()) {
      if (Status caught_up = CatchUp(**log, **store); !caught_up.ok()) return Fail(name, caught_up);
    } else if (store.status().code() == StatusCode::kUnavailable) {
      store = OpenStore(options->data_dir, false);
    }
    if (!store.ok()) return Fail(name, store.status());
    auto live = projections::DigestAt(**store);
    if (!live.ok()) return Fail(name, live.status());
    const fs::path scratch = options->data_dir / ("verify-" + std::to_string(::getpid()));
    fs::remove_all(scratch);
    auto prefix = audit::LogPrefix(**log, live->checkpoint.next);
    ProgressReporter progress("events rebuilt");
    auto rebuilt = projections::Rebuild(*prefix, projections::DefaultProjections(),
                                        scratch / "projections", {.progress = progress.Updater()});
    if (!rebuilt.ok()) {
      fs::remove_all(scratch);
      return Fail(name, rebuilt.status());
    }
    progress.Finish(rebuilt->checkpoint.next.value, rebuilt->checkpoint.next.value, "done");
    {
      auto families = projections::ColumnFamiliesOf(projections::DefaultProjections());
      auto other =
          projections::Store::Open({.dir = scratch / "projections", .column_families = *families});
      if (!other.ok()) return Fail(name, other.status());
      auto digest = projections::DigestAt(**other);
      if (!digest.ok()) return Fail(name, digest.status());
      if (digest->hex == live->hex && digest->checkpoint == live->checkpoint) {
        std::printf(
            "projections: live digest %s equals a rebuild to log position %llu (rebuilt at %.0f "
            "events/s)\n",
            live->hex.c_str(), static_cast<unsigned long long>(live->checkpoint.next.value),
            rebuilt->records_per_second);
      } else {
        auto difference = FirstDifference(**store, **other);
        std::printf(
            "projections: NOT equal to a rebuild to log position %llu: live %s, rebuilt "
            "%s; %s\n",
            static_cast<unsigned long long>(live->checkpoint.next.value), live->hex.c_str(),
            digest->hex.c_str(),
            !difference.ok()      ? difference.status().message().c_str()
            : difference->empty() ? "the checkpoints' counts differ"
                                  : difference->c_str());
        intact = false;
      }
    }
    fs::remove_all(scratch);
  }
  std::cout.flush();
  log = Result<std::unique_ptr<log::EventLog>>(Unavailable("closed"));
  // A log that failed verification is not opened for writing (that would repair its tail): the
  // record is spooled.
  std::unique_ptr<log::EventLog> writable;
  if (log_intact) {
    auto opened = OpenForAudit(*options, true);
    if (opened.ok() && opened->writable) writable = std::move(opened->log);
  }
  request.arguments = intact ? "result=intact" : "result=differences";
  if (Status recorded = Record(name, *options, writable.get(), request); !recorded.ok()) {
    return Fail(name, recorded);
  }
  return intact ? kExitOk : kExitFailure;
}

// ---- replay -----------------------------------------------------------------------------------

int Replay(const Args& args) {
  const std::string name = "audit replay";
  CommandLine cli(
      name, "--until RFC3339 --out DIR [LOG OPTIONS]",
      "Rebuilds the projections as they stood at a moment into DIR: DIR/log holds a copy of the "
      "log's records up to then (an embedded log), DIR/projections the projections built from it, "
      "and DIR/keys and DIR/blobs are links to the data dir's (keys are never copied: an erasure "
      "reaches the replay too; with --log kafka, DIR/KEYS-FROM names the key topic the replay "
      "reads "
      "its keys from). Query it with `serve --data-dir DIR --read-only`, `audit history "
      "--data-dir DIR`, `events tail --data-dir DIR` or `projections digest --data-dir DIR`.");
  AuditOptions(cli)
      .Option("until", "RFC3339", "the moment, e.g. 2026-11-20T16:30:00Z")
      .Option("out", "DIR", "a new (or empty) directory for the replayed state");
  if (auto exit = cli.Parse(args)) return *exit;
  if (!cli.Has("until") || !cli.Has("out")) return cli.UsageError("--until and --out are required");
  const auto parsed_until = ParseTime(cli.Get("until"));
  if (!parsed_until) {
    return cli.UsageError("--until takes an RFC 3339 time such as 2026-11-20T16:30:00Z");
  }
  const auto until = *parsed_until;
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());
  const fs::path out = fs::absolute(cli.Get("out"));
  std::error_code error;
  if (fs::exists(out) && !fs::is_empty(out, error)) {
    return cli.UsageError("--out " + out.string() + " exists and is not empty");
  }

  auto opened = OpenForAudit(*options, true);
  if (!opened.ok()) return Fail(name, opened.status());
  log::EventLog& source = *opened->log;
  auto end = audit::PositionAfter(source, until);
  if (!end.ok()) return Fail(name, end.status());

  fs::create_directories(out, error);
  if (error) return Fail(name, Unavailable("cannot create " + out.string()));
  uint64_t copied = 0;
  {
    auto copy = log::EmbeddedLog::Open({.dir = out / "log"});
    if (!copy.ok()) return Fail(name, copy.status());
    auto reader = source.NewReader(log::Position{0});
    if (!reader.ok()) return Fail(name, reader.status());
    while (copied < end->value) {
      auto records = (*reader)->Read(8192, std::chrono::milliseconds(200));
      if (!records.ok()) return Fail(name, records.status());
      if (records->empty()) break;
      std::vector<v1::Envelope> batch;
      for (const auto& record : *records) {
        if (record.position >= *end) break;
        v1::Envelope envelope;  // parsed as is (unknown fields kept): the bytes come out the same
        if (!envelope.ParseFromString(record.value)) {
          return Fail(name, DataLoss("log position " + std::to_string(record.position.value) +
                                     " is not an envelope and cannot be copied"));
        }
        batch.push_back(std::move(envelope));
      }
      if (batch.empty()) break;
      auto appended = (*copy)->Append(batch);
      if (!appended.ok()) return Fail(name, appended.status());
      copied += batch.size();
      if (batch.size() < records->size()) break;
    }
  }
  for (const char* shared : {"keys", "blobs"}) {
    fs::create_directory_symlink(fs::absolute(options->data_dir / shared), out / shared, error);
    if (error) return Fail(name, Unavailable("cannot link " + (out / shared).string()));
  }
  if (options->backend == log::Backend::kKafka) {
    // The subject keys stay on the key topic (DIR/keys holds its KEK): the replay reads them there.
    if (Status named = log::WriteKeysFrom(*options, out); !named.ok()) return Fail(name, named);
  }
  {
    std::ofstream marker(out / kReplayMarker);
    marker << fs::absolute(options->data_dir).string() << "\n"
           << "until " << cli.Get("until") << ", "
           << (end->value == 0 ? "no log positions"
                               : "log positions 0.." + std::to_string(end->value - 1))
           << "\n";
  }
  log::LogOptions replay_options{.data_dir = out, .read_only = true};
  auto replay_log = log::OpenLog(replay_options);
  if (!replay_log.ok()) return Fail(name, replay_log.status());
  ProgressReporter progress("events replayed");
  auto rebuilt = projections::Rebuild(**replay_log, projections::DefaultProjections(),
                                      ProjectionsDir(out), {.progress = progress.Updater()});
  if (!rebuilt.ok()) return Fail(name, rebuilt.status());
  progress.Finish(rebuilt->checkpoint.next.value, rebuilt->checkpoint.next.value, "done");
  auto families = projections::ColumnFamiliesOf(projections::DefaultProjections());
  auto store = projections::Store::Open(
      {.dir = ProjectionsDir(out), .column_families = *families, .read_only = true});
  if (!store.ok()) return Fail(name, store.status());
  std::printf("replayed %llu records (log positions before %llu, recorded up to %s) into %s\n",
              static_cast<unsigned long long>(copied), static_cast<unsigned long long>(end->value),
              cli.Get("until").c_str(), out.string().c_str());
  for (const auto& cf : *families) {
    uint64_t rows = 0;
    Status scanned = (*store)->Scan(cf, [&](std::string_view, std::string_view) { ++rows; });
    if (!scanned.ok()) return Fail(name, scanned);
    std::printf("  %-16s %llu rows\n", cf.c_str(), static_cast<unsigned long long>(rows));
  }
  auto digest = projections::DigestAt(**store);
  if (!digest.ok()) return Fail(name, digest.status());
  std::printf("digest %s\n", digest->hex.c_str());
  std::cout.flush();

  auto request = Request(cli, "replay");
  request.arguments = "until=" + cli.Get("until") + " position=" + std::to_string(end->value);
  if (Status recorded =
          Record(name, *options, opened->writable ? opened->log.get() : nullptr, request);
      !recorded.ok()) {
    return Fail(name, recorded);
  }
  return kExitOk;
}

// ---- erase ------------------------------------------------------------------------------------

// The migrated transcripts that show one of `subjects` (legacy contacts): an erasure renders them
// again without them (migrator/transcript_redaction.h).
Result<std::vector<migrator::TranscriptToRedact>> TranscriptsShowing(
    log::EventLog& log, const std::vector<log::Position>& positions,
    const std::set<std::string>& subjects) {
  std::vector<migrator::TranscriptToRedact> found;
  LD_RETURN_IF_ERROR(ReadPositions(log, positions, [&](const log::LogRecord& record) -> Status {
    auto envelope = log::DecodeEnvelope(record.value);
    if (!envelope.ok()) return OkStatus();
    if (auto transcript = migrator::TranscriptShowing(*envelope, subjects)) {
      found.push_back(std::move(*transcript));
    }
    return OkStatus();
  }));
  return found;
}

// " transcripts=N" for the audit record, or "" (which ones: the AttachmentAdded events naming the
// erased subjects; a contact in thousands of dialogs would make the record as long).
std::string TranscriptsArgument(const std::vector<migrator::TranscriptToRedact>& transcripts) {
  return transcripts.empty() ? "" : " transcripts=" + std::to_string(transcripts.size());
}

// Renders the transcripts again once the keys are destroyed, replacing their PDFs' bytes.
Status RedactTranscripts(const std::vector<migrator::TranscriptToRedact>& transcripts,
                         blobs::BlobStore& blobs, crypto::SubjectKeyStore& keys,
                         std::ostream& out) {
  if (transcripts.empty()) return OkStatus();
  LD_ASSIGN_OR_RETURN(auto renderer, pdfexport::TranscriptRenderer::Create({}));
  const app::PersonalData personal(keys);
  LD_RETURN_IF_ERROR(migrator::RedactTranscripts(transcripts, blobs, personal, *renderer));
  out << "rendered " << transcripts.size()
      << " migrated transcript(s) again with the erased parts as [erased] (attachment, ticket):\n";
  for (const auto& t : transcripts) out << "  " << t.attachment_id << " " << t.ticket_id << "\n";
  return OkStatus();
}

CommandLine EraseCommandLine() {
  CommandLine cli("audit erase", "--subject EMAIL --reason TEXT [--mail-dir DIR] [LOG OPTIONS]",
                  "GDPR erasure by crypto-shredding: appends SubjectErased for every account the "
                  "address belonged to and closes them (sessions end, no login; the address may "
                  "register again), and for every contact it was (a CC address of no account, a "
                  "legacy person; a later CC of it makes a new one), destroys their keys "
                  "(everything sealed with them reads [erased] from then on, in the API, history, "
                  "replays and PDFs; with --log kafka a tombstone on the key topic), deletes the "
                  "attachments they uploaded and the .eml files addressed to them, and compacts "
                  "the projections so no old value survives on disk (every serve compacts its own "
                  "once it applies the erasure). A running serve takes the command on its "
                  "operator socket; otherwise it opens the data dir itself.");
  AuditOptions(cli)
      .Option("subject", "EMAIL", "the person's e-mail address")
      .Option("reason", "TEXT", "why (kept in the log, e.g. the request's reference)")
      .Option("mail-dir", "DIR",
              "where the mail sender wrote .eml files (default: the serve's, else DATA_DIR/mail)");
  return cli;
}

// Adds to `mails` (ids) the .eml files in `mail_dir` whose To header names `email`, whatever its
// case.
Status AddMailsAddressedTo(const fs::path& mail_dir, const values::Email& email,
                           std::set<std::string>& mails) {
  std::error_code error;
  if (!fs::is_directory(mail_dir, error)) return OkStatus();  // nothing was ever mailed there
  const std::string wanted = email.LookupKey();
  for (fs::directory_iterator it(mail_dir, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (path.extension() != ".eml" || !it->is_regular_file(error)) continue;
    std::ifstream in(path, std::ios::binary);
    std::string headers(16 * 1024, '\0');  // the To header comes second, well within this
    in.read(headers.data(), static_cast<std::streamsize>(headers.size()));
    headers.resize(static_cast<size_t>(in.gcount()));
    for (const std::string& to : mail::EmlRecipients(headers)) {
      auto address = values::Email::Parse(to);
      if (address.ok() && address->LookupKey() == wanted) {
        mails.insert(path.stem().string());
        break;
      }
    }
  }
  if (error) return Unavailable("cannot read the mail dir " + mail_dir.string());
  return OkStatus();
}

// What the subject left outside the log (attachments they uploaded, mails addressed to them or
// holding their data) and the versions their subject streams are at.
struct SubjectTraces {
  std::set<std::string> blobs;
  std::set<std::string> mails;
  std::map<std::string, uint64_t> subject_versions;
};

Result<SubjectTraces> TracesOf(log::EventLog& log, const projections::SubjectMatch& match,
                               const std::set<std::string>& accounts,
                               const std::set<std::string>& subject_keys) {
  SubjectTraces traces;
  LD_RETURN_IF_ERROR(
      ReadPositions(log, match.positions, [&](const log::LogRecord& record) -> Status {
        auto envelope = log::DecodeEnvelope(record.value);
        if (!envelope.ok()) return OkStatus();
        if (envelope->has_attachment_added()) {
          const auto& added = envelope->attachment_added();
          if (accounts.count(added.subject_id()) || accounts.count(added.added_by())) {
            traces.blobs.insert(added.sha256());
          }
        } else if (envelope->has_email_queued()) {
          // Addressed to the subject, or holding their sealed data (the address, text about them).
          const auto& mail = envelope->email_queued();
          bool theirs = subject_keys.count(mail.subject().key_id()) ||
                        subject_keys.count(mail.body().key_id());
          for (const auto& to : mail.to_account_ids()) theirs = theirs || accounts.count(to);
          for (const auto& to : mail.to()) theirs = theirs || subject_keys.count(to.key_id());
          if (theirs) traces.mails.insert(mail.mail_id());
        }
        for (const auto& account : accounts) {
          if (envelope->stream() == "subject-" + account) {
            traces.subject_versions[account] =
                std::max(traces.subject_versions[account], envelope->stream_version());
          }
        }
        return OkStatus();
      }));
  // A blob is content-addressed: keep it when someone else attached the same bytes.
  if (!traces.blobs.empty()) {
    LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(log::Position{0}));
    LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
    for (log::Position next{0}; next < end;) {
      LD_ASSIGN_OR_RETURN(auto records, reader->Read(8192, std::chrono::milliseconds(200)));
      if (records.empty()) break;
      for (const auto& record : records) {
        next = log::Position{record.position.value + 1};
        auto envelope = log::DecodeEnvelope(record.value);
        if (!envelope.ok() || !envelope->has_attachment_added()) continue;
        const auto& added = envelope->attachment_added();
        if (!accounts.count(added.subject_id()) && !accounts.count(added.added_by())) {
          traces.blobs.erase(added.sha256());
        }
      }
    }
  }
  return traces;
}

struct EraseRequest {
  std::string email;
  std::string reason;
  std::optional<fs::path> mail_dir;
  audit::AuditRequest audit;
};

// The erasure, against the backend it is given (a running serve's, or the data dir opened here):
// the same steps in both places.
int EraseWork(const OperatorServices& services, const EraseRequest& erase) {
  const std::string name = "audit erase";
  const OperatorBackend& backend = services.backend;
  auto fail = [&](const Status& status) { return Fail(services.err, name, status); };
  if (backend.erasure == nullptr) {
    return fail(FailedPrecondition("this process cannot erase (a read-only replica?)"));
  }
  const ErasureBackend& here = *backend.erasure;
  auto email = values::Email::Parse(erase.email);
  if (!email.ok()) return fail(email.status());
  auto email_index = crypto::EmailIndex(backend.index_key, *email);
  if (!email_index.ok()) return fail(email_index.status());
  auto match = FindInIndex(here.log, here.projections,
                           projections::SubjectQuery{.email_index = *email_index});
  if (!match.ok()) return fail(match.status());
  if (match->accounts.empty()) return fail(NotFound("no account has this e-mail address"));
  const std::set<std::string> accounts(match->accounts.begin(), match->accounts.end());
  auto transcripts = TranscriptsShowing(here.log, match->positions, accounts);
  if (!transcripts.ok()) return fail(transcripts.status());

  // An account or contact erased before (the command run again, or retried after a crash) is not
  // erased twice: its erasure named the key it destroyed, and asking the store would make a new
  // one.
  std::map<std::string, std::string> key_ids;  // account -> its key id
  backend.writes.Read([&](const domain::Model& model) {
    for (const auto& account : accounts) {
      const domain::AccountState* state = model.FindAccount(account);
      if (state != nullptr && state->erased) key_ids[account] = state->erased_key_id;
      if (const std::string* key = model.FindErasedContactKey(account)) key_ids[account] = *key;
    }
  });
  const size_t erased_before = key_ids.size();
  std::set<std::string> to_erase;
  for (const auto& account : accounts) {
    if (key_ids.count(account)) continue;
    auto key = here.keys.GetOrCreate(account);
    if (!key.ok()) return fail(key.status());
    key_ids[account] = key->key_id;
    to_erase.insert(account);
  }
  std::set<std::string> subject_keys;
  for (const auto& [account, key_id] : key_ids) subject_keys.insert(key_id);
  auto traces = TracesOf(here.log, *match, accounts, subject_keys);
  if (!traces.ok()) return fail(traces.status());
  const fs::path mail_dir = erase.mail_dir.value_or(here.mail_dir);
  // A mail the log does not tie to them (sent to them as a CC before CC addresses were data
  // subjects, sealed with the opener's key) still names them in its To header.
  if (Status scanned = AddMailsAddressedTo(mail_dir, *email, traces->mails); !scanned.ok()) {
    return fail(scanned);
  }

  const auto now = std::chrono::system_clock::now();
  std::vector<v1::Envelope> events;
  for (const auto& account : to_erase) {
    v1::Envelope event;
    event.set_event_id(log::RandomEventId());
    event.set_stream("subject-" + account);
    event.set_stream_version(traces->subject_versions[account] + 1);
    *event.mutable_occurred_at() = domain::ToTimestamp(now);
    event.mutable_actor()->set_role(v1::ROLE_AUDITOR);
    auto* erased = event.mutable_subject_erased();
    erased->set_subject_id(account);
    erased->set_key_id(key_ids[account]);
    erased->set_reason(erase.reason);
    events.push_back(std::move(event));
  }
  audit::AuditRequest request = erase.audit;
  request.subject_index = *email_index;
  request.arguments =
      "accounts=" + std::to_string(accounts.size()) + TranscriptsArgument(*transcripts);
  events.push_back(audit::AuditEnvelope(request, now));
  // The erasure is in the log (durable) before anything is destroyed: a crash midway is finished
  // by running the command again. Through the write service, which serve shares with its API.
  const v1::Actor actor = events.front().actor();
  auto appended =
      backend.writes.Execute(actor, [&events](const domain::Model&, const domain::CommandContext&) {
        return Result<std::vector<v1::Envelope>>(events);
      });
  if (!appended.ok()) return fail(appended.status());
  if (appended->positions.empty()) return fail(Internal("the erasure was not appended"));
  for (const auto& account : accounts) {
    Status destroyed = here.keys.Destroy(account);
    if (!destroyed.ok() && destroyed.code() != StatusCode::kNotFound) return fail(destroyed);
  }
  size_t blobs_deleted = 0;
  for (const auto& sha : traces->blobs) {
    std::error_code error;
    const bool present = fs::exists(here.blobs.PathOf(sha), error);
    if (Status deleted = here.blobs.Delete(sha); !deleted.ok()) return fail(deleted);
    blobs_deleted += present;
  }
  size_t mails_deleted = 0;
  for (const auto& mail : traces->mails) {
    if (mail.find('/') != std::string::npos || mail.find("..") != std::string::npos) continue;
    std::error_code error;
    if (fs::remove(mail_dir / (mail + ".eml"), error)) ++mails_deleted;
  }
  if (Status redacted = RedactTranscripts(*transcripts, here.blobs, here.keys, services.out);
      !redacted.ok()) {
    return fail(redacted);
  }
  // The projections drop the old values: applied, then compacted.
  if (Status applied = here.apply_up_to(appended->position); !applied.ok()) return fail(applied);
  if (Status compacted = here.projections.CompactAll(); !compacted.ok()) return fail(compacted);
  services.out << "erased " << to_erase.size() << " account(s)";
  if (erased_before > 0) services.out << " (" << erased_before << " erased before)";
  services.out << ": keys destroyed, " << blobs_deleted << " attachment(s) and " << mails_deleted
               << " mail file(s) deleted, projections compacted ("
               << (to_erase.empty() ? "the command recorded" : "erasure recorded")
               << " at log position " << appended->positions.front().value << ")\n";
  return kExitOk;
}

// A command run here (no serve holds the data dir): its projections, caught up by a runner of its
// own, and its blobs.
Result<std::shared_ptr<const ErasureBackend>> OpenErasureHere(const log::LogOptions& options,
                                                              log::EventLog& log,
                                                              crypto::SubjectKeyStore& keys) {
  struct Opened {
    std::unique_ptr<projections::Store> store;
    std::unique_ptr<blobs::BlobStore> blobs;
    std::optional<ErasureBackend> backend;
  };
  auto opened = std::make_shared<Opened>();
  LD_ASSIGN_OR_RETURN(opened->store, OpenStore(options.data_dir, true));
  LD_ASSIGN_OR_RETURN(opened->blobs, blobs::BlobStore::Open(options.data_dir / "blobs"));
  LD_RETURN_IF_ERROR(CatchUp(log, *opened->store));
  projections::Store& store = *opened->store;
  opened->backend.emplace(
      ErasureBackend{.log = log,
                     .keys = keys,
                     .projections = store,
                     .apply_up_to = [&log, &store](log::Position) { return CatchUp(log, store); },
                     .blobs = *opened->blobs,
                     .mail_dir = options.data_dir / "mail"});
  return std::shared_ptr<const ErasureBackend>(opened, &*opened->backend);
}

}  // namespace

int AuditHistoryCommand(const Args& args) { return History(args); }
int AuditReplayCommand(const Args& args) { return Replay(args); }
int AuditVerifyCommand(const Args& args) { return Verify(args); }
OperatorCommand AuditEraseOperatorCommand() {
  OperatorCommand command;
  command.name = "audit erase";
  command.command_line = EraseCommandLine;
  command.open_erasure_here = OpenErasureHere;
  command.prepare = [](const CommandLine& cli) -> Result<OperatorWork> {
    if (!cli.Has("subject") || !cli.Has("reason")) {
      return InvalidArgument("--subject and --reason are required");
    }
    if (cli.Get("subject").find('@') == std::string::npos) {
      return InvalidArgument("--subject takes the person's e-mail address");
    }
    LD_ASSIGN_OR_RETURN(const log::LogOptions options, cli.GetLogOptions());
    if (IsReplay(options.data_dir)) {
      return FailedPrecondition(options.data_dir.string() +
                                " is a replay: erase in the data dir it was made from");
    }
    EraseRequest erase{
        .email = cli.Get("subject"), .reason = cli.Get("reason"), .audit = Request(cli, "erase")};
    if (cli.Has("mail-dir")) erase.mail_dir = fs::absolute(cli.Get("mail-dir"));
    return OperatorWork(
        [erase](const OperatorServices& services) { return EraseWork(services, erase); });
  };
  return command;
}

int AuditEraseCommand(const Args& args) {
  return RunOperatorCommand(AuditEraseOperatorCommand(), args);
}

}  // namespace ledgerdesk::tools
