// The write service over an in-memory log: decide, append, retry on conflict, idempotency.

#include "core/app/write_service.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "core/domain/account/account.h"
#include "core/sla/sla_calendar.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/memory_log.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::app {
namespace {

using testing::ContractOf;
using testing::CustomerOf;
using testing::Engineer;
using testing::kNipA;

class WriteServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto service =
        WriteService::Start(log_, {.clock = [] { return testing::Utc("2026-11-23T10:00:00Z"); }});
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
    auto registered = service_->Execute(operator_, [](const auto& model, const auto& context) {
      return domain::Decide(model, ContractOf(kNipA, "K111111"), context);
    });
    ASSERT_TRUE(registered.ok()) << registered.status().ToString();
    auto opened = service_->Execute(customer_, [this](const auto& model, const auto& context) {
      return domain::Decide(model,
                            domain::OpenTicket{.ticket_id = "t1",
                                               .caller = CustomerOf(kNipA),
                                               .contract_number = testing::NumberOf("K111111"),
                                               .serial = testing::SerialOf("FG100"),
                                               .title = "Broken",
                                               .description = "It is broken."},
                            context, sealer_, sla::ResponseDue);
    });
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  }

  Decision Reply(const std::string& body) {
    return [this, body](const domain::Model& model, const domain::CommandContext& context) {
      return domain::Decide(
          model,
          domain::PostMessage{
              .ticket_id = "t1", .message_id = body, .caller = CustomerOf(kNipA), .body = body},
          context, sealer_);
    };
  }

  testing::MemoryLog log_;
  testing::TransparentSealer sealer_;
  std::unique_ptr<WriteService> service_;
  v1::Actor operator_ = [] {
    v1::Actor actor;
    actor.set_role(v1::ROLE_OPERATOR);
    return actor;
  }();
  v1::Actor customer_ = [] {
    v1::Actor actor;
    actor.set_role(v1::ROLE_CUSTOMER);
    actor.set_account_id("alice");
    return actor;
  }();
};

TEST_F(WriteServiceTest, TheModelSeesACommandsEventsWhenItIsAnswered) {
  service_->Read([](const domain::Model& model) {
    ASSERT_NE(model.FindTicket("t1"), nullptr);
    EXPECT_EQ(model.StreamVersion("ticket-t1"), 1u);
  });
  auto outcome = service_->Execute(customer_, Reply("hello"));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->positions.size(), 1u);
  EXPECT_EQ(outcome->position.value, outcome->positions.back().value + 1);
  service_->Read(
      [](const domain::Model& model) { EXPECT_EQ(model.StreamVersion("ticket-t1"), 2u); });
}

TEST_F(WriteServiceTest, ConcurrentCommandsOnOneStreamAllLandByDecidingAgain) {
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto outcome =
            service_->Execute(customer_, Reply("m" + std::to_string(t) + "-" + std::to_string(i)));
        if (!outcome.ok()) {
          ++failures;
          ADD_FAILURE() << outcome.status().ToString();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  service_->Read(
      [](const domain::Model& model) { EXPECT_EQ(model.StreamVersion("ticket-t1"), 81u); });
}

TEST_F(WriteServiceTest, TicketsOpenedConcurrentlyGetDistinctNumbers) {
  constexpr int kThreads = 8;
  constexpr int kEach = 12;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::string> numbers;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "c" + std::to_string(t) + "-" + std::to_string(i);
        auto outcome = service_->Execute(customer_, [&](const auto& model, const auto& context) {
          return domain::Decide(model,
                                domain::OpenTicket{.ticket_id = id,
                                                   .caller = CustomerOf(kNipA),
                                                   .contract_number = testing::NumberOf("K111111"),
                                                   .serial = testing::SerialOf("FG100"),
                                                   .title = "Broken " + id,
                                                   .description = "It is broken."},
                                context, sealer_, sla::ResponseDue);
        });
        if (!outcome.ok()) {
          ADD_FAILURE() << outcome.status().ToString();
          continue;
        }
        service_->Read([&](const domain::Model& model) {
          std::lock_guard lock(mutex);
          numbers.push_back(model.FindTicket(id)->number);
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(numbers.size(), static_cast<size_t>(kThreads * kEach));
  const std::set<std::string> distinct(numbers.begin(), numbers.end());
  EXPECT_EQ(distinct.size(), numbers.size());
  // t1 holds LD-000001; the others took the numbers after it without a gap.
  EXPECT_EQ(*distinct.begin(), "LD-000002");
  EXPECT_EQ(*distinct.rbegin(), "LD-0000" + std::to_string(kThreads * kEach + 1));
}

TEST_F(WriteServiceTest, AnIdempotencyKeyAppendsOnce) {
  const auto before = log_.End()->value;
  auto first = service_->Execute(customer_, Reply("once"), "key-1");
  ASSERT_TRUE(first.ok());
  std::vector<std::thread> retries;
  for (int i = 0; i < 4; ++i) {
    retries.emplace_back([&] {
      auto again = service_->Execute(customer_, Reply("once"), "key-1");
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again->positions, first->positions);
    });
  }
  for (auto& thread : retries) thread.join();
  EXPECT_EQ(log_.End()->value, before + 1);
}

TEST_F(WriteServiceTest, ARefusedCommandAppendsNothing) {
  const auto before = log_.End()->value;
  auto refused = service_->Execute(customer_, [this](const auto& model, const auto& context) {
    return domain::Decide(model,
                          domain::ReopenTicket{.ticket_id = "t1", .caller = CustomerOf(kNipA)},
                          context, sealer_);
  });
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_.End()->value, before);
}

TEST_F(WriteServiceTest, ACommandThatChangesNothingAnswersTheCurrentEnd) {
  auto same = service_->Execute(operator_, [this](const auto& model, const auto& context) {
    return domain::Decide(
        model,
        domain::ChangeStatus{
            .ticket_id = "t1", .caller = Engineer(), .status = v1::TICKET_STATUS_OPEN},
        context, sealer_);
  });
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->positions.empty());
  EXPECT_EQ(same->position, *log_.End());
}

TEST_F(WriteServiceTest, ARecordedRefusalAppendsItsEventsAndThenAnswersTheRefusal) {
  auto registered = service_->Execute(customer_, [this](const auto& model, const auto& context) {
    return domain::Decide(model,
                          domain::RegisterAccount{.account_id = "a1",
                                                  .email = testing::EmailOf("jan@example.pl"),
                                                  .email_index = "index-jan",
                                                  .password_hash = "hash",
                                                  .name = "Jan",
                                                  .phone = *values::Phone::Parse("600100200"),
                                                  .nip = testing::NipOf(kNipA),
                                                  .confirmation_token = "t",
                                                  .confirmation_token_hash = "sha-t"},
                          context, sealer_);
  });
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  ASSERT_TRUE(service_
                  ->Execute(customer_,
                            [](const auto& model, const auto& context) {
                              return domain::Decide(model, domain::ConfirmEmail{"sha-t"}, context);
                            })
                  .ok());
  auto login = [](const std::string& index, bool password_matches) -> RecordingDecision {
    return [=](const domain::Model& model, const domain::CommandContext& context) {
      return domain::Decide(model,
                            domain::Login{.email_index = index,
                                          .password_matches = password_matches,
                                          .session_id = "s1",
                                          .token_hash = "sha-s1",
                                          .expires_at = context.now + std::chrono::hours(1)},
                            context);
    };
  };

  const auto before = log_.End()->value;
  auto wrong = service_->ExecuteRecorded(customer_, login("index-jan", false), "key-2");
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(log_.End()->value, before + 1);  // LoginFailed is in the log
  service_->Read([](const domain::Model& model) {
    EXPECT_EQ(model.FindAccount("a1")->consecutive_failures, 1u);
  });
  // A retry with the same key is a new attempt, recorded again.
  auto again = service_->ExecuteRecorded(customer_, login("index-jan", false), "key-2");
  EXPECT_EQ(again.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(log_.End()->value, before + 2);

  // A refusal without events appends nothing.
  auto unknown = service_->ExecuteRecorded(customer_, login("index-nobody", true));
  EXPECT_EQ(unknown.status(), wrong.status());
  EXPECT_EQ(log_.End()->value, before + 2);

  auto right = service_->ExecuteRecorded(customer_, login("index-jan", true));
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  EXPECT_EQ(right->positions.size(), 2u);  // LoginSucceeded, SessionStarted
  service_->Read([](const domain::Model& model) {
    EXPECT_NE(model.FindSession("sha-s1", testing::Utc("2026-11-23T10:00:00Z")), nullptr);
    EXPECT_EQ(model.FindAccount("a1")->consecutive_failures, 0u);
  });
}

}  // namespace
}  // namespace ledgerdesk::app
