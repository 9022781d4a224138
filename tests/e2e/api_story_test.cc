// End to end: the seeds' whole story over the real `ledgerdesk serve`, the engineers' and the
// administrators' endpoints, /metrics and the OpenAPI document, and a read-only replica on Kafka.

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/StringPartSource.h>

#include <limits>

#include "core/crypto/totp.h"
#include "tests/e2e/api_fixture.h"
#include "tests/e2e/kafka_dev.h"

namespace ledgerdesk {
namespace {

using testing::Reply;

const std::string kAlice =
    R"({"email":"alice@example.pl","password":"correct horse battery","name":"Alicja Żółć",)"
    R"("phone":"600100200","nip":"PL5260250274"})";
const std::string kBob =
    R"({"email":"bob@other.pl","password":"correct horse battery","name":"Bob",)"
    R"("phone":"600100300","nip":"7251801126"})";

class ApiStoryTest : public testing::ApiFixture {
 protected:
  // A multipart/form-data upload of one file part.
  Reply UploadMultipart(const std::string& path, const std::string& file_name,
                        const std::string& bytes, const std::string& token) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token);
    Poco::Net::HTMLForm form(Poco::Net::HTMLForm::ENCODING_MULTIPART);
    form.set("comment", "the log from the device");
    form.addPart("file", new Poco::Net::StringPartSource(bytes, "text/plain", file_name));
    form.prepareSubmit(request);
    form.write(session.sendRequest(request));
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::stringstream text;
    text << in.rdbuf();
    return {static_cast<int>(response.getStatus()), text.str()};
  }

  // The current TOTP code of `secret_base32`, `steps_ahead` 30-second steps from now.
  static std::string TotpNow(const std::string& secret_base32, int steps_ahead = 0) {
    auto secret = crypto::Base32Decode(secret_base32);
    EXPECT_TRUE(secret.ok());
    auto code = crypto::TotpCode(*secret, std::time(nullptr) + 30 * steps_ahead);
    EXPECT_TRUE(code.ok());
    return *code;
  }

  // How many .eml files in the mail dir are addressed to `email` (among others).
  int MailsTo(const std::string& email) {
    int count = 0;
    for (const testing::Mail& mail : testing::ReadMails(MailDir())) {
      if (mail.to.find(email) != std::string::npos) ++count;
    }
    return count;
  }
};

TEST_F(ApiStoryTest, TheSeedsStoryFromRegistrationToAReopenedTicket) {
  // Register, confirm from the mail, verify with contract + serial ((H)- prefix and all).
  std::string alice = VerifiedSession(kAlice, "K123456", "(H)-FG100");
  ASSERT_FALSE(alice.empty());

  // Two-factor on: the next login needs a code computed from the secret.
  const Reply totp = Call("POST", "/api/v1/account/totp", "", alice);
  ASSERT_EQ(totp.status, 201) << totp.body;
  const std::string secret = totp.json()->getValue<std::string>("secret");
  EXPECT_NE(totp.json()->getValue<std::string>("otpauth_uri").find("otpauth://totp/"),
            std::string::npos);
  ASSERT_EQ(
      Call("POST", "/api/v1/account/totp/confirm", R"({"code":")" + TotpNow(secret) + "\"}", alice)
          .status,
      200);
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/current", "", alice).status, 204);
  const std::string credentials =
      R"("email":"alice@example.pl","password":"correct horse battery")";
  const Reply without_code = Call("POST", "/api/v1/sessions", "{" + credentials + "}");
  EXPECT_EQ(without_code.status, 401);
  EXPECT_EQ(without_code.error_code(), "totp_required");
  // An empty code (a form's empty field) is no code either, and no wrong guess.
  const Reply empty_code =
      Call("POST", "/api/v1/sessions", "{" + credentials + R"(,"totp_code":""})");
  EXPECT_EQ(empty_code.status, 401);
  EXPECT_EQ(empty_code.error_code(), "totp_required");
  // The confirmation used this step's code; a code is accepted once, so log in with the next.
  const Reply with_code =
      Call("POST", "/api/v1/sessions",
           "{" + credentials + R"(,"totp_code":")" + TotpNow(secret, 1) + "\"}");
  ASSERT_EQ(with_code.status, 201) << with_code.body;
  alice = with_code.json()->getValue<std::string>("token");
  const Reply account = Call("GET", "/api/v1/account", "", alice);
  EXPECT_TRUE(account.json()->getValue<bool>("totp_enabled"));
  EXPECT_TRUE(account.json()->getValue<bool>("organization_admin"));  // the first verified

  // A ticket with a CC address and an attachment sent as multipart/form-data.
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"Dysk )"
                            R"(nie startuje","description":"Po aktualizacji serwer się nie )"
                            R"(uruchamia.","cc":["szef@example.pl"],"priority":"urgent"})",
                            alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  EXPECT_EQ(opened.json()->getValue<std::string>("number").rfind("LD-", 0), 0u);
  const Reply uploaded = UploadMultipart("/api/v1/tickets/" + id + "/attachments",
                                         "../boot log.txt", "kernel panic at 0x0", alice);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  EXPECT_EQ(uploaded.json()->getValue<int>("size"), 19);

  // The engineer sees it in the queue, replies and changes the status.
  const std::string engineer = StaffSession("eng@ledgerdesk.pl", engineer_token_);
  const Reply queue = Call(
      "GET",
      "/api/v1/queue?min_position=" + std::to_string(uploaded.json()->getValue<int>("position")),
      "", engineer);
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_NE(queue.body.find(id), std::string::npos);
  EXPECT_NE(queue.body.find("\"priority\":\"urgent\""), std::string::npos);
  const Reply reply = Call("POST", "/api/v1/tickets/" + id + "/messages",
                           R"({"body":"Proszę przesłać zrzut ekranu BIOS."})", engineer);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const Reply status = Call("PUT", "/api/v1/tickets/" + id + "/status",
                            R"({"status":"waiting_for_customer"})", engineer);
  ASSERT_EQ(status.status, 200) << status.body;
  const std::string after_status =
      "?min_position=" + std::to_string(status.json()->getValue<int>("position"));

  // The customer sees the dialog newest first, the attachment and two notifications.
  const Reply ticket = Call("GET", "/api/v1/tickets/" + id + after_status, "", alice);
  ASSERT_EQ(ticket.status, 200) << ticket.body;
  auto json = ticket.json();
  EXPECT_EQ(json->getValue<std::string>("status"), "waiting_for_customer");
  EXPECT_FALSE(json->get("responded_at").isEmpty());
  // The due time reads as the opening answered it, to the character.
  EXPECT_EQ(json->getValue<std::string>("response_due_at"),
            opened.json()->getValue<std::string>("response_due_at"));
  auto messages = json->getArray("messages");
  EXPECT_EQ(json->getValue<std::string>("description"),
            "Po aktualizacji serwer się nie uruchamia.");
  ASSERT_EQ(messages->size(), 1u) << ticket.body;
  EXPECT_EQ(messages->getObject(0)->getValue<std::string>("author_role"), "engineer");
  EXPECT_EQ(messages->getObject(0)->getValue<std::string>("body"),
            "Proszę przesłać zrzut ekranu BIOS.");
  auto attachments = json->getArray("attachments");
  ASSERT_EQ(attachments->size(), 1u);
  EXPECT_EQ(attachments->getObject(0)->getValue<std::string>("file_name"), "boot log.txt");
  const Reply notifications = Call("GET", "/api/v1/notifications" + after_status, "", alice);
  ASSERT_EQ(notifications.status, 200) << notifications.body;
  const auto kinds =
      Poco::JSON::Parser().parse(notifications.body).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(kinds->size(), 2u) << notifications.body;
  EXPECT_EQ(kinds->getObject(0)->getValue<std::string>("kind"), "status_changed");
  EXPECT_EQ(kinds->getObject(1)->getValue<std::string>("kind"), "engineer_reply");
  // The opener and the CC address get the mails.
  for (int attempt = 0; attempt < 50 && MailsTo("szef@example.pl") < 2; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(MailsTo("szef@example.pl"), 2);

  // Another CC, escalation, close, reopen.
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets/" + id + "/cc", R"({"email":"it@example.pl"})", alice).status,
      201);
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets/" + id + "/cc", R"({"email":"not an address"})", alice).status,
      400);
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets/" + id + "/cc", R"({"email":"IT@example.pl"})", alice).status,
      409);  // already there: it would get every mail twice
  const Reply escalated = Call("POST", "/api/v1/tickets/" + id + "/escalate",
                               R"({"reason":"Serwer produkcyjny stoi."})", alice);
  EXPECT_EQ(escalated.status, 200);
  const std::string after_escalation =
      "?min_position=" + std::to_string(escalated.json()->getValue<int>("position"));
  const Reply shown = Call("GET", "/api/v1/tickets/" + id + after_escalation, "", alice);
  EXPECT_EQ(shown.json()->getValue<std::string>("escalation_reason"), "Serwer produkcyjny stoi.");
  EXPECT_FALSE(shown.json()->isNull("escalated_at")) << shown.body;
  const Reply queued = Call("GET", "/api/v1/queue" + after_escalation, "", engineer);
  const auto listed = Poco::JSON::Parser().parse(queued.body).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(listed->size(), 1u) << queued.body;
  EXPECT_EQ(listed->getObject(0)->getValue<std::string>("escalated_at"),
            shown.json()->getValue<std::string>("escalated_at"));
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/close", "", alice).status, 200);
  const Reply reopened = Call("POST", "/api/v1/tickets/" + id + "/reopen", "", alice);
  EXPECT_EQ(reopened.status, 200);
  const Reply final_state = Call("GET",
                                 "/api/v1/tickets/" + id + "?min_position=" +
                                     std::to_string(reopened.json()->getValue<int>("position")),
                                 "", alice);
  EXPECT_EQ(final_state.json()->getValue<std::string>("status"), "open");
  EXPECT_TRUE(final_state.json()->isNull("escalated_at"));  // the close ended the escalation
  EXPECT_TRUE(final_state.json()->isNull("escalation_reason"));
  EXPECT_EQ(final_state.json()->getArray("cc")->size(), 2u);
  // Closing and reopening are status changes too: a notification each, and mails to the CCs.
  const Reply later = Call("GET",
                           "/api/v1/notifications?min_position=" +
                               std::to_string(reopened.json()->getValue<int>("position")),
                           "", alice);
  const auto all = Poco::JSON::Parser().parse(later.body).extract<Poco::JSON::Array::Ptr>();
  ASSERT_EQ(all->size(), 4u) << later.body;
  EXPECT_NE(all->getObject(0)->getValue<std::string>("text").find(": open"), std::string::npos);
  EXPECT_NE(all->getObject(1)->getValue<std::string>("text").find(": closed"), std::string::npos);
  for (int attempt = 0; attempt < 50 && MailsTo("it@example.pl") < 2; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(MailsTo("it@example.pl"), 2);
  EXPECT_EQ(MailsTo("szef@example.pl"), 4);
  // A customer cannot set statuses; engineers can't be impersonated by a guessed path.
  EXPECT_EQ(
      Call("PUT", "/api/v1/tickets/" + id + "/status", R"({"status":"resolved"})", alice).status,
      403);
}

TEST_F(ApiStoryTest, EngineersWorkTheQueueBreachesAndUnlocksCustomersDoNot) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  for (const char* path : {"/api/v1/queue", "/api/v1/sla/breaches"}) {
    EXPECT_EQ(Call("GET", path, "", alice).status, 403) << path;
  }
  const std::string alice_id =
      Call("GET", "/api/v1/account", "", alice).json()->getValue<std::string>("account_id");
  EXPECT_EQ(Call("POST", "/api/v1/accounts/" + alice_id + "/unlock", "", alice).status, 403);

  // Three failures lock Alice; the engineer unlocks her.
  for (int i = 0; i < 3; ++i) {
    Call("POST", "/api/v1/sessions",
         R"({"email":"alice@example.pl","password":"wrong password!"})");
  }
  const std::string right = R"({"email":"alice@example.pl","password":"correct horse battery"})";
  EXPECT_EQ(Call("POST", "/api/v1/sessions", right).status, 423);
  const std::string engineer = StaffSession("eng@ledgerdesk.pl", engineer_token_);
  // Staff are added without a phone: none shows, not an erased one.
  const Reply staff = Call("GET", "/api/v1/account", "", engineer);
  EXPECT_EQ(staff.json()->getValue<std::string>("phone"), "") << staff.body;
  EXPECT_EQ(Call("POST", "/api/v1/accounts/" + alice_id + "/unlock", "", engineer).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/accounts/no-such-account/unlock", "", engineer).status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/sessions", right).status, 201);

  const Reply breaches = Call("GET", "/api/v1/sla/breaches", "", engineer);
  EXPECT_EQ(breaches.status, 200) << breaches.body;
  EXPECT_EQ(breaches.body, "[]");
}

TEST_F(ApiStoryTest, TheAdministratorInvitesAColleagueWhoSetsAPasswordFromTheMail) {
  const std::string admin = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply invited =
      Call("POST", "/api/v1/organization/users",
           R"({"email":"kolega@example.pl","name":"Kolega","phone":"600100201"})", admin);
  ASSERT_EQ(invited.status, 201) << invited.body;
  const std::string token = TokenFromMail("A colleague invited you");
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(Call("POST", "/api/v1/password-resets/confirm",
                 R"({"token":")" + token + R"(","new_password":"colleague password 1"})")
                .status,
            204);
  const Reply session = Call("POST", "/api/v1/sessions",
                             R"({"email":"kolega@example.pl","password":"colleague password 1"})");
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string colleague = session.json()->getValue<std::string>("token");
  const Reply contracts = Call("GET", "/api/v1/contracts", "", colleague);
  EXPECT_NE(contracts.body.find("K123456"), std::string::npos) << contracts.body;
  const Reply members = Call("GET", "/api/v1/organization/users", "", colleague);
  ASSERT_EQ(members.status, 200) << members.body;
  EXPECT_NE(members.body.find("alice@example.pl"), std::string::npos) << members.body;
  EXPECT_NE(members.body.find("kolega@example.pl"), std::string::npos) << members.body;
  EXPECT_NE(members.body.find("\"organization_admin\":true"), std::string::npos);
  EXPECT_FALSE(
      Call("GET", "/api/v1/account", "", colleague).json()->getValue<bool>("organization_admin"));
  // Only the administrator invites.
  EXPECT_EQ(Call("POST", "/api/v1/organization/users",
                 R"({"email":"trzeci@example.pl","name":"Trzeci","phone":"600100202"})", colleague)
                .status,
            403);
}

TEST_F(ApiStoryTest, AnotherOrganizationAndUnverifiedAccountsGetNotFoundForEverything) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"A",)"
                            R"("description":"B"})",
                            alice);
  ASSERT_EQ(opened.status, 201);
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  const Reply uploaded =
      Upload("/api/v1/tickets/" + id + "/attachments?filename=a.txt", "x", alice);
  ASSERT_EQ(uploaded.status, 201);
  const std::string attachment = uploaded.json()->getValue<std::string>("attachment_id");
  const std::string sync =
      "?min_position=" + std::to_string(uploaded.json()->getValue<int>("position"));

  const std::string bob = VerifiedSession(kBob, "K654321", "FG900");
  // An unverified account of Alice's own organization.
  ASSERT_EQ(Call("POST", "/api/v1/registrations",
                 R"({"email":"nowy@example.pl","password":"correct horse battery","name":"N",)"
                 R"("phone":"600100400","nip":"5260250274"})")
                .status,
            201);
  std::string confirm;
  for (int attempt = 0; attempt < 50 && confirm.empty(); ++attempt) {
    confirm = TokenFromMailTo("nowy@example.pl");
    if (confirm.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Call("POST", "/api/v1/registrations/confirm", R"({"token":")" + confirm + "\"}").status,
            200);
  const std::string unverified =
      Call("POST", "/api/v1/sessions",
           R"({"email":"nowy@example.pl","password":"correct horse battery"})")
          .json()
          ->getValue<std::string>("token");

  for (const std::string& outsider : {bob, unverified}) {
    const std::string t = "/api/v1/tickets/" + id;
    EXPECT_EQ(Call("GET", t + sync, "", outsider).status, 404);
    EXPECT_EQ(Call("GET", t + "/attachments/" + attachment + sync, "", outsider).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/contracts/K123456", "", outsider).status, 404);
    EXPECT_EQ(Call("POST", t + "/messages", R"({"body":"hi"})", outsider).status, 404);
    EXPECT_EQ(Call("POST", t + "/cc", R"({"email":"x@example.pl"})", outsider).status, 404);
    EXPECT_EQ(Call("PUT", t + "/partner-access", R"({"granted":true})", outsider).status, 404);
    EXPECT_EQ(Call("POST", t + "/escalate", R"({"reason":"x"})", outsider).status, 404);
    EXPECT_EQ(Call("POST", t + "/close", "", outsider).status, 404);
    EXPECT_EQ(Upload(t + "/attachments?filename=b.txt", "y", outsider).status, 404);
    // Guessed ids look exactly like missing ones.
    EXPECT_EQ(Call("GET", "/api/v1/tickets/00000000000000000000000000000000", "", outsider).status,
              404);
    EXPECT_EQ(Call("GET", "/api/v1/tickets" + sync, "", outsider).body.find(id), std::string::npos);
  }
  EXPECT_EQ(Call("GET", "/api/v1/contracts", "", unverified).body, "[]");
  EXPECT_EQ(Call("GET", "/api/v1/tickets", "", unverified).body, "[]");
}

// A partner (a reseller's staff) reads a ticket only of an organization it sold to and only while
// the customer's consent stands. The contract naming the partner is added while serve runs (the
// command goes to the running writer).
TEST_F(ApiStoryTest, APartnerSeesATicketOnlyWhileItsConsentIsGranted) {
  const auto sold = testing::RunProcess(
      {LD_PROGRAM,   "contracts",      "add",        "--data-dir", data_,        "--nip",
       "5260250274", "--number",       "K111111",    "--package",  "AHB",        "--window",
       "24x7",       "--starts",       "2026-01-01", "--ends",     "2030-12-31", "--item",
       "FG200",      "--partner-name", "Reseller"});
  ASSERT_EQ(sold.exit_code, 0) << sold.err;
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const std::string bob = VerifiedSession(kBob, "K654321", "FG900");
  auto open = [&](const std::string& token, const std::string& contract, const std::string& serial,
                  bool consent) {
    const Reply opened = Call("POST", "/api/v1/tickets",
                              R"({"contract_number":")" + contract + R"(","serial":")" + serial +
                                  R"(","title":"T","description":"D","partner_access":)" +
                                  (consent ? "true" : "false") + "}",
                              token);
    EXPECT_EQ(opened.status, 201) << opened.body;
    return std::pair{opened.json()->getValue<std::string>("ticket_id"),
                     opened.json()->getValue<uint64_t>("position")};
  };
  const auto [without_consent, p1] = open(alice, "K123456", "FG100", false);
  const auto [with_consent, p2] = open(alice, "K111111", "FG200", true);
  const auto [not_sold_by_them, p3] = open(bob, "K654321", "FG900", true);
  const std::string sync = "?min_position=" + std::to_string(std::max({p1, p2, p3}));

  const std::string partner = StaffSession("jan@reseller.pl", partner_token_);
  auto read = [&](const std::string& id, const std::string& at) {
    return Call("GET", "/api/v1/tickets/" + id + at, "", partner).status;
  };
  EXPECT_EQ(read(with_consent, sync), 200);
  EXPECT_EQ(read(without_consent, sync), 404);
  EXPECT_EQ(read(not_sold_by_them, sync), 404);  // consent, but another reseller's customer
  // Partners read; they do not write, and an upload of theirs leaves no byte behind.
  EXPECT_EQ(
      Call("POST", "/api/v1/tickets/" + with_consent + "/messages", R"({"body":"x"})", partner)
          .status,
      403);
  auto blob_files = [&] {
    size_t files = 0;
    const auto blobs = std::filesystem::path(data_) / "blobs";
    if (!std::filesystem::exists(blobs)) return files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(blobs)) {
      files += entry.is_regular_file();
    }
    return files;
  };
  const size_t blobs_before = blob_files();
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + with_consent + "/attachments?filename=p.txt",
                 "partner bytes 5813", partner, "text/plain")
                .status,
            403);
  EXPECT_EQ(blob_files(), blobs_before);
  {  // the scheme's name in any case (RFC 9110 §11.1)
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest request("GET", "/api/v1/tickets/" + with_consent,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "bearer " + partner);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response).ignore(std::numeric_limits<std::streamsize>::max());
    EXPECT_EQ(response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
  }
  // Only the customer gives or withdraws the consent.
  EXPECT_EQ(Call("PUT", "/api/v1/tickets/" + with_consent + "/partner-access",
                 R"({"granted":false})", partner)
                .status,
            403);
  const Reply withdrawn = Call("PUT", "/api/v1/tickets/" + with_consent + "/partner-access",
                               R"({"granted":false})", alice);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  const Reply granted = Call("PUT", "/api/v1/tickets/" + without_consent + "/partner-access",
                             R"({"granted":true})", alice);
  ASSERT_EQ(granted.status, 200) << granted.body;
  const std::string later =
      "?min_position=" + std::to_string(granted.json()->getValue<uint64_t>("position"));
  EXPECT_EQ(read(with_consent, later), 404);
  EXPECT_EQ(read(without_consent, later), 200);
  EXPECT_EQ(
      Call("PUT", "/api/v1/tickets/" + with_consent + "/partner-access", R"({"granted":1})", alice)
          .status,
      400);
}

// Writes with an Idempotency-Key: a retry with the same key and body gets the first answer and
// appends nothing; the same key with another body is a conflict.
TEST_F(ApiStoryTest, ARetriedWriteWithItsKeyGetsTheFirstAnswerAndAppendsNothing) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const std::string open_body = R"({"contract_number":"K123456","serial":"FG100","title":"A",)"
                                R"("description":"B"})";
  const Reply opened = Call("POST", "/api/v1/tickets", open_body, alice, "open-1");
  ASSERT_EQ(opened.status, 201) << opened.body;
  EXPECT_EQ(Call("POST", "/api/v1/tickets", open_body, alice, "open-1").body, opened.body);
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  const std::string messages = "/api/v1/tickets/" + id + "/messages";

  const Reply posted = Call("POST", messages, R"({"body":"raz"})", alice, "msg-1");
  ASSERT_EQ(posted.status, 201) << posted.body;
  const Reply again = Call("POST", messages, R"({"body":"raz"})", alice, "msg-1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, posted.body);
  const Reply other = Call("POST", messages, R"({"body":"dwa"})", alice, "msg-1");
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.error_code(), "idempotency_key_reused");

  // A write that cannot simply happen twice: closing. Its retry answers as the first time.
  const Reply closed = Call("POST", "/api/v1/tickets/" + id + "/close", "", alice, "close-1");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/close", "", alice, "close-1").body,
            closed.body);
  EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/close", "", alice).status, 409);  // no key

  const Reply ticket = Call("GET",
                            "/api/v1/tickets/" + id + "?min_position=" +
                                std::to_string(closed.json()->getValue<uint64_t>("position")),
                            "", alice);
  EXPECT_EQ(ticket.json()->getArray("messages")->size(), 1u) << ticket.body;
  const Reply tickets = Call("GET", "/api/v1/tickets", "", alice);
  EXPECT_EQ(Poco::JSON::Parser().parse(tickets.body).extract<Poco::JSON::Array::Ptr>()->size(), 1u);
}

// An Idempotency-Key names one request of one caller: another caller's request with the same key,
// or the same key on another path, is a write of its own, never answered with the first's outcome.
TEST_F(ApiStoryTest, TheSameKeyFromAnotherCallerOrOnAnotherPathIsAWriteOfItsOwn) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const std::string bob = VerifiedSession(kBob, "K654321", "FG900");
  const auto open = [&](const std::string& token, const std::string& number,
                        const std::string& serial) {
    return Call("POST", "/api/v1/tickets",
                R"({"contract_number":")" + number + R"(","serial":")" + serial +
                    R"(","title":"A","description":"B"})",
                token, "shared-key");
  };
  const Reply alices = open(alice, "K123456", "FG100");
  const Reply bobs = open(bob, "K654321", "FG900");
  ASSERT_EQ(alices.status, 201) << alices.body;
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  EXPECT_NE(bobs.json()->getValue<std::string>("ticket_id"),
            alices.json()->getValue<std::string>("ticket_id"));
  EXPECT_GT(bobs.json()->getValue<uint64_t>("position"),
            alices.json()->getValue<uint64_t>("position"));
  EXPECT_TRUE(bobs.json()->has("number")) << bobs.body;

  // Alice's second ticket, then the same key and body on both tickets' messages: two messages.
  const Reply second = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"C",)"
                            R"("description":"D"})",
                            alice);
  ASSERT_EQ(second.status, 201) << second.body;
  uint64_t last = 0;
  std::vector<std::string> ids;
  for (const Reply* ticket : {&alices, &second}) {
    ids.push_back(ticket->json()->getValue<std::string>("ticket_id"));
    const Reply posted = Call("POST", "/api/v1/tickets/" + ids.back() + "/messages",
                              R"({"body":"raz"})", alice, "message-key");
    ASSERT_EQ(posted.status, 201) << posted.body;
    EXPECT_GT(posted.json()->getValue<uint64_t>("position"), last);
    last = posted.json()->getValue<uint64_t>("position");
  }
  // Bob, with Alice's message key on his own ticket: his message is written too.
  const std::string bobs_id = bobs.json()->getValue<std::string>("ticket_id");
  const Reply bobs_message = Call("POST", "/api/v1/tickets/" + bobs_id + "/messages",
                                  R"({"body":"raz"})", bob, "message-key");
  ASSERT_EQ(bobs_message.status, 201) << bobs_message.body;
  const std::string after =
      "?min_position=" + std::to_string(bobs_message.json()->getValue<uint64_t>("position"));
  for (const std::string& id : ids) {
    const Reply ticket = Call("GET", "/api/v1/tickets/" + id + after, "", alice);
    EXPECT_EQ(ticket.json()->getArray("messages")->size(), 1u) << ticket.body;
  }
  const Reply bobs_ticket = Call("GET", "/api/v1/tickets/" + bobs_id + after, "", bob);
  EXPECT_EQ(bobs_ticket.json()->getArray("messages")->size(), 1u) << bobs_ticket.body;

  // "position" is the log position of the write's last event: `events tail --from` it prints
  // that event first, and it is the last one there.
  const auto tail =
      testing::RunProcess({LD_PROGRAM, "events", "tail", "--data-dir", data_, "--json", "--from",
                           std::to_string(bobs_message.json()->getValue<uint64_t>("position"))});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(
      tail.out.rfind("{\"position\":" +
                         std::to_string(bobs_message.json()->getValue<uint64_t>("position")) + ",",
                     0),
      0u)
      << tail.out;
  EXPECT_EQ(std::count(tail.out.begin(), tail.out.end(), '\n'), 1) << tail.out;
  EXPECT_NE(tail.out.find("MessagePosted"), std::string::npos) << tail.out;

  // Before a session the key has no caller to belong to: another body with it is refused, never
  // answered with the first one's account.
  const Reply carol = Call("POST", "/api/v1/registrations",
                           R"({"email":"carol@example.pl","password":"correct horse battery",)"
                           R"("name":"Carol","phone":"600100400","nip":"5260250274"})",
                           "", "register-key");
  const Reply dave = Call("POST", "/api/v1/registrations",
                          R"({"email":"dave@example.pl","password":"correct horse battery",)"
                          R"("name":"Dave","phone":"600100500","nip":"5260250274"})",
                          "", "register-key");
  ASSERT_EQ(carol.status, 201) << carol.body;
  EXPECT_EQ(dave.status, 409) << dave.body;
  EXPECT_EQ(dave.error_code(), "idempotency_key_reused");
}

// Bad input on the routes added with the route table: each a 400 naming what is wrong.
TEST_F(ApiStoryTest, BadQueriesAndBodiesOfTheNewRoutesAre400s) {
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"A",)"
                            R"("description":"B"})",
                            alice);
  ASSERT_EQ(opened.status, 201);
  const std::string t = "/api/v1/tickets/" + opened.json()->getValue<std::string>("ticket_id");
  for (const char* query : {"?min_position=abc", "?status=bogus", "?contract_number=k12"}) {
    const Reply bad = Call("GET", std::string("/api/v1/tickets") + query, "", alice);
    EXPECT_EQ(bad.status, 400) << query << " " << bad.body;
  }
  EXPECT_EQ(Call("POST", t + "/escalate", "{}", alice).status, 400);
  EXPECT_EQ(Call("PUT", t + "/partner-access", "{}", alice).status, 400);
  const std::string engineer = StaffSession("eng@ledgerdesk.pl", engineer_token_);
  const Reply status = Call("PUT", t + "/status", R"({"status":"done"})", engineer);
  EXPECT_EQ(status.status, 400);
  EXPECT_NE(status.body.find("status"), std::string::npos) << status.body;
  // A multipart/form-data body sent as it is (boundary XyZ), so that it can be malformed.
  const auto post_form = [&](const std::string& body) {
    return testing::HttpCall(port_, "POST", t + "/attachments", body, alice,
                             "multipart/form-data; boundary=XyZ");
  };
  const std::string file_part =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n";
  const Reply no_file = post_form(
      "--XyZ\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhi\r\n--XyZ--\r\n");
  EXPECT_EQ(no_file.status, 400) << no_file.body;
  EXPECT_NE(no_file.body.find("file part"), std::string::npos) << no_file.body;
  // A body cut short inside its file part (no closing boundary) stores nothing.
  for (const std::string& cut :
       {std::string("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a"),
        file_part + "\r\nthe first half of the fi"}) {
    const Reply truncated = post_form(cut);
    EXPECT_EQ(truncated.status, 400) << truncated.body;
    EXPECT_NE(truncated.body.find("multipart/form-data body is"), std::string::npos)
        << truncated.body;  // malformed, or cut short
  }
  const Reply bad_part_type =
      post_form(file_part + "Content-Type: text/html\"; x\r\n\r\nbytes\r\n--XyZ--\r\n");
  EXPECT_EQ(bad_part_type.status, 400) << bad_part_type.body;
  EXPECT_NE(bad_part_type.body.find("Content-Type must be a media type"), std::string::npos)
      << bad_part_type.body;
  const Reply whole = post_form(file_part + "\r\nall of it\r\n--XyZ--\r\n");
  ASSERT_EQ(whole.status, 201) << whole.body;
  const Reply listed = Call(
      "GET", t + "?min_position=" + std::to_string(whole.json()->getValue<uint64_t>("position")),
      "", alice);
  ASSERT_EQ(listed.json()->getArray("attachments")->size(), 1u) << listed.body;
  EXPECT_EQ(listed.json()->getArray("attachments")->getObject(0)->getValue<int>("size"), 9);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(ApiStoryTest, MetricsCountRequestsAndTheOpenApiDocumentListsTheSpec) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/tickets/abc").status, 401);
  EXPECT_EQ(Call("DELETE", "/api/v1/tickets").status, 405);
  EXPECT_EQ(Call("GET", "/no/such/thing").status, 404);
  {  // the status line carries the status's own reason phrase
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    Poco::Net::HTTPRequest request("GET", "/no/such/thing", Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    EXPECT_EQ(response.getReason(), "Not Found");
  }
  const Reply metrics = Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* expected :
       {"ledgerdesk_http_requests_total{route=\"GET /healthz\",status=\"200\"} 1",
        "ledgerdesk_http_requests_total{route=\"GET /api/v1/tickets/{id}\",status=\"401\"} 1",
        "ledgerdesk_http_requests_total{route=\"unmatched\",status=\"405\"} 1",
        "ledgerdesk_http_requests_total{route=\"unmatched\",status=\"404\"} 2",
        "ledgerdesk_http_request_duration_seconds_bucket{route=\"GET /healthz\",le=\"+Inf\"} 1",
        "# TYPE ledgerdesk_http_request_duration_seconds histogram", "ledgerdesk_log_position ",
        "ledgerdesk_projection_lag_records "}) {
    EXPECT_NE(metrics.body.find(expected), std::string::npos) << expected << "\n" << metrics.body;
  }

  const Reply openapi = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  auto paths = openapi.json()->getObject("paths");
  // Every method and path of spec/http-api.md, written out here independently of the route
  // table: a route missing from the server is missing from the document and fails this.
  const std::vector<std::pair<std::string, std::string>> spec = {
      {"post", "/api/v1/registrations"},
      {"post", "/api/v1/registrations/confirm"},
      {"post", "/api/v1/sessions"},
      {"delete", "/api/v1/sessions/current"},
      {"post", "/api/v1/account/verification"},
      {"post", "/api/v1/account/totp"},
      {"post", "/api/v1/account/totp/confirm"},
      {"put", "/api/v1/account/password"},
      {"put", "/api/v1/account/email"},
      {"post", "/api/v1/password-resets"},
      {"post", "/api/v1/password-resets/confirm"},
      {"get", "/api/v1/account"},
      {"post", "/api/v1/organization/users"},
      {"get", "/api/v1/contracts"},
      {"get", "/api/v1/contracts/{number}"},
      {"post", "/api/v1/tickets"},
      {"get", "/api/v1/tickets"},
      {"get", "/api/v1/tickets/{id}"},
      {"post", "/api/v1/tickets/{id}/messages"},
      {"post", "/api/v1/tickets/{id}/attachments"},
      {"get", "/api/v1/tickets/{id}/attachments/{attachment_id}"},
      {"post", "/api/v1/tickets/{id}/cc"},
      {"put", "/api/v1/tickets/{id}/partner-access"},
      {"post", "/api/v1/tickets/{id}/close"},
      {"post", "/api/v1/tickets/{id}/reopen"},
      {"post", "/api/v1/tickets/{id}/escalate"},
      {"get", "/api/v1/notifications"},
      {"get", "/api/v1/queue"},
      {"put", "/api/v1/tickets/{id}/status"},
      {"post", "/api/v1/accounts/{account_id}/unlock"},
      {"get", "/api/v1/sla/breaches"},
      {"get", "/healthz"},
      {"get", "/metrics"},
      {"get", "/api/v1/openapi.json"},
  };
  for (const auto& [method, path] : spec) {
    ASSERT_TRUE(paths->has(path)) << path;
    EXPECT_TRUE(paths->getObject(path)->has(method)) << method << " " << path;
  }
  EXPECT_EQ(openapi.json()->getValue<std::string>("openapi"), "3.0.3");
  // The upload documents both ways of sending a file and its ?filename=.
  const auto upload = paths->getObject("/api/v1/tickets/{id}/attachments")->getObject("post");
  const auto content = upload->getObject("requestBody")->getObject("content");
  EXPECT_TRUE(content->has("multipart/form-data"));
  EXPECT_TRUE(content->has("*/*"));
  std::string names;
  const auto parameters = upload->getArray("parameters");
  for (size_t i = 0; i < parameters->size(); ++i) {
    names += parameters->getObject(i)->getValue<std::string>("name") + " ";
  }
  EXPECT_NE(names.find("filename "), std::string::npos) << names;
}

// Several servers on one Kafka log: the writer appends, a read-only replica with its own
// projections answers reads and refuses writes naming the writer.
TEST_F(ApiStoryTest, AReadOnlyReplicaOnKafkaAnswersReadsAndSendsWritesToTheWriter) {
  testing::ChildProcess kafka({LD_PROGRAM, "kafka-dev"});
  const std::string brokers = testing::KafkaDevBrokers(kafka);
  ASSERT_FALSE(brokers.empty());
  std::string writer_dir = (dir_.path() / "writer").string();
  const std::string replica_dir = (dir_.path() / "replica").string();
  AddContracts(writer_dir, {"--log", "kafka", "--brokers", brokers});
  int writer_port = 0;
  auto writer =
      StartServe({"--data-dir", writer_dir, "--log", "kafka", "--brokers", brokers}, writer_port);
  int replica_port = 0;
  const std::string writer_url = "http://127.0.0.1:" + std::to_string(writer_port);
  auto replica = StartServe(
      {"--data-dir", replica_dir, "--log", "kafka", "--brokers", brokers, "--read-only", "--writer",
       writer_url, "--keys-dir", writer_dir + "/keys", "--blobs-dir", writer_dir + "/blobs"},
      replica_port);
  ASSERT_GT(replica_port, 0);

  // Writes at the writer; the mail dir is the writer's.
  std::swap(port_, writer_port);
  std::swap(data_, writer_dir);
  const std::string alice = VerifiedSession(kAlice, "K123456", "FG100");
  const Reply opened = Call("POST", "/api/v1/tickets",
                            R"({"contract_number":"K123456","serial":"FG100","title":"Zażółć",)"
                            R"("description":"gęślą jaźń"})",
                            alice);
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = opened.json()->getValue<std::string>("ticket_id");
  const std::string sync =
      "?min_position=" + std::to_string(opened.json()->getValue<int>("position"));
  std::swap(port_, writer_port);
  std::swap(data_, writer_dir);

  // Reads at the replica, with the writer's session, once it has followed that far.
  const Reply read = CallAt(replica_port, "GET", "/api/v1/tickets/" + id + sync, "", alice);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()->getValue<std::string>("title"), "Zażółć");
  const Reply write = CallAt(replica_port, "POST", "/api/v1/tickets/" + id + "/close", "", alice);
  EXPECT_EQ(write.status, 503);
  EXPECT_EQ(write.error_code(), "read_only_replica");
  EXPECT_NE(write.body.find(writer_url), std::string::npos) << write.body;
  EXPECT_NE(CallAt(replica_port, "GET", "/healthz").body.find("read-only replica"),
            std::string::npos);

  replica->Signal(SIGTERM);
  EXPECT_EQ(replica->Wait(), 0);
  writer->Signal(SIGTERM);
  EXPECT_EQ(writer->Wait(), 0);
}

}  // namespace
}  // namespace ledgerdesk
