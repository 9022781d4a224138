// End to end: the portal API of the real `ledgerdesk serve` over HTTP on loopback.

#include <Poco/JSON/Object.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_fixture.h"

namespace ledgerdesk {
namespace {

using testing::Reply;
class ApiTest : public testing::ApiFixture {};

const std::string kAlice =
    R"({"email":"alice@example.pl","password":"correct horse battery","name":"Alicja Żółć",)"
    R"("phone":"600100200","nip":"PL5260250274"})";

TEST_F(ApiTest, RegisterConfirmLogInReadTheAccountLogOut) {
  const Reply registered = Call("POST", "/api/v1/registrations", kAlice);
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string account_id = registered.json()->getValue<std::string>("account_id");

  const Reply early = Call("POST", "/api/v1/sessions",
                           R"({"email":"alice@example.pl","password":"correct horse battery"})");
  EXPECT_EQ(early.status, 403) << early.body;  // not confirmed yet
  EXPECT_EQ(early.error_code(), "email_not_confirmed");

  const std::string token = TokenFromMail("within 48 hours");
  ASSERT_FALSE(token.empty()) << "no confirmation mail in " << data_ << "/mail";
  EXPECT_EQ(Call("POST", "/api/v1/registrations/confirm", R"({"token":")" + token + "\"}").status,
            200);
  EXPECT_EQ(Call("POST", "/api/v1/registrations/confirm", R"({"token":")" + token + "\"}").status,
            400);  // a token works once

  const Reply session = Call("POST", "/api/v1/sessions",
                             R"({"email":"alice@example.pl","password":"correct horse battery"})");
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string bearer = session.json()->getValue<std::string>("token");
  const Reply account = Call("GET", "/api/v1/account", "", bearer);
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(account.json()->getValue<std::string>("account_id"), account_id);
  EXPECT_EQ(account.json()->getValue<std::string>("email"), "alice@example.pl");
  EXPECT_EQ(account.json()->getValue<std::string>("name"), "Alicja Żółć");
  EXPECT_EQ(account.json()->getValue<std::string>("nip"), "5260250274");
  EXPECT_FALSE(account.json()->getValue<bool>("verified"));

  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/current", "", bearer).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", bearer).status, 401);
}

TEST_F(ApiTest, VerificationOpensTheOrganizationsContractsAndOnlyThose) {
  ASSERT_EQ(Call("POST", "/api/v1/registrations", kAlice).status, 201);
  ASSERT_EQ(Call("POST", "/api/v1/registrations/confirm",
                 R"({"token":")" + TokenFromMail("within 48 hours") + "\"}")
                .status,
            200);
  const std::string bearer =
      Call("POST", "/api/v1/sessions",
           R"({"email":"alice@example.pl","password":"correct horse battery"})")
          .json()
          ->getValue<std::string>("token");
  EXPECT_EQ(Call("GET", "/api/v1/contracts", "", bearer).body, "[]");  // not verified yet
  const Reply wrong = Call("POST", "/api/v1/account/verification",
                           R"({"contract_number":"K123456","serial":"FG900"})", bearer);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.error_code(), "verification_failed");
  const Reply verified = Call("POST", "/api/v1/account/verification",
                              R"({"contract_number":"K123456","serial":"(H)-FG100"})", bearer);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json()->getValue<std::string>("organization_nip"), "5260250274");
  EXPECT_NE(verified.body.find(R"("number":"K123456")"), std::string::npos) << verified.body;
  EXPECT_EQ(verified.body.find("K654321"), std::string::npos);
  const Reply one = Call("GET", "/api/v1/contracts/K123456?min_position=0", "", bearer);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()->getValue<std::string>("support_window"), "8x5");
  EXPECT_EQ(one.json()->getValue<std::string>("replacement"), "NBD");
  EXPECT_EQ(one.json()->getValue<std::string>("status"), "active");
  EXPECT_EQ(Call("GET", "/api/v1/contracts/K654321", "", bearer).status, 404);  // B's
  EXPECT_EQ(Call("GET", "/api/v1/contracts/K000000", "", bearer).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/contracts?min_position=x", "", bearer).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/contracts").status, 401);
}

TEST_F(ApiTest, ACustomerOpensATicketTalksClosesAndReopensItAndOthersSeeNothing) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened =
      Call("POST", "/api/v1/tickets",
           R"({"contract_number":"K123456","serial":"FG100","title":"Zapora )"
           R"(restartuje się","description":"Co noc o 02:00.","cc":["ops@example.pl"],)"
           R"("partner_access":false,"priority":"normal"})",
           alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  EXPECT_EQ(opened.json()->getValue<std::string>("number").rfind("LD-", 0), 0u);
  const auto position = opened.json()->getValue<uint64_t>("position");

  // The same request again with the same Idempotency-Key: the same ticket, nothing new.
  const std::string open_body =
      R"({"contract_number":"K123456","serial":"FG100","title":"Drugi","description":"d"})";
  const Reply keyed = Call("POST", "/api/v1/tickets", open_body, alice, "key-1");
  const Reply retried = Call("POST", "/api/v1/tickets", open_body, alice, "key-1");
  ASSERT_EQ(keyed.status, 201) << keyed.body;
  EXPECT_EQ(retried.body, keyed.body);
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets/" + id + "/messages", R"({"body":"Pierwsza wiadomość"})", alice)
          .status,
      201);
  const Reply second =
      Call("POST", "/api/v1/tickets/" + id + "/messages", R"({"body":"Druga wiadomość"})", alice);
  ASSERT_EQ(second.status, 201);
  const auto after = second.json()->getValue<uint64_t>("position");
  const Reply detail =
      Call("GET", "/api/v1/tickets/" + id + "?min_position=" + std::to_string(after), "", alice);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.json()->getValue<std::string>("title"), "Zapora restartuje się");
  auto messages = detail.json()->getArray("messages");
  ASSERT_EQ(messages->size(), 2u);
  EXPECT_EQ(messages->getObject(0)->getValue<std::string>("body"), "Druga wiadomość");  // newest
  EXPECT_EQ(detail.json()->getArray("cc")->getElement<std::string>(0), "ops@example.pl");
  const Reply list =
      Call("GET", "/api/v1/tickets?min_position=" + std::to_string(position), "", alice);
  EXPECT_NE(list.body.find(id), std::string::npos);

  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/close", "", alice).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/close", "", alice).status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/reopen", "", alice).status, 200);

  // Another organization's customer, by id guessing: 404 for reading and writing alike.
  const std::string bob = VerifiedSession(
      R"({"email":"bob@example.cz","password":"correct horse battery","name":"Bořivoj",)"
      R"("phone":"700100200","nip":"7251801126"})",
      "K654321", "FG900");
  EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id, "", bob).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/messages", R"({"body":"hi"})", bob).status,
            404);
  EXPECT_EQ(Call("GET", "/api/v1/tickets", "", bob).body, "[]");
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets",
           R"({"contract_number":"K123456","serial":"FG100","title":"x","description":"y"})", bob)
          .status,
      404);  // A's contract does not exist for B
}

TEST_F(ApiTest, AttachmentsGoUpAndComeDownOnlyForThoseWhoSeeTheTicket) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"Logi",)"
                            R"("description":"W załączniku."})",
                            alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  const std::string log_text = "2026-11-23 02:00:01 kernel: reboot\n";
  const Reply uploaded = Upload(
      "/api/v1/tickets/" + id + "/attachments?filename=..%2F..%2Fetc%2Fpasswd", log_text, alice);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string attachment = uploaded.json()->getValue<std::string>("attachment_id");
  EXPECT_EQ(uploaded.json()->getValue<uint64_t>("size"), log_text.size());
  const auto position = uploaded.json()->getValue<uint64_t>("position");

  const Reply detail =
      Call("GET", "/api/v1/tickets/" + id + "?min_position=" + std::to_string(position), "", alice);
  EXPECT_NE(detail.body.find(R"("file_name":"passwd")"), std::string::npos) << detail.body;
  std::string disposition;
  const Reply download = Call("GET", "/api/v1/tickets/" + id + "/attachments/" + attachment, "",
                              alice, "", &disposition);
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, log_text);
  EXPECT_EQ(disposition, "attachment; filename=\"passwd\"");
  // A name beyond ASCII comes back whole in filename*= (RFC 6266), and as ASCII in filename=.
  const Reply polish =
      Upload("/api/v1/tickets/" + id + "/attachments?filename=" + "za%C5%BC%C3%B3%C5%82%C4%87.txt",
             "z", alice);
  ASSERT_EQ(polish.status, 201) << polish.body;
  const Reply polish_download =
      Call("GET",
           "/api/v1/tickets/" + id + "/attachments/" +
               polish.json()->getValue<std::string>("attachment_id") +
               "?min_position=" + std::to_string(polish.json()->getValue<uint64_t>("position")),
           "", alice, "", &disposition);
  EXPECT_EQ(polish_download.status, 200) << polish_download.body;
  EXPECT_EQ(disposition,
            "attachment; filename=\"za____.txt\"; "
            "filename*=UTF-8''za%C5%BC%C3%B3%C5%82%C4%87.txt");
  // What the upload says its bytes are goes back into a header: it must be a media type.
  const Reply bad_type =
      testing::HttpCall(port_, "POST", "/api/v1/tickets/" + id + "/attachments?filename=x.txt", "x",
                        alice, "text/html\"; x", "");
  EXPECT_EQ(bad_type.status, 400) << bad_type.body;
  EXPECT_NE(bad_type.body.find("Content-Type must be a media type"), std::string::npos)
      << bad_type.body;

  const std::string bob = VerifiedSession(
      R"({"email":"bob@example.cz","password":"correct horse battery","name":"Bořivoj",)"
      R"("phone":"700100200","nip":"7251801126"})",
      "K654321", "FG900");
  EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id + "/attachments/" + attachment, "", bob).status,
            404);
  EXPECT_EQ(Upload("/api/v1/tickets/" + id + "/attachments?filename=x.txt", "x", bob).status, 404);
  const Reply huge = Upload("/api/v1/tickets/" + id + "/attachments?filename=big.bin",
                            std::string((25u << 20) + 1, 'x'), alice);
  EXPECT_EQ(huge.status, 413);
}

TEST_F(ApiTest, PasswordResetByMailAndTwoFactorSetUp) {
  ASSERT_EQ(Call("POST", "/api/v1/registrations", kAlice).status, 201);
  ASSERT_EQ(Call("POST", "/api/v1/registrations/confirm",
                 R"({"token":")" + TokenFromMail("within 48 hours") + "\"}")
                .status,
            200);
  EXPECT_EQ(Call("POST", "/api/v1/password-resets", R"({"email":"alice@example.pl"})").status, 202);
  EXPECT_EQ(Call("POST", "/api/v1/password-resets", R"({"email":"nobody@example.pl"})").status,
            202);
  const std::string token = TokenFromMail("reset the password");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Call("POST", "/api/v1/password-resets/confirm",
                 R"({"token":")" + token + R"(","new_password":"short"})")
                .status,
            400);
  EXPECT_EQ(Call("POST", "/api/v1/password-resets/confirm",
                 R"({"token":")" + token + R"(","new_password":"a fresh long password"})")
                .status,
            204);
  const Reply session = Call("POST", "/api/v1/sessions",
                             R"({"email":"alice@example.pl","password":"a fresh long password"})");
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string bearer = session.json()->getValue<std::string>("token");
  const Reply totp = Call("POST", "/api/v1/account/totp", "", bearer);
  ASSERT_EQ(totp.status, 201) << totp.body;
  EXPECT_EQ(totp.json()->getValue<std::string>("otpauth_uri").rfind("otpauth://totp/", 0), 0u);
  EXPECT_EQ(Call("POST", "/api/v1/account/totp/confirm", R"({"code":"000000"})", bearer).status,
            400);
  EXPECT_EQ(
      Call("PUT", "/api/v1/account/password",
           R"({"current_password":"a fresh long password","new_password":"yet another one!"})",
           bearer)
          .status,
      204);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", bearer).status, 401);  // sessions ended
}

TEST_F(ApiTest, UnknownEmailAndWrongPasswordGetTheSameAnswerAndThreeFailuresLock) {
  ASSERT_EQ(Call("POST", "/api/v1/registrations", kAlice).status, 201);
  ASSERT_EQ(Call("POST", "/api/v1/registrations/confirm",
                 R"({"token":")" + TokenFromMail("within 48 hours") + "\"}")
                .status,
            200);
  const Reply unknown = Call("POST", "/api/v1/sessions",
                             R"({"email":"bob@example.pl","password":"correct horse battery"})");
  const Reply wrong = Call("POST", "/api/v1/sessions",
                           R"({"email":"alice@example.pl","password":"wrong horse battery"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);
  Call("POST", "/api/v1/sessions", R"({"email":"alice@example.pl","password":"wrong again 12"})");
  Call("POST", "/api/v1/sessions", R"({"email":"alice@example.pl","password":"wrong again 13"})");
  const Reply locked = Call("POST", "/api/v1/sessions",
                            R"({"email":"alice@example.pl","password":"correct horse battery"})");
  EXPECT_EQ(locked.status, 423) << locked.body;
  EXPECT_EQ(locked.error_code(), "account_locked");
}

TEST_F(ApiTest, BadInputGetsClearErrorsAndTheServerStaysUp) {
  Reply malformed = Call("POST", "/api/v1/registrations", "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.error_code(), "invalid_argument");
  Reply missing = Call("POST", "/api/v1/registrations", R"({"email":"a@example.pl"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("password is required"), std::string::npos) << missing.body;
  Reply wrong_type = Call("POST", "/api/v1/sessions", R"({"email":5,"password":"x"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_NE(wrong_type.body.find("email must be a string"), std::string::npos);
  Reply bad_nip = Call("POST", "/api/v1/registrations",
                       R"({"email":"a@example.pl","password":"correct horse battery","name":"A",)"
                       R"("phone":"600100200","nip":"526-025-02-74"})");
  EXPECT_EQ(bad_nip.status, 400);
  EXPECT_NE(bad_nip.body.find("NIP"), std::string::npos);
  Reply huge = Call("POST", "/api/v1/registrations", std::string(200 * 1024, ' '));
  EXPECT_EQ(huge.status, 413);
  Reply deep =
      Call("POST", "/api/v1/registrations", std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/account").status, 401);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

// GET /api/v1/tickets/{id} reuses its rendered answer while the projections stand still
// (tools/http/answer_cache.h): a write shows at once, and the answer is never another caller's.
TEST_F(ApiTest, ATicketReadAgainShowsEveryWriteAndOnlyToItsReaders) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"Cache",)"
                            R"("description":"d"})",
                            alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  const std::string path = "/api/v1/tickets/" + id;
  const auto opened_at = opened.json()->getValue<uint64_t>("position");
  const Reply first = Call("GET", path + "?min_position=" + std::to_string(opened_at), "", alice);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Call("GET", path, "", alice).body, first.body);
  EXPECT_EQ(first.json()->getArray("messages")->size(), 0u);

  const Reply posted = Call("POST", path + "/messages", R"({"body":"Jeszcze jedno"})", alice);
  ASSERT_EQ(posted.status, 201) << posted.body;
  const auto posted_at = posted.json()->getValue<uint64_t>("position");
  const Reply after = Call("GET", path + "?min_position=" + std::to_string(posted_at), "", alice);
  ASSERT_EQ(after.status, 200) << after.body;
  ASSERT_EQ(after.json()->getArray("messages")->size(), 1u);
  EXPECT_EQ(Call("GET", path, "", alice).body, after.body);

  const std::string bob = VerifiedSession(
      R"({"email":"bob@example.cz","password":"correct horse battery","name":"Bořivoj",)"
      R"("phone":"700100200","nip":"7251801126"})",
      "K654321", "FG900");
  EXPECT_EQ(Call("GET", path, "", alice).status, 200);
  EXPECT_EQ(Call("GET", path, "", bob).status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/current", "", alice).status, 204);
  EXPECT_EQ(Call("GET", path, "", alice).status, 401);  // a logged-out session reads nothing
}

// kill -9 of the real serve while a client writes, three times: every acknowledged write is there
// after the restarts, the restarted runner goes on from its checkpoint, and the projections'
// digest equals the digest of a rebuild from the log.
TEST_F(ApiTest, KilledWhileAClientWritesTheProjectionsStillEqualARebuild) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // tickets answered 201, each with a message
  for (int round = 1; round <= 3; ++round) {
    std::atomic<bool> stop{false};
    std::thread client([&] {
      while (!stop) {
        try {
          const Reply opened =
              Call("POST", "/api/v1/tickets",
                   R"({"contract_number":"K123456","serial":"FG100","title":"Restart",)"
                   R"("description":"Znowu."})",
                   alice);
          if (opened.status != 201) continue;
          const std::string id = opened.json()->getValue<std::string>("ticket_id");
          if (Call("POST", "/api/v1/tickets/" + id + "/messages", R"({"body":"I znowu."})", alice)
                  .status == 201) {
            std::lock_guard lock(mutex);
            acknowledged.push_back(id);
          }
        } catch (const Poco::Exception&) {
          // The server is gone (or going): try again until told to stop.
        }
      }
    });
    for (int wait = 0; wait < 200; ++wait) {
      {
        std::lock_guard lock(mutex);
        if (acknowledged.size() >= static_cast<size_t>(round) * 8) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(37 * round));  // mid-write, somewhere
    serve_->Signal(SIGKILL);
    EXPECT_EQ(serve_->Wait(), -1);
    stop = true;
    client.join();
    ASSERT_NO_FATAL_FAILURE(RestartServe());  // the same data dir again
  }
  ASSERT_GE(acknowledged.size(), 24u);

  // The log's last event (healthz answers positions as writes do).
  const auto last = Call("GET", "/healthz").json()->getValue<uint64_t>("log_position");
  for (const std::string& id : acknowledged) {
    const Reply ticket =
        Call("GET", "/api/v1/tickets/" + id + "?min_position=" + std::to_string(last), "", alice);
    ASSERT_EQ(ticket.status, 200) << ticket.body;
    EXPECT_EQ(ticket.json()->getArray("messages")->size(), 1u) << id;
  }
  serve_->Signal(SIGTERM);
  ASSERT_EQ(serve_->Wait(), 0);
  const auto live = testing::RunProcess({LD_PROGRAM, "projections", "digest", "--data-dir", data_});
  ASSERT_EQ(live.exit_code, 0) << live.err;
  const auto rebuilt =
      testing::RunProcess({LD_PROGRAM, "projections", "rebuild", "--data-dir", data_});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  const auto digest =
      testing::RunProcess({LD_PROGRAM, "projections", "digest", "--data-dir", data_});
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  EXPECT_EQ(digest.out, live.out);
  // Nothing was written after the last restart's catch-up: the digest stands for the log up to
  // (before) the position after its last event.
  EXPECT_NE(live.out.find("at log position " + std::to_string(last + 1)), std::string::npos)
      << live.out;

  RestartServe();  // TearDown stops a running server
}

}  // namespace
}  // namespace ledgerdesk
