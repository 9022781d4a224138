// `ledgerdesk serve`: opens the log, starts the write service (or, read-only, follows the log),
// the projections, the mail sender and the HTTP server (tools/http/http_server.h: workers sized
// by --threads, idle connections kept out of them, timeouts) answering the portal API.

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "core/app/account_service.h"
#include "core/app/index_key.h"
#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/audit/audit_record.h"
#include "core/audit/spool_drain.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/log_factory.h"
#include "core/mail/mail_sender.h"
#include "projections/default_projections.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/http/http_server.h"
#include "tools/http/portal_api.h"
#include "tools/operator_commands.h"
#include "tools/smtp_transport.h"

namespace ledgerdesk::tools {
namespace {

// "host:port" (or "[v6]:port"), the port a number up to 65535: what --listen and --smtp take.
bool IsHostAndPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  const std::string port = text.substr(colon + 1);
  return port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
         std::stoul(port) <= 65535;
}

// Delivers the outbox every second in a thread of its own; stops with the object.
class MailLoop {
 public:
  MailLoop(app::WriteService& service, const app::PersonalData& personal,
           mail::MailTransport& transport)
      : sender_(service, personal, transport), thread_([this] { Run(); }) {}
  ~MailLoop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      auto round = sender_.DeliverPending();
      if (!round.ok()) {
        std::cerr << "ledgerdesk serve: mail: " << round.status().message() << std::endl;
      } else if (round->failed > 0) {
        std::cerr << "ledgerdesk serve: mail: " << round->failed
                  << " mail(s) could not be delivered; each is tried again after 5 s, then "
                     "twice as long each time (at most 10 min)"
                  << std::endl;
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }

  mail::MailSender sender_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace

int ServeCommand(const Args& args) {
  CommandLine cli(
      "serve",
      "[--listen 127.0.0.1:8080] [--mail-dir DIR | --smtp HOST:PORT] "
      "[--read-only --writer URL] [--keys-dir DIR] [--blobs-dir DIR] [LOG OPTIONS]",
      "Runs the portal API (spec/http-api.md) on the log: the write service appends commands' "
      "events, the projections follow the log into DATA_DIR/projections and answer reads, and "
      "the mail sender delivers the outbox (.eml files in the mail dir, or SMTP). With "
      "--read-only it is a replica: it follows the log (another process writes it), answers "
      "reads from its own projections and answers every write with 503 naming --writer.");
  cli.LogOptions()
      .Option("listen", "HOST:PORT", "where the HTTP server listens (127.0.0.1:8080)")
      .Option("mail-dir", "DIR", "where mails are written as .eml files (default DATA_DIR/mail)")
      .Option("smtp", "HOST:PORT", "send mails through this SMTP server instead")
      .Option("mail-from", "ADDRESS", "the mails' From (default ledgerdesk <noreply@localhost>)")
      .Option("threads", "N",
              "HTTP workers, each serving one connection at a time (default 128; idle "
              "connections wait outside them)")
      .Option("request-timeout", "SECONDS",
              "a request's headers must arrive within this, and every read and write of an "
              "answer (default 10)")
      .Flag("read-only", "a replica: follow the log, answer reads, refuse writes (no mail)")
      .Option("writer", "URL",
              "read-only: where writes go, named in the 503 answer (none: a replay, say)")
      .Option("keys-dir", "DIR",
              "the subject keys (default DATA_DIR/keys); a replica names the writer's")
      .Option("blobs-dir", "DIR",
              "the attachments' bytes (default DATA_DIR/blobs); a replica names the writer's");
  if (auto exit = cli.Parse(args)) return *exit;
  auto threads = cli.GetUint("threads", 128);
  if (!threads.ok()) return cli.UsageError(threads.status().message());
  if (*threads < 1 || *threads > 4096) return cli.UsageError("--threads takes 1 to 4096");
  auto request_timeout = cli.GetUint("request-timeout", 10);
  if (!request_timeout.ok()) return cli.UsageError(request_timeout.status().message());
  if (*request_timeout < 1 || *request_timeout > 3600) {
    return cli.UsageError("--request-timeout takes 1 to 3600 seconds");
  }
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());
  for (const char* option : {"listen", "smtp"}) {
    if (cli.Has(option) && !IsHostAndPort(cli.Get(option))) {
      return cli.UsageError(std::string("--") + option +
                            " takes HOST:PORT with a port of 0 to 65535, not '" + cli.Get(option) +
                            "'");
    }
  }
  if (cli.Has("mail-dir") && cli.Has("smtp")) {
    return cli.UsageError("--mail-dir and --smtp exclude each other");
  }

  const bool read_only = cli.Has("read-only");
  if (!read_only && cli.Has("writer")) return cli.UsageError("--writer goes with --read-only");
  if (cli.Has("writer")) {
    // It goes into every refused write's message: a URL a client can send the write to.
    const std::string writer = cli.Get("writer");
    const bool url = (writer.starts_with("http://") || writer.starts_with("https://")) &&
                     writer.find_first_of(" \t\r\n\"") == std::string::npos &&
                     writer.size() > writer.find("//") + 2;
    if (!url) {
      return cli.UsageError("--writer takes the writer's URL (http://HOST:PORT), not '" + writer +
                            "'");
    }
  }
  log_options->read_only = read_only;
  if (cli.Has("keys-dir")) log_options->keys_dir = cli.Get("keys-dir");
  const std::filesystem::path keys_dir = log::KeysDir(*log_options);
  const std::filesystem::path blobs_dir =
      cli.Get("blobs-dir", (log_options->data_dir / "blobs").string());

  BlockTerminationSignals();
  auto log = log::OpenLog(*log_options);
  if (!log.ok()) return Fail("serve", log.status());
  auto keys = log::OpenSubjectKeyStore(*log_options);
  if (!keys.ok()) return Fail("serve", keys.status());
  app::PersonalData personal(**keys);
  // A replica's model follows the writer's appends (sessions, accounts) as its projections do; a
  // writer on Kafka follows other writers' appends the same way.
  app::WriteServiceOptions service_options;
  if (read_only || log_options->backend == log::Backend::kKafka) {
    service_options.follow_every = std::chrono::milliseconds(20);
  }
  auto service = app::WriteService::Start(**log, service_options);
  if (!service.ok()) return Fail("serve", service.status().WithContext("reading the log"));

  // The read side follows the log in a thread of its own, from its checkpoint.
  const auto& views = projections::DefaultProjections();
  auto families = projections::ColumnFamiliesOf(views);
  if (!families.ok()) return Fail("serve", families.status());
  auto store = projections::Store::Open(
      {.dir = log_options->data_dir / "projections", .column_families = std::move(*families)});
  if (!store.ok()) {
    return Fail("serve", store.status().WithContext(
                             "the projections (every serve needs a --data-dir of its own)"));
  }
  // On every node (a replica too), an erasure the projections apply is followed at once: the
  // destroyed keys leave the key cache (another process may have destroyed them) and the store is
  // compacted, so that the erased values leave its files.
  projections::RunnerOptions runner_options;
  runner_options.after_erasures = [&keys, &store](const std::vector<std::string>& key_ids) {
    for (const std::string& key_id : key_ids) (*keys)->MarkDestroyed(key_id);
    if (Status compacted = (*store)->CompactAll(); !compacted.ok()) {
      std::cerr << "ledgerdesk serve: compacting the projections after an erasure: "
                << compacted.message() << std::endl;
      return;
    }
    std::cout << "ledgerdesk serve: applied an erasure of " << key_ids.size()
              << " key(s): dropped from the key cache, projections compacted" << std::endl;
  };
  auto runner = projections::ProjectionRunner::Create(**log, **store, views, runner_options);
  if (!runner.ok()) {
    return Fail("serve", runner.status().WithContext("the projections (ledgerdesk projections "
                                                     "rebuild builds them anew)"));
  }
  if (Status started = (*runner)->Start(); !started.ok()) return Fail("serve", started);

  const std::string from = cli.Get("mail-from", "ledgerdesk <noreply@localhost>");
  const std::filesystem::path mail_dir =
      cli.Get("mail-dir", (log_options->data_dir / "mail").string());
  std::unique_ptr<mail::MailTransport> transport = cli.Has("smtp")
                                                       ? NewSmtpTransport(cli.Get("smtp"), from)
                                                       : mail::NewMaildirTransport(mail_dir, from);
  // Only the writer delivers the outbox: replicas would deliver every mail again.
  std::optional<MailLoop> mail_loop;
  if (!read_only) mail_loop.emplace(**service, personal, *transport);

  // A replica takes no logins or registrations: it needs no e-mail index key.
  std::string index_key;
  if (!read_only) {
    auto loaded = app::LoadOrCreateIndexKey(keys_dir / "email-index.key");
    if (!loaded.ok()) return Fail("serve", loaded.status());
    index_key = *loaded;
  }
  app::AccountService accounts(**service, personal, index_key);
  auto blob_store = blobs::BlobStore::Open(blobs_dir);
  if (!blob_store.ok()) return Fail("serve", blob_store.status());
  // The operator's audit erase runs here too: on this serve's log, keys, projections and blobs.
  const ErasureBackend erasure_backend{
      .log = **log,
      .keys = **keys,
      .projections = **store,
      .apply_up_to =
          [&runner](log::Position position) {
            if ((*runner)->WaitFor(position, std::chrono::seconds(60))) return OkStatus();
            return Unavailable("the projections did not apply the erasure within 60 s: " +
                               (*runner)->last_error().message());
          },
      .blobs = **blob_store,
      .mail_dir = mail_dir};
  // The operator's staff add, contracts add|renew and audit erase come in on DATA_DIR/operator.sock
  // (on the writer only: a replica holds no lock on a data dir and takes no writes).
  const OperatorBackend operator_backend{.writes = **service,
                                         .personal = personal,
                                         .index_key = index_key,
                                         .erasure = &erasure_backend};
  std::unique_ptr<OperatorSocketServer> operator_socket;
  if (!read_only) {
    auto started = StartOperatorSocket(log_options->data_dir, operator_backend);
    if (!started.ok()) return Fail("serve", started.status());
    operator_socket = std::move(*started);
  }
  // Audit commands run beside this serve spool their records: appended here, at once.
  std::unique_ptr<audit::SpoolDrain> spool_drain;
  if (!read_only) {
    auto started = audit::SpoolDrain::Start(
        log_options->data_dir / audit::kSpoolDirName, audit::AppendThrough(**service),
        {.report = [](const std::string& line) {
          std::cerr << "ledgerdesk serve: " << line << std::endl;
        }});
    if (!started.ok()) return Fail("serve", started.status());
    spool_drain = std::move(*started);
  }

  http::HttpServerOptions server_options{.listen = cli.Get("listen", "127.0.0.1:8080"),
                                         .threads = static_cast<int>(*threads),
                                         .header_timeout = std::chrono::seconds(*request_timeout),
                                         .io_timeout = std::chrono::seconds(*request_timeout)};
  const uint64_t open_files = http::RaiseOpenFileLimit();
  auto* portal = new http::PortalApi({.writes = **service,
                                      .accounts = accounts,
                                      .personal = personal,
                                      .projections = **runner,
                                      .views = **store,
                                      .blobs = **blob_store,
                                      .read_only = read_only,
                                      .writer_address = cli.Get("writer")});
  const Poco::Net::HTTPRequestHandlerFactory::Ptr handlers(portal);  // owns it
  server_options.answered_unrouted = [portal](int status) {
    portal->RecordUnrouted(status);  // the server stops (and calls no more) before it goes
  };
  auto server = http::StartHttpServer(server_options, handlers);
  if (!server.ok()) return Fail("serve", server.status());
  // The position as /healthz says it (the last record's), not the log's end one past it.
  const uint64_t end = (*service)->end().value;
  std::cout << "ledgerdesk serve: " << (read_only ? "read-only replica of " : "writer on ")
            << (*log)->Describe()
            << (end == 0 ? " (no events yet)" : " (log position " + std::to_string(end - 1) + ")");
  if (!read_only) std::cout << "; mail via " << transport->name();
  std::cout << "; " << server_options.threads << " HTTP workers, up to " << open_files
            << " open files; listening on http://" << (*server)->address() << std::endl;
  const std::string signal = WaitForTerminationSignal();
  std::cout << "ledgerdesk serve: " << signal << ", stopping" << std::endl;
  (*server)->Stop();
  (*runner)->Stop();
  return kExitOk;
}

}  // namespace ledgerdesk::tools
