// migrator/sealed_transcript and transcript_redaction: a transcript's sealed source opens again,
// an erased author's parts read [erased] and nobody else's change, and a redacted PDF replaces the
// old one under its digest.

#include "migrator/sealed_transcript.h"

#include <gtest/gtest.h>

#include "core/crypto/subject_key_store.h"
#include "core/log/envelope_codec.h"
#include "migrator/transcript_redaction.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::migrator {
namespace {

pdfexport::Transcript Dialog() {
  pdfexport::Transcript t{.title = "Drukarka nie działa",
                          .legacy_ticket_id = 7,
                          .contract_number = "K123456",
                          .serial = "FG1",
                          .messages = {}};
  t.messages.push_back(
      {.author = "Jan Kowalski",
       .role = pdfexport::Role::kCustomer,
       .sent_at = std::chrono::sys_days(std::chrono::year(2018) / 3 / 1) + std::chrono::hours(8),
       .body = "Fraza-jana-5521",
       .attachment_names = {"log.txt"}});
  t.messages.push_back(
      {.author = "Serwis",
       .role = pdfexport::Role::kEngineer,
       .sent_at = std::chrono::sys_days(std::chrono::year(2018) / 3 / 1) + std::chrono::hours(9),
       .body = "Odpowiedz-serwisu-7781",
       .attachment_names = {}});
  return t;
}

const TranscriptSubjects kSubjects{.title = "contact-jan",
                                   .messages = {"contact-jan", "contact-serwis"}};

class SealedTranscriptTest : public ::testing::Test {
 protected:
  std::unique_ptr<crypto::SubjectKeyStore> keys_ = crypto::NewInMemorySubjectKeyStore();
  app::PersonalData personal_{*keys_};
};

TEST_F(SealedTranscriptTest, OpensAsItWasSealedAndHoldsNoPlaintext) {
  auto sealed = SealTranscript(Dialog(), kSubjects, personal_);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  for (const char* secret : {"Jan Kowalski", "Fraza-jana-5521", "Drukarka", "Serwis"}) {
    EXPECT_EQ(sealed->find(secret), std::string::npos) << secret;
  }
  auto opened = OpenTranscript(*sealed, personal_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const pdfexport::Transcript dialog = Dialog();
  EXPECT_EQ(opened->title, dialog.title);
  EXPECT_EQ(opened->legacy_ticket_id, 7);
  EXPECT_EQ(opened->contract_number, "K123456");
  EXPECT_EQ(opened->serial, "FG1");
  ASSERT_EQ(opened->messages.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(opened->messages[i].author, dialog.messages[i].author);
    EXPECT_EQ(opened->messages[i].body, dialog.messages[i].body);
    EXPECT_EQ(opened->messages[i].role, dialog.messages[i].role);
    EXPECT_EQ(opened->messages[i].sent_at, dialog.messages[i].sent_at);
    EXPECT_EQ(opened->messages[i].attachment_names, dialog.messages[i].attachment_names);
  }
}

TEST_F(SealedTranscriptTest, AnErasedAuthorsPartsReadErasedAndTheOthersStay) {
  auto sealed = SealTranscript(Dialog(), kSubjects, personal_);
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(keys_->Destroy("contact-jan").ok());
  auto opened = OpenTranscript(*sealed, personal_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->title, "[erased]");
  EXPECT_EQ(opened->messages[0].author, "[erased]");
  EXPECT_EQ(opened->messages[0].body, "[erased]");
  EXPECT_EQ(opened->messages[0].attachment_names, std::vector<std::string>{"log.txt"});
  EXPECT_EQ(opened->messages[1].author, "Serwis");
  EXPECT_EQ(opened->messages[1].body, "Odpowiedz-serwisu-7781");
}

TEST_F(SealedTranscriptTest, RefusesSubjectsThatDoNotMatchAndBytesThatAreNoSource) {
  EXPECT_EQ(
      SealTranscript(Dialog(), {.title = "o", .messages = {"one"}}, personal_).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenTranscript("\xff\xff garbage", personal_).status().code(), StatusCode::kDataLoss);
}

TEST_F(SealedTranscriptTest, RedactionReplacesThePdfUnderItsDigest) {
  testing::TempDir dir;
  auto blobs = blobs::BlobStore::Open(dir.path() / "blobs");
  ASSERT_TRUE(blobs.ok());
  auto renderer = pdfexport::TranscriptRenderer::Create({});
  ASSERT_TRUE(renderer.ok()) << renderer.status().ToString();
  auto pdf = (*renderer)->Render(Dialog());
  ASSERT_TRUE(pdf.ok());
  auto pdf_ref = (*blobs)->Put(*pdf);
  auto source_ref = (*blobs)->Put(*SealTranscript(Dialog(), kSubjects, personal_));
  ASSERT_TRUE(pdf_ref.ok() && source_ref.ok());

  v1::Envelope added;
  added.mutable_attachment_added()->set_ticket_id("t7");
  added.mutable_attachment_added()->set_attachment_id("pdf-7");
  added.mutable_attachment_added()->set_sha256(pdf_ref->sha256);
  added.mutable_attachment_added()->set_source_sha256(source_ref->sha256);
  added.mutable_attachment_added()->add_participant_account_ids("contact-jan");
  added.mutable_attachment_added()->add_participant_account_ids("contact-serwis");
  EXPECT_FALSE(TranscriptShowing(added, {"contact-ola"}).has_value());
  auto showing = TranscriptShowing(added, {"contact-jan"});
  ASSERT_TRUE(showing.has_value());
  EXPECT_EQ(showing->attachment_id, "pdf-7");

  ASSERT_TRUE(keys_->Destroy("contact-jan").ok());
  ASSERT_TRUE(RedactTranscripts({*showing}, **blobs, personal_, **renderer).ok());
  auto now = (*blobs)->Get(pdf_ref->sha256);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_NE(*now, *pdf);
  EXPECT_EQ(*now,
            *(*renderer)->Render(*OpenTranscript(*(*blobs)->Get(source_ref->sha256), personal_)));

  // Without its source a transcript cannot be redacted: said, not skipped.
  ASSERT_TRUE((*blobs)->Delete(source_ref->sha256).ok());
  EXPECT_EQ(RedactTranscripts({*showing}, **blobs, personal_, **renderer).code(),
            StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledgerdesk::migrator
