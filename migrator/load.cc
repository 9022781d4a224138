#include "migrator/load.h"

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/event_builder.h"
#include "core/domain/model.h"
#include "core/domain/ticket/ticket.h"
#include "core/log/envelope_codec.h"
#include "core/values/serial.h"
#include "migrator/legacy_contacts.h"
#include "migrator/sealed_transcript.h"

namespace ledgerdesk::migrator {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kRejected = "rejected";
constexpr std::string_view kNoContractMoved = "no_contract_moved";

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs fn(0..n-1) on up to `threads` threads (the calling one included).
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn&& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  const size_t extra = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads))) - (n > 0);
  std::vector<std::thread> pool;
  pool.reserve(extra);
  for (size_t k = 0; k < extra; ++k) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// A domain refusal is the row's fate (quarantined as rejected); anything else stops the run.
bool IsRefusal(const Status& status) {
  switch (status.code()) {
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

// Event ids of the commands a legacy row decides: LegacyEventId("events/<table>", id, n).
domain::CommandContext WithLegacyIds(const domain::CommandContext& context, std::string_view table,
                                     int64_t row_id) {
  domain::CommandContext derived = context;
  derived.new_id = [table = "events/" + std::string(table), row_id, n = 0]() mutable {
    return LegacyEventId(table, row_id, n++);
  };
  return derived;
}

std::string Sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

class Loader {
 public:
  Loader(LegacySource& source, const MigrateTargets& targets, const MigrateOptions& options,
         MigrateStats& stats, MigrationReport& report)
      : source_(source),
        targets_(targets),
        options_(options),
        stats_(stats),
        report_(report),
        contacts_(targets.email_index_key) {
    threads_ = options.threads > 0
                   ? options.threads
                   : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }

  ~Loader() {
    if (pending_thread_.joinable()) pending_thread_.join();
  }

  Status Run() {
    Progress("customers");
    LD_RETURN_IF_ERROR(source_.ForEachCustomer([&](const LegacyCustomer& row) {
      customers_.emplace(row.id, TransformCustomer(row));
      return OkStatus();
    }));
    Progress("contracts");
    LD_RETURN_IF_ERROR(Contracts());
    LD_ASSIGN_OR_RETURN(const int64_t users, source_.CountRows(kUsers));
    report_.Read(kUsers, users);
    report_.Dropped(kUsers, reason::kNotMigrated, users);
    LD_ASSIGN_OR_RETURN(progress_.tickets_total, source_.CountRows(kTickets));
    Progress("tickets");
    LD_RETURN_IF_ERROR(Tickets());
    Progress("done");
    return OkStatus();
  }

 private:
  void Progress(std::string stage) {
    progress_.stage = std::move(stage);
    progress_.pdfs = stats_.pdfs_rendered;
    if (options_.on_progress) options_.on_progress(progress_);
  }

  // Blob store or, on a dry run, just the digest.
  Result<blobs::BlobRef> Store(std::string_view bytes) {
    if (targets_.blobs == nullptr) return blobs::BlobRef{Sha256(bytes), bytes.size()};
    LD_ASSIGN_OR_RETURN(auto ref, targets_.blobs->Put(bytes));
    std::lock_guard lock(mutex_);
    ++stats_.blobs_stored;
    return ref;
  }

  // Executes a command; a refusal comes back as its status in `refused`, other errors fail.
  Status Execute(const app::Decision& decide, std::optional<Status>& refused) {
    auto outcome = targets_.writes.Execute(domain::ActorOf(v1::ROLE_OPERATOR), decide);
    if (!outcome.ok()) {
      if (!IsRefusal(outcome.status())) return outcome.status();
      refused = outcome.status();
      return OkStatus();
    }
    std::lock_guard lock(mutex_);
    stats_.events_appended += static_cast<int64_t>(outcome->positions.size());
    return OkStatus();
  }

  // ---- contracts ----------------------------------------------------------------------------

  struct ContractRun {
    LegacyContract row;
    Outcome<MovedContract> outcome;
    std::optional<Status> refused;
    // Moved by an earlier run: the serials it moved with (a migration never changes a moved
    // contract, so an item fixed in the old database since then is not on it).
    std::optional<std::set<std::string>> moved_before;
  };

  Status Contracts() {
    std::unordered_map<int64_t, std::vector<LegacyContractItem>> items;
    LD_RETURN_IF_ERROR(source_.ForEachContractItem([&](const LegacyContractItem& item) {
      items[item.contract_id].push_back(item);
      return OkStatus();
    }));
    std::vector<LegacyContract> rows;
    LD_RETURN_IF_ERROR(source_.ForEachContract([&](const LegacyContract& row) {
      rows.push_back(row);
      return OkStatus();
    }));
    static const std::vector<LegacyContractItem> kNone;
    auto items_of = [&](int64_t id) -> const std::vector<LegacyContractItem>& {
      auto it = items.find(id);
      return it == items.end() ? kNone : it->second;
    };
    auto customer_of = [&](int64_t id) -> const Outcome<MovedCustomer>* {
      auto it = customers_.find(id);
      return it == customers_.end() ? nullptr : &it->second;
    };

    // Serials on two contracts that move.
    DuplicateSerials duplicates;
    for (const LegacyContract& row : rows) {
      const auto* customer = customer_of(row.customer_id);
      if (customer == nullptr || !customer->moved() || !ContractIsActive(row, options_.as_of)) {
        continue;
      }
      auto number = values::ContractNumber::FromLegacy(row.number);
      if (!number.ok()) continue;
      for (const auto& item : items_of(row.id)) {
        duplicates.Add(item, number->value(), customer->value().nip.value());
      }
    }
    const std::vector<ReportEntry> duplicate_entries = duplicates.Entries();
    std::set<int64_t> quarantined_items;
    for (const auto& e : duplicate_entries) quarantined_items.insert(e.id);

    std::vector<ContractRun> runs;
    runs.reserve(rows.size());
    for (const LegacyContract& row : rows) {
      runs.push_back({row,
                      TransformContract(row, customer_of(row.customer_id), items_of(row.id),
                                        options_.as_of, quarantined_items),
                      std::nullopt});
    }

    // The first moving contract of each organization goes alone (it registers the organization),
    // then the rest: each phase's commands touch distinct streams, and which contract registers an
    // organization (whose event id derives from it) is the same in every run.
    // A number that two rows carry goes to the lower id: the others go last, one at a time, and
    // are refused the same way in every run (in parallel, which row took it was a race).
    std::vector<ContractRun*> first, rest, taken;
    std::set<std::string> organizations, numbers;
    for (ContractRun& run : runs) {
      if (!run.outcome.moved()) continue;
      const domain::RegisterContract& command = run.outcome.value().command;
      if (!numbers.insert(command.number.value()).second) {
        taken.push_back(&run);
        continue;
      }
      (organizations.insert(command.nip.value()).second ? first : rest).push_back(&run);
    }
    for (auto* phase : {&first, &rest, &taken}) {
      Status failed;
      std::mutex failed_mutex;
      const int threads = phase == &taken ? 1 : options_.concurrent_commands;
      ParallelFor(phase->size(), threads, [&](size_t i) {
        ContractRun& run = *(*phase)[i];
        const domain::RegisterContract& command = run.outcome.value().command;
        const int64_t id = run.row.id;
        Status status = Execute(
            [&](const domain::Model& model,
                const domain::CommandContext& context) -> Result<std::vector<v1::Envelope>> {
              const domain::ContractState* existing = model.FindContract(command.number.value());
              if (existing != nullptr && existing->legacy_contract_id == id) {
                run.moved_before.emplace();
                for (const auto& item : existing->terms.items()) {
                  run.moved_before->insert(item.serial());
                }
                return std::vector<v1::Envelope>{};  // moved by an earlier run
              }
              return domain::Decide(model, command, WithLegacyIds(context, kContracts, id));
            },
            run.refused);
        if (!status.ok()) {
          std::lock_guard lock(failed_mutex);
          if (failed.ok()) failed = status.WithContext("contract " + std::to_string(id));
        }
      });
      LD_RETURN_IF_ERROR(failed);
    }

    // The report, in id order: contracts, their items, then the customers.
    std::set<int64_t> customers_with_contract;
    for (ContractRun& run : runs) {
      const bool moved = run.outcome.moved() && !run.refused;
      if (run.refused) {
        report_.Read(kContracts);
        report_.Quarantine(kContracts, run.row.id, kRejected, run.refused->message());
        report_.Warn(run.outcome.warnings);
      } else {
        report_.Record(kContracts, run.row.id, run.outcome);
      }
      if (moved) {
        customers_with_contract.insert(run.row.customer_id);
        fates_[run.row.id] = run.outcome.value().fate;
      } else {
        ContractFate fate;
        fate.kind = run.outcome.quarantined() || run.refused ? ContractFate::Kind::kQuarantined
                                                             : ContractFate::Kind::kDropped;
        fates_[run.row.id] = std::move(fate);
      }
      for (const auto& item : items_of(run.row.id)) {
        if (quarantined_items.contains(item.id)) continue;  // below, with their entries
        report_.Read(kItems);
        auto serial = values::Serial::Parse(item.serial);
        if (moved && run.moved_before && serial.ok() &&
            !run.moved_before->contains(serial->value())) {
          report_.Quarantine(kItems, item.id, reason::kContractMovedWithout,
                             "contract " + run.outcome.value().command.number.value() +
                                 " moved in an earlier run without it; a migration does not "
                                 "change a moved contract: register the device by hand");
        } else if (moved) {
          report_.Moved(kItems);
        } else if (fates_[run.row.id].kind == ContractFate::Kind::kQuarantined) {
          report_.Quarantine(kItems, item.id, reason::kContractQuarantined,
                             "contract " + std::to_string(run.row.id));
        } else {
          report_.Dropped(kItems, reason::kParentNotMoved);
        }
      }
    }
    for (const ReportEntry& e : duplicate_entries) {
      report_.Read(kItems);
      report_.Quarantine(kItems, e.id, e.reason, e.detail);
    }
    // Items whose contract row does not exist.
    std::set<int64_t> contract_ids;
    for (const auto& row : rows) contract_ids.insert(row.id);
    for (const auto& [contract_id, list] : items) {
      if (contract_ids.contains(contract_id)) continue;
      report_.Read(kItems, static_cast<int64_t>(list.size()));
      report_.Dropped(kItems, reason::kParentNotMoved, static_cast<int64_t>(list.size()));
    }
    for (const auto& [id, outcome] : customers_) {
      if (outcome.moved() && !customers_with_contract.contains(id)) {
        report_.Read(kCustomers);
        report_.Dropped(kCustomers, kNoContractMoved);
        report_.Warn(outcome.warnings);
      } else {
        report_.Record(kCustomers, id, outcome);
      }
    }
    return OkStatus();
  }

  // ---- tickets ------------------------------------------------------------------------------

  // The people of a moved ticket as data subjects: legacy contacts, or "" where the legacy row
  // named no valid address (their text is sealed with the organization's key).
  struct Subjects {
    std::string opener;
    std::vector<std::string> messages;     // one per transcript message
    std::vector<std::string> cc;           // one per cc address
    std::vector<std::string> attachments;  // one per attachment: its message's author
  };

  struct TicketRun {
    LegacyTicket row;
    Outcome<TicketImport> outcome;
    bool load = false;  // moved and not (completely) in the log yet
    Subjects subjects;
    std::string pdf;
    std::string source;                       // the transcript's sealed source
    std::vector<domain::ImportedFile> files;  // the attachments, stored
    std::optional<Status> refused;
    // Its dialog rows that move with it: counted as moved once the ticket is in the log, as
    // dropped if the import refused it.
    int64_t messages = 0, attachments = 0, cc = 0;
  };

  Status Tickets() {
    std::vector<LegacyTicket> window;
    int64_t after = std::numeric_limits<int64_t>::min();
    LD_RETURN_IF_ERROR(source_.ForEachTicket([&](const LegacyTicket& row) {
      window.push_back(row);
      if (static_cast<int>(window.size()) < std::max(1, options_.tickets_per_window)) {
        return OkStatus();
      }
      const int64_t last = window.back().id;
      LD_RETURN_IF_ERROR(Window(window, after, last));
      after = last;
      window.clear();
      return OkStatus();
    }));
    // The last window also takes dialog rows of tickets past the last one (orphans).
    LD_RETURN_IF_ERROR(Window(window, after, std::numeric_limits<int64_t>::max()));
    return FinishPending();
  }

  Status Window(const std::vector<LegacyTicket>& rows, int64_t after, int64_t last) {
    const auto read_start = Clock::now();
    static const ContractFate kUnknownContract;
    std::vector<TicketRun> runs;
    runs.reserve(rows.size());
    std::unordered_map<int64_t, TicketRun*> moved;
    for (const LegacyTicket& row : rows) {
      auto fate = fates_.find(row.contract_id);
      runs.push_back(
          {.row = row,
           .outcome = TransformTicket(row, fate == fates_.end() ? kUnknownContract : fate->second,
                                      options_.encoding)});
    }
    for (TicketRun& run : runs) {
      if (run.outcome.moved()) moved[run.row.id] = &run;
    }
    auto moved_ticket = [&](int64_t ticket_id) -> TicketRun* {
      auto it = moved.find(ticket_id);
      return it == moved.end() ? nullptr : it->second;
    };

    // The dialog: attachments by message, then messages, then CC.
    std::unordered_map<int64_t, std::vector<LegacyAttachment>> attachments;
    LD_RETURN_IF_ERROR(
        source_.ForEachAttachmentInTicketRange(after, last, [&](const LegacyAttachment& a) {
          attachments[a.message_id].push_back(a);
          return OkStatus();
        }));
    static const std::vector<LegacyAttachment> kNoAttachments;
    LD_RETURN_IF_ERROR(
        source_.ForEachMessageInTicketRange(after, last, [&](const LegacyMessage& message) {
          auto it = attachments.find(message.id);
          const auto& own = it == attachments.end() ? kNoAttachments : it->second;
          report_.Read(kMessages);
          report_.Read(kAttachments, static_cast<int64_t>(own.size()));
          if (TicketRun* ticket = moved_ticket(message.ticket_id)) {
            report_.Warn(AddMessage(ticket->outcome.value(), message, own, options_.encoding));
            ++ticket->messages;
            ticket->attachments += static_cast<int64_t>(own.size());
          } else {
            report_.Dropped(kMessages, reason::kParentNotMoved);
            if (!own.empty()) {
              report_.Dropped(kAttachments, reason::kParentNotMoved,
                              static_cast<int64_t>(own.size()));
            }
          }
          return OkStatus();
        }));
    LD_RETURN_IF_ERROR(source_.ForEachCcInTicketRange(after, last, [&](const LegacyCc& cc) {
      report_.Read(kCc);
      TicketRun* ticket = moved_ticket(cc.ticket_id);
      if (ticket == nullptr) {
        report_.Dropped(kCc, reason::kParentNotMoved);
        return OkStatus();
      }
      auto warnings = AddCcs(ticket->outcome.value(), {cc});
      if (warnings.empty()) {
        ++ticket->cc;
      } else {
        report_.Dropped(kCc, warnings.front().reason);
        report_.Warn(warnings);
      }
      return OkStatus();
    }));

    // The window's people as legacy contacts: of every moved ticket, the complete ones too (a run
    // cut short may have imported a ticket before its contacts), made known before the imports.
    LD_RETURN_IF_ERROR(ResolveContacts(runs));
    LD_RETURN_IF_ERROR(RegisterNewContacts());
    stats_.read_seconds += SecondsSince(read_start);

    // What the log lacks.
    std::vector<TicketRun*> load;
    targets_.writes.Read([&](const domain::Model& model) {
      for (auto& [id, run] : moved) {
        const TicketImport& t = run->outcome.value();
        const domain::TicketState* there = model.FindTicket(log::Hex(t.ticket_id));
        bool complete = there != nullptr && there->legacy_ticket_id == t.legacy_ticket_id &&
                        there->attachment_ids.contains(log::Hex(t.transcript_attachment_id));
        for (const auto& a : t.attachments) {
          complete = complete && there->attachment_ids.contains(log::Hex(a.attachment_id));
        }
        run->load = !complete;
        if (run->load) load.push_back(run);
      }
    });
    std::sort(load.begin(), load.end(),
              [](const TicketRun* a, const TicketRun* b) { return a->row.id < b->row.id; });
    stats_.tickets_skipped += static_cast<int64_t>(moved.size() - load.size());

    // Transcripts and their sealed sources, in parallel.
    const auto render_start = Clock::now();
    std::vector<Status> rendered(load.size());
    ParallelFor(load.size(), threads_, [&](size_t i) {
      TicketRun& run = *load[i];
      const TicketImport& t = run.outcome.value();
      auto pdf = targets_.renderer.Render(t.transcript);
      auto source = pdf.ok()
                        ? SealTranscript(t.transcript, TranscriptSubjectsOf(run), targets_.sealer)
                        : Result<std::string>(pdf.status());
      if (!source.ok()) {
        rendered[i] =
            source.status().WithContext("transcript of ticket " + std::to_string(run.row.id));
        return;
      }
      run.pdf = std::move(*pdf);
      run.source = std::move(*source);
    });
    for (const Status& s : rendered) LD_RETURN_IF_ERROR(s);
    stats_.pdfs_rendered += static_cast<int64_t>(load.size());
    stats_.render_seconds += SecondsSince(render_start);

    const auto import_start = Clock::now();
    // Attachment bytes: read one at a time (the source is single-threaded), stored in batches.
    for (TicketRun* run : load) {
      const TicketImport& t = run->outcome.value();
      for (size_t k = 0; k < t.attachments.size(); ++k) {
        const AttachmentImport& a = t.attachments[k];
        LD_ASSIGN_OR_RETURN(std::string bytes, source_.AttachmentContent(a.legacy_attachment_id));
        LD_ASSIGN_OR_RETURN(blobs::BlobRef ref, Store(bytes));
        run->files.push_back({.attachment_id = log::Hex(a.attachment_id),
                              .sha256 = ref.sha256,
                              .size = ref.size,
                              .file_name = a.file_name,
                              .content_type = a.content_type,
                              .subject_id = run->subjects.attachments[k]});
      }
    }

    // The window's imports run in the background while the next window is read and rendered;
    // its tickets enter the report when it is done (at the same point of every run, so the
    // report's order does not depend on timing).
    stats_.import_seconds += SecondsSince(import_start);
    LD_RETURN_IF_ERROR(FinishPending());
    pending_ = std::make_unique<PendingWindow>();
    pending_->runs = std::move(runs);
    pending_->load = std::move(load);
    pending_thread_ = std::thread([this, work = pending_.get()] {
      const auto start = Clock::now();
      Status failed;
      std::mutex failed_mutex;
      ParallelFor(work->load.size(), options_.concurrent_commands, [&](size_t i) {
        TicketRun& run = *work->load[i];
        Status status = Import(run);
        if (!status.ok()) {
          std::lock_guard lock(failed_mutex);
          if (failed.ok()) failed = status.WithContext("ticket " + std::to_string(run.row.id));
        }
      });
      work->status = failed;
      work->seconds = SecondsSince(start);
    });
    return OkStatus();
  }

  struct PendingWindow {
    std::vector<TicketRun> runs;
    std::vector<TicketRun*> load;
    Status status;
    double seconds = 0;
  };

  // Waits for the window importing in the background and records its tickets.
  Status FinishPending() {
    if (!pending_) return OkStatus();
    pending_thread_.join();
    std::unique_ptr<PendingWindow> work = std::move(pending_);
    LD_RETURN_IF_ERROR(work->status);
    stats_.import_seconds += work->seconds;
    for (TicketRun& run : work->runs) {
      const std::pair<std::string_view, int64_t> dialog[] = {
          {kMessages, run.messages}, {kAttachments, run.attachments}, {kCc, run.cc}};
      for (const auto& [table, rows] : dialog) {
        if (rows == 0) continue;
        if (run.refused) {
          report_.Dropped(table, reason::kParentNotMoved, rows);
        } else {
          report_.Moved(table, rows);
        }
      }
      if (run.refused) {
        report_.Read(kTickets);
        report_.Quarantine(kTickets, run.row.id, kRejected, run.refused->message());
        report_.Warn(run.outcome.warnings);
      } else {
        report_.Record(kTickets, run.row.id, run.outcome);
      }
    }
    progress_.tickets_done += static_cast<int64_t>(work->runs.size());
    Progress("tickets");
    return OkStatus();
  }

  // Resolves the people of the moved tickets among `runs` to legacy contacts (Subjects).
  Status ResolveContacts(std::vector<TicketRun>& runs) {
    Status failed;
    targets_.writes.Read([&](const domain::Model& model) {
      for (TicketRun& run : runs) {
        if (!run.outcome.moved()) continue;
        const TicketImport& t = run.outcome.value();
        int ordinal = 0;  // the person's place in the ticket: opener, authors, CC
        auto subject = [&](const std::optional<values::Email>& email, bool next = true) {
          const int k = next ? ordinal++ : ordinal;
          if (!email || !failed.ok()) return std::string();
          auto id = contacts_.SubjectOf(*email, t.legacy_ticket_id, k, model);
          if (!id.ok()) failed = id.status();
          return id.ok() ? *id : std::string();
        };
        Subjects& s = run.subjects;
        s.opener = subject(t.opened_by);
        for (const auto& author : t.message_authors) s.messages.push_back(subject(author));
        for (const auto& cc : t.cc) s.cc.push_back(subject(cc));
        // An attachment's author is one of the authors above: known by now.
        for (const auto& a : t.attachments) s.attachments.push_back(subject(a.author, false));
      }
    });
    return failed;
  }

  // Appends a SubjectKeyCreated for each contact the log did not know.
  Status RegisterNewContacts() {
    const std::vector<LegacyContacts::NewContact> contacts = contacts_.TakeNew();
    Status failed;
    std::mutex failed_mutex;
    ParallelFor(contacts.size(), options_.concurrent_commands, [&](size_t i) {
      const LegacyContacts::NewContact& contact = contacts[i];
      std::optional<Status> refused;
      Status status = Execute(
          [&](const domain::Model& model, const domain::CommandContext& context) {
            domain::CommandContext derived = context;
            derived.new_id = [&contact] { return contact.event_id; };
            return domain::Decide(model, contact.command, derived, targets_.sealer);
          },
          refused);
      if (status.ok() && refused) status = *refused;  // the contact's id is wrong: a bug
      if (!status.ok()) {
        std::lock_guard lock(failed_mutex);
        if (failed.ok())
          failed = status.WithContext("legacy contact " + contact.command.contact_id);
      }
    });
    return failed;
  }

  // Whose key seals each part of the ticket's transcript: the contacts, else its organization.
  static TranscriptSubjects TranscriptSubjectsOf(const TicketRun& run) {
    const std::string& organization = run.outcome.value().organization_id;
    auto owner = [&](const std::string& s) { return s.empty() ? organization : s; };
    TranscriptSubjects subjects{.title = owner(run.subjects.opener), .messages = {}};
    for (const auto& s : run.subjects.messages) subjects.messages.push_back(owner(s));
    return subjects;
  }

  // The contacts whose data the transcript shows (title and messages), each once.
  static std::vector<std::string> TranscriptParticipants(const Subjects& subjects) {
    std::set<std::string> participants(subjects.messages.begin(), subjects.messages.end());
    participants.insert(subjects.opener);
    participants.erase("");
    return {participants.begin(), participants.end()};
  }

  Status Import(TicketRun& run) {
    const TicketImport& t = run.outcome.value();
    LD_ASSIGN_OR_RETURN(blobs::BlobRef pdf, Store(run.pdf));
    LD_ASSIGN_OR_RETURN(blobs::BlobRef source, Store(run.source));
    run.pdf.clear();
    run.pdf.shrink_to_fit();
    run.source.clear();
    run.source.shrink_to_fit();
    char number[32];
    std::snprintf(number, sizeof number, "LD-L%06lld", static_cast<long long>(t.legacy_ticket_id));
    domain::ImportTicket command{.ticket_id = log::Hex(t.ticket_id),
                                 .number = number,
                                 .legacy_ticket_id = t.legacy_ticket_id,
                                 .contract_number = t.contract_number,
                                 .serial = t.serial};
    command.title = t.title;
    command.status = t.status;
    command.priority = t.priority;
    command.partner_access = t.partner_access;
    command.opened_at = t.opened_at;
    command.cc = t.cc;
    command.opened_by = run.subjects.opener;
    command.cc_subjects = run.subjects.cc;
    command.transcript_participants = TranscriptParticipants(run.subjects);
    command.transcript_source_sha256 = source.sha256;
    command.transcript = {
        .attachment_id = log::Hex(t.transcript_attachment_id),
        .sha256 = pdf.sha256,
        .size = pdf.size,
        .file_name = "ticket-" + std::to_string(t.legacy_ticket_id) + "-dialog.pdf",
        .content_type = "application/pdf"};
    command.attachments = std::move(run.files);
    LD_RETURN_IF_ERROR(Execute(
        [&](const domain::Model& model, const domain::CommandContext& context) {
          return domain::Decide(model, command,
                                WithLegacyIds(context, kTickets, t.legacy_ticket_id),
                                targets_.sealer);
        },
        run.refused));
    // A refused ticket's transcript and source are its own (they name it): nothing else will
    // refer to them. Its attachments' bytes may be another ticket's too, and stay.
    if (run.refused && targets_.blobs != nullptr) {
      LD_RETURN_IF_ERROR(targets_.blobs->Delete(pdf.sha256));
      LD_RETURN_IF_ERROR(targets_.blobs->Delete(source.sha256));
    }
    return OkStatus();
  }

  LegacySource& source_;
  const MigrateTargets& targets_;
  const MigrateOptions& options_;
  MigrateStats& stats_;
  MigrationReport& report_;
  int threads_ = 1;
  std::mutex mutex_;  // guards stats_ from command threads
  MigrateProgress progress_;
  std::unique_ptr<PendingWindow> pending_;
  std::thread pending_thread_;
  std::map<int64_t, Outcome<MovedCustomer>> customers_;
  LegacyContacts contacts_;
  std::unordered_map<int64_t, ContractFate> fates_;
};

class EmptyReader final : public log::LogReader {
 public:
  Result<std::vector<log::LogRecord>> Read(size_t, std::chrono::milliseconds) override {
    return std::vector<log::LogRecord>{};
  }
};

class DryRunLog final : public log::EventLog {
 public:
  explicit DryRunLog(log::EventLog* base) : base_(base) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>& events) override {
    std::lock_guard lock(mutex_);
    if (!next_) {
      LD_ASSIGN_OR_RETURN(log::Position end, BaseEnd());
      next_ = end.value;
    }
    std::vector<log::Position> positions;
    positions.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) positions.push_back({(*next_)++});
    return positions;
  }
  Result<log::Position> End() override {
    std::lock_guard lock(mutex_);
    if (next_) return log::Position{*next_};
    return BaseEnd();
  }
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override {
    if (base_ == nullptr) return std::unique_ptr<log::LogReader>(std::make_unique<EmptyReader>());
    return base_->NewReader(from);
  }
  bool HasExclusiveWriter() const override { return true; }
  std::string Describe() const override {
    return "dry run over " + (base_ == nullptr ? std::string("an empty log") : base_->Describe());
  }

 private:
  Result<log::Position> BaseEnd() {
    if (base_ == nullptr) return log::Position{0};
    return base_->End();
  }

  log::EventLog* base_;
  std::mutex mutex_;
  std::optional<uint64_t> next_;
};

}  // namespace

Result<MigrationReport> Migrate(LegacySource& source, const MigrateTargets& targets,
                                const MigrateOptions& options, MigrateStats* stats) {
  const auto start = Clock::now();
  MigrateStats local;
  MigrateStats& s = stats != nullptr ? *stats : local;
  MigrationReport report(domain::FormatDate(options.as_of), options.dry_run);
  Loader loader(source, targets, options, s, report);
  LD_RETURN_IF_ERROR(loader.Run());
  s.seconds = SecondsSince(start);
  return report;
}

std::unique_ptr<log::EventLog> NewDryRunLog(log::EventLog* base) {
  return std::make_unique<DryRunLog>(base);
}

}  // namespace ledgerdesk::migrator
