// `ledgerdesk migrate`: moves the legacy helpdesk into the log (spec/legacy-data-rules.md), then
// checks that the projections hold what the report says moved.

#include "tools/migrate_command.h"

#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "core/app/index_key.h"
#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/blobs/blob_store.h"
#include "core/crypto/sodium_init.h"
#include "core/crypto/subject_key_store.h"
#include "core/domain/dates.h"
#include "core/log/log_factory.h"
#include "migrator/legacy_source.h"
#include "migrator/load.h"
#include "projections/contracts_projection.h"
#include "projections/default_projections.h"
#include "projections/projection_rows.pb.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "projections/tickets_projection.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace ledgerdesk::tools {
namespace {

constexpr const char* kName = "migrate";

// Brings the projections up to the log's end and counts what the migration put there.
struct ProjectedCounts {
  int64_t contracts = 0;    // contracts with a legacy id
  int64_t tickets = 0;      // tickets with a legacy id
  int64_t attachments = 0;  // on those tickets: transcripts and moved attachments
};

Result<ProjectedCounts> CountProjected(log::EventLog& log, const std::filesystem::path& dir) {
  const auto& set = projections::DefaultProjections();
  LD_ASSIGN_OR_RETURN(auto families, projections::ColumnFamiliesOf(set));
  LD_ASSIGN_OR_RETURN(
      auto store, projections::Store::Open({.dir = dir, .column_families = std::move(families)}));
  {
    LD_ASSIGN_OR_RETURN(auto runner, projections::ProjectionRunner::Create(log, *store, set));
    LD_RETURN_IF_ERROR(runner->CatchUp());
  }
  ProjectedCounts counts;
  auto reader = store->Reader();
  Status parse;
  LD_RETURN_IF_ERROR(
      reader->ScanPrefix(projections::ContractsProjection::kColumnFamily, "contract/",
                         [&](std::string_view, std::string_view value) {
                           projections::rows::ContractRow row;
                           if (!row.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                             parse = DataLoss("a contract row does not parse");
                             return false;
                           }
                           counts.contracts += row.legacy_contract_id() != 0;
                           return true;
                         }));
  LD_RETURN_IF_ERROR(parse);
  LD_RETURN_IF_ERROR(
      reader->ScanPrefix(projections::TicketsProjection::kColumnFamily, "ticket/",
                         [&](std::string_view key, std::string_view value) {
                           projections::rows::TicketRow row;
                           if (!row.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
                               key != projections::TicketsProjection::TicketKey(row.ticket_id())) {
                             return true;  // a message or attachment row of the ticket
                           }
                           if (row.legacy_ticket_id() != 0) {
                             ++counts.tickets;
                             counts.attachments += static_cast<int64_t>(row.attachments());
                           }
                           return true;
                         }));
  return counts;
}

// Empty when the projections agree with the report, else what differs.
std::string Reconcile(const migrator::MigrationReport& report, const ProjectedCounts& counts) {
  std::string differs;
  auto check = [&](const std::string& what, int64_t reported, int64_t projected) {
    if (reported == projected) return;
    if (!differs.empty()) differs += "; ";
    differs += what + ": the report moved " + std::to_string(reported) + ", the projections hold " +
               std::to_string(projected);
  };
  check("contracts", report.table("contracts").moved, counts.contracts);
  check("tickets", report.table("tickets").moved, counts.tickets);
  check("attachments (transcripts included)",
        report.table("tickets").moved + report.table("ticket_attachments").moved,
        counts.attachments);
  return differs;
}

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Unavailable("cannot write " + path.string());
  return OkStatus();
}

Result<MigrateRun> MigrateWith(const MigrateRequest& request, std::unique_ptr<log::EventLog> log,
                               const log::LogOptions& log_options);

}  // namespace

Result<MigrateRun> RunMigration(const MigrateRequest& request) {
  // The source first: a wrong URI is reported before anything is opened or created.
  if (auto source = migrator::LegacySource::Open(request.source); !source.ok()) {
    return source.status();
  }

  log::LogOptions log_options = request.log;
  log_options.read_only = request.dry_run;
  std::error_code ec;
  const bool nothing_yet = log_options.backend == log::Backend::kEmbedded &&
                           !std::filesystem::exists(log_options.data_dir / "log", ec);
  if (request.dry_run && nothing_yet) {
    // A dry run before the first real one: an empty log, and nothing created.
    return MigrateWith(request, nullptr, log_options);
  }
  auto opened = log::OpenLog(log_options);
  if (!opened.ok()) {
    Status status = opened.status();
    if (status.code() == StatusCode::kUnavailable && !request.dry_run) {
      status = Status(status.code(), status.message() +
                                         " (is serve running on this data dir? stop it for the "
                                         "migration, or try --dry-run beside it)");
    }
    return status;
  }
  return MigrateWith(request, std::move(*opened), log_options);
}

namespace {

Result<MigrateRun> MigrateWith(const MigrateRequest& request, std::unique_ptr<log::EventLog> log,
                               const log::LogOptions& log_options) {
  MigrateRun run;
  LD_ASSIGN_OR_RETURN(auto source, migrator::LegacySource::Open(request.source));
  std::unique_ptr<log::EventLog> dry_log;
  if (request.dry_run) dry_log = migrator::NewDryRunLog(log.get());

  std::unique_ptr<crypto::SubjectKeyStore> keys;
  std::unique_ptr<blobs::BlobStore> blob_store;
  std::string index_key;
  const std::filesystem::path index_key_file = log_options.data_dir / "keys" / "email-index.key";
  if (request.dry_run) {
    keys = crypto::NewInMemorySubjectKeyStore();
    // The data dir's own, so contacts the log knows are found; none yet: one for this run only.
    std::error_code error;
    if (std::filesystem::exists(index_key_file, error)) {
      LD_ASSIGN_OR_RETURN(index_key, app::LoadOrCreateIndexKey(index_key_file));
    } else {
      LD_RETURN_IF_ERROR(crypto::EnsureSodium());
      index_key = crypto::RandomBytes(32);
    }
  } else {
    LD_ASSIGN_OR_RETURN(keys, log::OpenSubjectKeyStore(log_options));
    LD_ASSIGN_OR_RETURN(blob_store, blobs::BlobStore::Open(log_options.data_dir / "blobs"));
    LD_ASSIGN_OR_RETURN(index_key, app::LoadOrCreateIndexKey(index_key_file));
  }
  app::PersonalData personal(*keys);
  LD_ASSIGN_OR_RETURN(auto renderer,
                      pdfexport::TranscriptRenderer::Create(pdfexport::RenderOptions{}));
  LD_ASSIGN_OR_RETURN(auto writes, app::WriteService::Start(request.dry_run ? *dry_log : *log));

  ProgressReporter progress("tickets", stderr, request.interactive_progress);
  migrator::MigrateOptions options{.as_of = request.as_of,
                                   .dry_run = request.dry_run,
                                   .encoding = request.encoding,
                                   .threads = request.threads};
  options.on_progress = [&](const migrator::MigrateProgress& p) {
    if (p.stage == "tickets") {
      progress.Update(p.tickets_done, p.tickets_total,
                      std::to_string(p.pdfs) + " PDFs" + (request.dry_run ? ", dry run" : ""));
    } else if (p.stage == "done") {
      progress.Finish(p.tickets_done, p.tickets_total, std::to_string(p.pdfs) + " PDFs");
    } else {
      std::fprintf(stderr, "reading %s\n", p.stage.c_str());
    }
  };
  LD_ASSIGN_OR_RETURN(run.report, migrator::Migrate(*source,
                                                    {.writes = *writes,
                                                     .blobs = blob_store.get(),
                                                     .sealer = personal,
                                                     .renderer = *renderer,
                                                     .email_index_key = index_key},
                                                    options, &run.stats));
  writes.reset();
  if (!request.dry_run) {
    LD_ASSIGN_OR_RETURN(ProjectedCounts counts,
                        CountProjected(*log, log_options.data_dir / "projections"));
    run.reconciliation = Reconcile(*run.report, counts);
    run.reconciled = true;
  }
  return run;
}

}  // namespace

int MigrateCommand(const Args& args) {
  CommandLine cli(
      kName,
      "--source sqlite:PATH|postgresql://... [--dry-run] [--as-of YYYY-MM-DD] [--report "
      "FILE.json] [--legacy-encoding windows-1250] [LOG OPTIONS]",
      "Moves the legacy helpdesk into the log by the rules of legacy-data-rules.md: "
      "organizations, active contracts, open tickets with their dialog as a PDF transcript and "
      "their attachments. Resumable: running it again continues or changes nothing. Prints a "
      "report (read / moved / dropped / quarantined per table), then checks that the "
      "projections hold what the report says moved.");
  cli.LogOptions()
      .Option("source", "URI", "the legacy database: sqlite:PATH or postgresql://user@host/db")
      .Flag("dry-run", "decide everything, write nothing, print the same report")
      .Option("as-of", "YYYY-MM-DD",
              "the migration date: contracts ending before it are dropped (default: today in "
              "Warsaw)")
      .Option("report", "FILE.json", "also write the report as JSON to FILE")
      .Option("legacy-encoding", "windows-1250",
              "encoding of legacy text that is not UTF-8 (only windows-1250)")
      .Option("threads", "N", "PDF rendering threads (default: one per core)");
  if (auto exit = cli.Parse(args)) return *exit;
  if (!cli.Has("source")) return cli.UsageError("--source is required");
  MigrateRequest request;
  request.source = cli.Get("source");
  if (!request.source.starts_with("sqlite:") && !request.source.starts_with("postgresql://") &&
      !request.source.starts_with("postgres://")) {
    return cli.UsageError("--source must be sqlite:PATH or postgresql://...");
  }
  request.dry_run = cli.Has("dry-run");
  if (cli.Has("as-of")) {
    auto date = domain::ParseDate(cli.Get("as-of"), "--as-of");
    if (!date.ok()) return cli.UsageError(date.status().message());
    request.as_of = *date;
  } else {
    request.as_of = domain::WarsawDate(std::chrono::system_clock::now());
  }
  if (cli.Has("legacy-encoding") && cli.Get("legacy-encoding") != "windows-1250") {
    return cli.UsageError("--legacy-encoding takes windows-1250 (the only legacy encoding)");
  }
  auto threads = cli.GetUint("threads", 0);
  if (!threads.ok()) return cli.UsageError(threads.status().message());
  request.threads = static_cast<int>(*threads);
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());
  request.log = *log_options;

  auto run = RunMigration(request);
  if (!run.ok()) {
    if (run.status().code() == StatusCode::kInvalidArgument) {
      return cli.UsageError(run.status().message());
    }
    return Fail(kName, run.status());
  }
  if (cli.Has("report")) {
    if (Status written = WriteFile(cli.Get("report"), run->report->ToJson()); !written.ok()) {
      return Fail(kName, written);
    }
  }
  std::cout << run->report->Summary();
  const auto& stats = run->stats;
  std::printf(
      "%s in %.1f s: %lld PDFs rendered, %lld tickets already in the log, %lld events "
      "%s\n",
      request.dry_run ? "dry run (nothing written)" : "migrated", stats.seconds,
      static_cast<long long>(stats.pdfs_rendered), static_cast<long long>(stats.tickets_skipped),
      static_cast<long long>(stats.events_appended),
      request.dry_run ? "decided (not appended)" : "appended");
  if (run->reconciled) {
    if (!run->reconciliation.empty()) {
      return Fail(kName, DataLoss("reconciliation failed: " + run->reconciliation));
    }
    std::printf("reconciled: the projections hold what the report says moved\n");
  }
  return kExitOk;
}

}  // namespace ledgerdesk::tools
