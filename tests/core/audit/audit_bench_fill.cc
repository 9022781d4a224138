// Fills a data dir for measuring the audit commands (not a test):
//   audit_bench_fill DATA_DIR [EVENTS]   (default 1 000 000)
// An embedded log of EVENTS events, chained by the real writer: 200 organizations with a contract
// each, 2 000 customer accounts (e-mail userN@example.pl, sealed with per-account keys in
// DATA_DIR/keys, indexed by the data dir's e-mail index key) plus 20 engineers, and tickets of ten
// events each (opened by a customer, then messages by the opener and an engineer, sealed).
// Afterwards: `ledgerdesk projections rebuild --data-dir DATA_DIR`, then time
// `ledgerdesk audit history --data-dir DATA_DIR --subject user42@example.pl`.

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/app/index_key.h"
#include "core/app/personal_data.h"
#include "core/crypto/keyed_hash.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/embedded_log.h"
#include "core/log/envelope_codec.h"
#include "core/log/writer.h"
#include "core/values/email.h"

namespace ledgerdesk {
namespace {

constexpr int kOrganizations = 200;
constexpr int kCustomers = 2000;
constexpr int kEngineers = 20;
constexpr int kTicketEvents = 10;

int Run(const std::filesystem::path& data_dir, size_t events) {
  auto fail = [](const Status& status) {
    std::fprintf(stderr, "audit_bench_fill: %s\n", status.message().c_str());
    return 1;
  };
  auto log = log::EmbeddedLog::Open({.dir = data_dir / "log", .sync = false});
  if (!log.ok()) return fail(log.status());
  auto writer = log::Writer::Start(**log);
  if (!writer.ok()) return fail(writer.status());
  auto keys = crypto::OpenFileSubjectKeyStore(data_dir / "keys");
  if (!keys.ok()) return fail(keys.status());
  auto index_key = app::LoadOrCreateIndexKey(data_dir / "keys" / "email-index.key");
  if (!index_key.ok()) return fail(index_key.status());
  app::PersonalData personal(**keys);
  std::mt19937_64 random(42);
  const auto now = google::protobuf::util::TimeUtil::GetCurrentTime();

  std::vector<v1::Envelope> batch;
  size_t written = 0;
  auto add = [&](const std::string& stream, uint64_t version, const std::string& account) {
    v1::Envelope& event = batch.emplace_back();
    event.set_event_id(log::RandomEventId());
    event.set_stream(stream);
    event.set_stream_version(version);
    *event.mutable_occurred_at() = now;
    event.mutable_actor()->set_role(account.empty() ? v1::ROLE_OPERATOR : v1::ROLE_CUSTOMER);
    event.mutable_actor()->set_account_id(account);
    return &event;
  };
  auto flush = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    written += batch.size();
    LD_RETURN_IF_ERROR((*writer)->Append(std::move(batch)).status());
    batch.clear();
    return OkStatus();
  };
  auto seal = [&](const std::string& subject, const std::string& text) {
    return *personal.Seal(subject, text);
  };

  for (int o = 0; o < kOrganizations; ++o) {
    const std::string org = "org" + std::to_string(o);
    auto* registered = add("organization-" + org, 1, "")->mutable_organization_registered();
    registered->set_organization_id(org);
    registered->set_nip(std::to_string(1000000000 + o));
    auto* terms = add("contract-K" + std::to_string(100000 + o), 1, "")
                      ->mutable_contract_registered()
                      ->mutable_terms();
    terms->set_contract_number("K" + std::to_string(100000 + o));
    terms->set_organization_id(org);
    terms->set_nip(std::to_string(1000000000 + o));
  }
  std::vector<std::string> accounts;
  for (int a = 0; a < kCustomers + kEngineers; ++a) {
    const bool engineer = a >= kCustomers;
    const std::string account = (engineer ? "eng" : "user") + std::to_string(a);
    const auto email = values::Email::Parse(account + "@example.pl");
    auto* registered = add("account-" + account, 1, "")->mutable_account_registered();
    registered->set_account_id(account);
    *registered->mutable_email() = seal(account, email->value());
    registered->set_email_index(*crypto::EmailIndex(*index_key, *email));
    *registered->mutable_name() = seal(account, "Person " + std::to_string(a));
    registered->set_role(engineer ? v1::ROLE_ENGINEER : v1::ROLE_CUSTOMER);
    if (!engineer) {
      auto* verified = add("account-" + account, 2, account)->mutable_account_verified();
      verified->set_account_id(account);
      verified->set_organization_id("org" + std::to_string(a % kOrganizations));
    }
    accounts.push_back(account);
    if (batch.size() >= 1000) {
      if (Status status = flush(); !status.ok()) return fail(status);
    }
  }
  if (Status status = flush(); !status.ok()) return fail(status);
  for (uint64_t t = 0; written + batch.size() < events; ++t) {
    const std::string ticket = "t" + std::to_string(t);
    const std::string& opener = accounts[random() % kCustomers];
    const std::string engineer = accounts[kCustomers + random() % kEngineers];
    const std::string stream = "ticket-" + ticket;
    auto* opened = add(stream, 1, opener)->mutable_ticket_opened();
    opened->set_ticket_id(ticket);
    opened->set_organization_id("org" +
                                std::to_string(std::stoi(opener.substr(4)) % kOrganizations));
    opened->set_opened_by(opener);
    *opened->mutable_title() = seal(opener, "Ticket " + std::to_string(t));
    for (int m = 1; m < kTicketEvents && written + batch.size() < events; ++m) {
      const std::string& author = m % 2 == 1 ? engineer : opener;
      auto* posted = add(stream, m + 1, author)->mutable_message_posted();
      posted->set_ticket_id(ticket);
      posted->set_message_id(ticket + "-" + std::to_string(m));
      posted->set_author_account_id(author);
      *posted->mutable_body() = seal(author, "Message " + std::to_string(m) + " of " + ticket);
    }
    if (batch.size() >= 5000) {
      if (Status status = flush(); !status.ok()) return fail(status);
    }
  }
  if (Status status = flush(); !status.ok()) return fail(status);
  std::printf("wrote %zu events to %s\n", written, (data_dir / "log").c_str());
  return 0;
}

}  // namespace
}  // namespace ledgerdesk

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: audit_bench_fill DATA_DIR [EVENTS]\n");
    return 2;
  }
  const size_t events = argc > 2 ? std::stoull(argv[2]) : 1000000;
  return ledgerdesk::Run(argv[1], events);
}
