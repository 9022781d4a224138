// Property: for random command sequences, a refused command appends nothing, and folding the log
// from scratch gives the same state as the live writer's model.

#include <gtest/gtest.h>

#include <random>

#include "core/app/write_service.h"
#include "core/log/envelope_codec.h"
#include "core/sla/sla_calendar.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/memory_log.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::app {
namespace {

using testing::CustomerOf;
using testing::Engineer;

// What the rules read of a model, in a comparable form.
std::string Describe(const domain::Model& model, const std::vector<std::string>& tickets,
                     const std::vector<std::string>& contracts) {
  std::string out;
  for (const auto& id : tickets) {
    const domain::TicketState* t = model.FindTicket(id);
    if (t == nullptr) {
      out += id + ": none\n";
      continue;
    }
    out += id + ": " + std::to_string(t->status) + " " + std::to_string(t->partner_access) + " " +
           std::to_string(t->cc.size()) + " " + std::to_string(t->responded_at.has_value()) + " " +
           std::to_string(t->attachment_ids.size()) + " v" +
           std::to_string(model.StreamVersion("ticket-" + id)) + "\n";
  }
  for (const auto& number : contracts) {
    const domain::ContractState* c = model.FindContract(number);
    out += number + ": " + (c == nullptr ? "none" : domain::FormatDate(c->terms.ends_on())) + " v" +
           std::to_string(model.StreamVersion("contract-" + number)) + "\n";
  }
  return out;
}

TEST(WriteServicePropertyTest, RefusedCommandsAppendNothingAndAReplayEqualsTheLiveModel) {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    testing::MemoryLog log;
    testing::TransparentSealer sealer;
    auto service =
        WriteService::Start(log, {.clock = [] { return testing::Utc("2026-11-23T10:00:00Z"); }});
    ASSERT_TRUE(service.ok());
    const std::vector<std::string> nips = {testing::kNipA, testing::kNipB};
    const std::vector<std::string> contracts = {"K000001", "K000002", "K000003"};
    std::vector<std::string> tickets = {"t0", "t1", "t2", "t3", "t4", "t5"};
    v1::Actor actor;
    actor.set_role(v1::ROLE_SYSTEM);
    int refused = 0;
    int done = 0;
    for (int step = 0; step < 300; ++step) {
      const auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
      const std::string ticket = tickets[pick(tickets.size())];
      const std::string nip = nips[pick(nips.size())];
      const domain::Caller customer = CustomerOf(nip, "alice-" + nip);
      const domain::Caller engineer = Engineer();
      Decision decide;
      switch (pick(9)) {
        case 0: {
          const std::string number = contracts[pick(contracts.size())];
          decide = [=](const auto& model, const auto& context) {
            return domain::Decide(
                model, testing::ContractOf(nip, number, "S" + number + "a", "S" + number + "b"),
                context);
          };
          break;
        }
        case 1: {
          const std::string number = contracts[pick(contracts.size())];
          decide = [=, &sealer](const auto& model, const auto& context) {
            return domain::Decide(
                model,
                domain::OpenTicket{.ticket_id = ticket,
                                   .caller = customer,
                                   .contract_number = testing::NumberOf(number),
                                   .serial = testing::SerialOf("S" + number + "a"),
                                   .title = "t",
                                   .description = "d"},
                context, sealer, sla::ResponseDue);
          };
          break;
        }
        case 2:
        case 3: {
          const domain::Caller author = pick(2) == 0 ? customer : engineer;
          decide = [=, &sealer](const auto& model, const auto& context) {
            return domain::Decide(model,
                                  domain::PostMessage{.ticket_id = ticket,
                                                      .message_id = "m" + std::to_string(step),
                                                      .caller = author,
                                                      .body = "b"},
                                  context, sealer);
          };
          break;
        }
        case 4:
          decide = [=, &sealer](const auto& model, const auto& context) {
            return domain::Decide(model,
                                  domain::CloseTicket{.ticket_id = ticket, .caller = customer},
                                  context, sealer);
          };
          break;
        case 5:
          decide = [=, &sealer](const auto& model, const auto& context) {
            return domain::Decide(model,
                                  domain::ReopenTicket{.ticket_id = ticket, .caller = customer},
                                  context, sealer);
          };
          break;
        case 6: {
          const auto status = static_cast<v1::TicketStatus>(1 + pick(5));
          decide = [=, &sealer](const auto& model, const auto& context) {
            return domain::Decide(
                model,
                domain::ChangeStatus{.ticket_id = ticket, .caller = engineer, .status = status},
                context, sealer);
          };
          break;
        }
        case 7: {
          const bool granted = pick(2) == 0;
          decide = [=](const auto& model, const auto& context) {
            return domain::Decide(model,
                                  domain::ChangePartnerAccess{
                                      .ticket_id = ticket, .caller = customer, .granted = granted},
                                  context);
          };
          break;
        }
        default: {
          const std::string number = contracts[pick(contracts.size())];
          decide = [=](const auto& model, const auto& context) {
            return domain::Decide(
                model,
                domain::RenewContract{.number = testing::NumberOf(number),
                                      .ends_on = domain::MakeDate(2027, 1 + step % 12, 1),
                                      .today = domain::MakeDate(2026, 11, 23)},
                context);
          };
        }
      }
      const uint64_t before = log.End()->value;
      auto outcome = (*service)->Execute(actor, decide);
      if (!outcome.ok()) {
        ++refused;
        ASSERT_EQ(log.End()->value, before)
            << "a refused command appended: " << outcome.status().ToString();
      } else {
        ++done;
      }
    }
    EXPECT_GT(refused, 10);
    EXPECT_GT(done, 50);
    // Fold the log from scratch, as a reader that was never live would.
    domain::Model replayed;
    log::StreamValidator validator;
    auto reader = log.NewReader(log::Position{0});
    ASSERT_TRUE(reader.ok());
    for (;;) {
      auto records = (*reader)->Read(1000, std::chrono::milliseconds(0));
      ASSERT_TRUE(records.ok());
      if (records->empty()) break;
      for (const auto& record : *records) {
        auto envelope = log::DecodeEnvelope(record.value);
        ASSERT_TRUE(envelope.ok());
        if (validator.Admit(*envelope) == log::Verdict::kApply) replayed.Apply(*envelope);
      }
    }
    std::string live;
    (*service)->Read(
        [&](const domain::Model& model) { live = Describe(model, tickets, contracts); });
    EXPECT_EQ(Describe(replayed, tickets, contracts), live);
  }
}

}  // namespace
}  // namespace ledgerdesk::app
