#include "projections/rebuild_bench.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/domain/account/account.h"
#include "core/domain/contact/legacy_contact.h"
#include "core/log/envelope_codec.h"
#include "projections/rebuild.h"

namespace ledgerdesk::projections {
namespace {

// Pre-serialized records served from memory: the benchmark measures the projections, not a log.
class VectorLog : public log::EventLog {
 public:
  explicit VectorLog(const std::vector<log::LogRecord>& records) : records_(records) {}

  Result<std::vector<log::Position>> Append(const std::vector<v1::Envelope>&) override {
    return FailedPrecondition("the benchmark log is read-only");
  }
  Result<log::Position> End() override { return log::Position{records_.size()}; }
  Result<std::unique_ptr<log::LogReader>> NewReader(log::Position from) override {
    return std::unique_ptr<log::LogReader>(std::make_unique<Reader>(records_, from.value));
  }
  bool HasExclusiveWriter() const override { return true; }
  std::string Describe() const override { return "benchmark log in memory"; }

 private:
  class Reader : public log::LogReader {
   public:
    Reader(const std::vector<log::LogRecord>& records, uint64_t next)
        : records_(records), next_(next) {}
    Result<std::vector<log::LogRecord>> Read(size_t max_records,
                                             std::chrono::milliseconds) override {
      std::vector<log::LogRecord> out;
      out.reserve(
          std::min<size_t>(max_records, records_.size() - std::min(next_, records_.size())));
      while (next_ < records_.size() && out.size() < max_records) out.push_back(records_[next_++]);
      return out;
    }

   private:
    const std::vector<log::LogRecord>& records_;
    uint64_t next_;
  };

  const std::vector<log::LogRecord>& records_;
};

// Builds the log: envelopes in order, each stream's versions counted.
class LogBuilder {
 public:
  explicit LogBuilder(size_t events) { records_.reserve(events); }

  v1::Envelope& Next(const std::string& stream, const std::string& actor, v1::Role role) {
    envelope_.Clear();
    std::string id(16, '\0');
    const uint64_t a = random_(), b = random_();
    std::memcpy(id.data(), &a, 8);
    std::memcpy(id.data() + 8, &b, 8);
    envelope_.set_event_id(id);
    envelope_.set_stream(stream);
    envelope_.set_stream_version(++versions_[stream]);
    const int64_t now = 1'795'000'000 + static_cast<int64_t>(records_.size()) * 3;
    envelope_.mutable_occurred_at()->set_seconds(now);
    envelope_.mutable_recorded_at()->set_seconds(now);
    envelope_.mutable_actor()->set_role(role);
    envelope_.mutable_actor()->set_account_id(actor);
    envelope_.set_correlation_id(id);
    envelope_.set_previous_hash(std::string(32, 'h'));
    return envelope_;
  }
  void Append() {
    log::StampEventType(envelope_);
    records_.push_back(
        {log::Position{records_.size()}, envelope_.stream(), envelope_.SerializeAsString()});
  }
  // A sealed value of `size` ciphertext bytes under `subject`'s key: random bytes, as real
  // ciphertext is (so that the store's compression meets what it meets in production).
  void Seal(v1::Sealed& sealed, const std::string& key_id, size_t size) {
    sealed.set_key_id(key_id);
    sealed.set_nonce(RandomBytes(24));
    sealed.set_ciphertext(RandomBytes(size));
  }
  std::string RandomBytes(size_t size) {
    std::string bytes(size, '\0');
    for (size_t at = 0; at < size; at += 8) {
      const uint64_t word = random_();
      std::memcpy(bytes.data() + at, &word, std::min<size_t>(8, size - at));
    }
    return bytes;
  }
  std::string Id() {
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(random_()),
                  static_cast<unsigned long long>(random_()));
    return hex;
  }
  uint64_t Random() { return random_(); }
  size_t size() const { return records_.size(); }
  std::vector<log::LogRecord> Take() { return std::move(records_); }

 private:
  std::mt19937_64 random_{20240501};
  v1::Envelope envelope_;
  std::unordered_map<std::string, uint64_t> versions_;
  std::vector<log::LogRecord> records_;
};

struct Person {
  std::string account_id;
  std::string key_id;
  std::string organization_id;
  // A colleague's address the customer puts in the CC: a contact of its own (a data subject with
  // its own key), made known by a SubjectKeyCreated with the first ticket that names it.
  std::string cc_contact_id;
  std::string cc_key_id;
};

// The process's CPU seconds in the kernel so far.
double SystemSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

std::vector<log::LogRecord> GenerateServiceDeskRecords(size_t events) {
  constexpr int kOrganizations = 200;
  constexpr int kCustomers = 2000;
  constexpr int kEngineers = 20;
  constexpr size_t kOpenTickets = 5000;
  LogBuilder log(events);
  auto full = [&] { return log.size() >= events; };

  std::vector<std::string> organizations;
  for (int o = 0; o < kOrganizations && !full(); ++o) {
    const std::string org = log.Id();
    char nip[11];
    std::snprintf(nip, sizeof nip, "%010d", 1'000'000'000 + o);
    auto& registered =
        *log.Next("organization-" + org, "", v1::ROLE_OPERATOR).mutable_organization_registered();
    registered.set_organization_id(org);
    registered.set_nip(nip);
    registered.set_name("Firma " + std::to_string(o) + " sp. z o.o.");
    log.Append();
    if (full()) break;
    char number[8];
    std::snprintf(number, sizeof number, "K%06d", 100'000 + o);
    auto& terms = *log.Next(std::string("contract-") + number, "", v1::ROLE_OPERATOR)
                       .mutable_contract_registered()
                       ->mutable_terms();
    terms.set_contract_number(number);
    terms.set_organization_id(org);
    terms.set_nip(nip);
    terms.set_package(v1::SERVICE_PACKAGE_SOS);
    terms.set_support_window(v1::SUPPORT_WINDOW_24X7);
    auto& item = *terms.add_items();
    item.set_serial("FG" + std::to_string(1'000'000'000 + o));
    log.Append();
    organizations.push_back(org);
  }
  std::vector<Person> customers, engineers;
  for (int a = 0; a < kCustomers + kEngineers && !full(); ++a) {
    const bool engineer = a >= kCustomers;
    Person person{log.Id(), log.Id(), engineer ? "" : organizations[a % organizations.size()]};
    const std::string stream = domain::AccountStream(person.account_id);
    auto& registered = *log.Next(stream, "", v1::ROLE_OPERATOR).mutable_account_registered();
    registered.set_account_id(person.account_id);
    log.Seal(*registered.mutable_email(), person.key_id, 24);
    registered.set_email_index(std::string(32, static_cast<char>(log.Random())) + log.Id());
    log.Seal(*registered.mutable_name(), person.key_id, 16);
    registered.set_password_hash(std::string(97, 'p'));
    registered.set_role(engineer ? v1::ROLE_ENGINEER : v1::ROLE_CUSTOMER);
    log.Append();
    if (!engineer && !full()) {
      auto& verified =
          *log.Next(stream, person.account_id, v1::ROLE_CUSTOMER).mutable_account_verified();
      verified.set_account_id(person.account_id);
      verified.set_organization_id(person.organization_id);
      log.Append();
    }
    (engineer ? engineers : customers).push_back(std::move(person));
  }

  // A ticket's life, one event per step.
  struct Ticket {
    std::string id;
    Person* customer;
    const Person* engineer;
    int step = 0;
  };
  std::vector<Ticket> open;
  uint64_t opened = 0;
  while (!full() && !customers.empty() && !engineers.empty()) {
    while (open.size() < kOpenTickets) {
      open.push_back({log.Id(), &customers[log.Random() % customers.size()],
                      &engineers[log.Random() % engineers.size()]});
    }
    const size_t pick = log.Random() % open.size();
    Ticket& ticket = open[pick];
    const std::string stream = "ticket-" + ticket.id;
    Person& customer = *ticket.customer;
    const Person& engineer = *ticket.engineer;
    auto post = [&](const Person& author, v1::Role role, size_t size) {
      auto& posted = *log.Next(stream, author.account_id, role).mutable_message_posted();
      posted.set_ticket_id(ticket.id);
      posted.set_message_id(log.Id());
      posted.set_author_account_id(author.account_id);
      posted.set_author_role(role);
      log.Seal(*posted.mutable_body(), author.key_id, size);
    };
    auto status = [&](v1::TicketStatus from, v1::TicketStatus to) {
      auto& changed =
          *log.Next(stream, engineer.account_id, v1::ROLE_ENGINEER).mutable_ticket_status_changed();
      changed.set_ticket_id(ticket.id);
      changed.set_from(from);
      changed.set_to(to);
      changed.set_changed_by(engineer.account_id);
    };
    switch (ticket.step++) {
      case 0: {
        auto& event =
            *log.Next(stream, customer.account_id, v1::ROLE_CUSTOMER).mutable_ticket_opened();
        char number[24];
        std::snprintf(number, sizeof number, "LD-2026-%06llu",
                      static_cast<unsigned long long>(++opened));
        event.set_ticket_id(ticket.id);
        event.set_number(number);
        event.set_organization_id(customer.organization_id);
        event.set_contract_number("K100000");
        event.set_serial("FG1000000000");
        log.Seal(*event.mutable_title(), customer.key_id, 60);
        log.Seal(*event.mutable_description(), customer.key_id, 400);
        event.set_opened_by(customer.account_id);
        const bool new_contact = customer.cc_contact_id.empty();
        if (new_contact) {
          customer.cc_contact_id =
              std::string(domain::kLegacyContactPrefix) + "cc-" + ticket.id + "-0";
          customer.cc_key_id = log.Id();
        }
        log.Seal(*event.add_cc(), customer.cc_key_id, 24);
        event.add_cc_account_ids(customer.cc_contact_id);
        event.set_priority(v1::TICKET_PRIORITY_NORMAL);
        event.mutable_response_due_at()->set_seconds(1'795'000'000 + 3600 +
                                                     static_cast<int64_t>(log.size()) * 3);
        if (new_contact && log.size() + 1 < events) {
          // The ticket's events first, as the write side appends them, then the contact's key.
          log.Append();
          auto& created = *log.Next(domain::SubjectStream(customer.cc_contact_id),
                                    customer.account_id, v1::ROLE_CUSTOMER)
                               .mutable_subject_key_created();
          created.set_subject_id(customer.cc_contact_id);
          created.set_key_id(customer.cc_key_id);
          created.set_email_index(std::string(32, static_cast<char>(log.Random())) + log.Id());
          log.Seal(*created.mutable_email(), customer.cc_key_id, 32);
        }
        break;
      }
      case 1: {
        auto& responded =
            *log.Next(stream, engineer.account_id, v1::ROLE_ENGINEER).mutable_ticket_responded();
        responded.set_ticket_id(ticket.id);
        responded.set_responded_by(engineer.account_id);
        responded.mutable_responded_at()->set_seconds(1'795'000'000 +
                                                      static_cast<int64_t>(log.size()) * 3);
        responded.set_breached(log.Random() % 10 == 0);
        break;
      }
      case 2:
      case 7:
        post(engineer, v1::ROLE_ENGINEER, 300);
        break;
      case 3:
      case 8: {
        // On the ticket's stream, as the write side appends it with the reply.
        auto& queued =
            *log.Next(stream, engineer.account_id, v1::ROLE_ENGINEER).mutable_notification_queued();
        queued.set_notification_id(log.Id());
        queued.set_account_id(customer.account_id);
        queued.set_ticket_id(ticket.id);
        queued.set_kind("engineer_reply");
        log.Seal(*queued.mutable_text(), customer.key_id, 80);
        break;
      }
      case 4:
        status(v1::TICKET_STATUS_OPEN, v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
        break;
      case 5:
        post(customer, v1::ROLE_CUSTOMER, 200);
        break;
      case 6:
        status(v1::TICKET_STATUS_WAITING_FOR_CUSTOMER, v1::TICKET_STATUS_IN_PROGRESS);
        break;
      default: {
        auto& closed =
            *log.Next(stream, customer.account_id, v1::ROLE_CUSTOMER).mutable_ticket_closed();
        closed.set_ticket_id(ticket.id);
        closed.set_closed_by(customer.account_id);
        break;
      }
    }
    log.Append();
    if (ticket.step == 10) {
      open[pick] = std::move(open.back());
      open.pop_back();
    }
  }
  return log.Take();
}

Result<RebuildBenchResult> RunRebuildBench(const std::vector<log::LogRecord>& records,
                                           const ProjectionSet& projections,
                                           const std::filesystem::path& scratch_dir) {
  VectorLog log(records);
  const auto dir = scratch_dir / "projections";
  const std::clock_t cpu_started = std::clock();
  const double system_started = SystemSeconds();
  LD_ASSIGN_OR_RETURN(RebuildResult rebuilt, Rebuild(log, projections, dir));
  const std::clock_t cpu_used = std::clock() - cpu_started;
  const double system_used = SystemSeconds() - system_started;
  RebuildBenchResult result;
  result.events = records.size();
  result.seconds = rebuilt.seconds;
  result.events_per_second = rebuilt.records_per_second;
  result.cpu_seconds = static_cast<double>(cpu_used) / CLOCKS_PER_SEC;
  result.system_seconds = system_used;
  result.fold_seconds = rebuilt.fold_seconds;
  result.write_seconds = rebuilt.write_seconds;
  result.write_outs = rebuilt.write_outs;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) result.store_bytes += entry.file_size(error);
  }
  LD_ASSIGN_OR_RETURN(auto column_families, ColumnFamiliesOf(projections));
  LD_ASSIGN_OR_RETURN(auto store,
                      Store::Open({.dir = dir, .column_families = std::move(column_families)}));
  LD_ASSIGN_OR_RETURN(result.files, store->FilesHold());
  LD_ASSIGN_OR_RETURN(result.digest, Digest(*store));
  return result;
}

}  // namespace ledgerdesk::projections
