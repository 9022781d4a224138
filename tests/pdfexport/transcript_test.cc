#include "pdfexport/transcript.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.h"

namespace ledgerdesk::pdfexport {
namespace {

using namespace std::chrono;

system_clock::time_point Utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days(year(y) / month(m) / day(d)) + hours(h) + minutes(min);
}

bool HavePoppler() {
  return std::system("pdftotext -v >/dev/null 2>&1") == 0 &&
         std::system("pdfinfo -v >/dev/null 2>&1") == 0;
}

// Runs `command` and returns its standard output.
std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 65536> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  pclose(pipe);
  return out;
}

Transcript SampleTranscript() {
  Transcript t{.title = "Drukarka nie drukuje",
               .legacy_ticket_id = 4711,
               .contract_number = "A123456",
               .serial = "FG1234567890"};
  t.messages.push_back({.author = "Jan Kowalski",
                        .role = Role::kCustomer,
                        .sent_at = Utc(2026, 1, 15, 10),
                        .body = "first-message-phrase: the printer is broken",
                        .attachment_names = {"zdjecie.jpg", "log.txt"}});
  t.messages.push_back({.author = "Ewa Nowak",
                        .role = Role::kEngineer,
                        .sent_at = Utc(2026, 7, 1, 10),
                        .body = "second-message-phrase: please restart it"});
  return t;
}

// Renders with each font mode (subset per document, and libharu loading the whole font).
class TranscriptTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (!HavePoppler()) GTEST_SKIP() << "pdftotext/pdfinfo missing: apt-get install poppler-utils";
    if (!std::filesystem::exists(kDefaultFontPath)) {
      GTEST_SKIP() << kDefaultFontPath << " missing: apt-get install fonts-dejavu-core";
    }
    options_.subset_font = GetParam();
  }

  // Renders `t` into the temp dir; returns the file's path.
  std::string RenderToFile(const Transcript& t) {
    auto pdf = RenderTranscriptPdf(t, options_);
    EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
    if (!pdf.ok()) return "";
    const std::string path = (dir_.path() / ("t" + std::to_string(count_++) + ".pdf")).string();
    std::ofstream(path, std::ios::binary) << *pdf;
    return path;
  }
  static std::string Text(const std::string& path) {
    return RunCommand("pdftotext -layout '" + path + "' - 2>/dev/null");
  }
  static int Pages(const std::string& path) {
    const std::string info = RunCommand("pdfinfo '" + path + "' 2>/dev/null");
    const size_t at = info.find("Pages:");
    return at == std::string::npos ? -1 : std::stoi(info.substr(at + 6));
  }

  RenderOptions options_;
  testing::TempDir dir_;
  int count_ = 0;
};

INSTANTIATE_TEST_SUITE_P(FontModes, TranscriptTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Subset" : "FullFont"; });

TEST_P(TranscriptTest, HeaderAndMessagesNewestFirst) {
  const std::string path = RenderToFile(SampleTranscript());
  const std::string text = Text(path);
  EXPECT_EQ(Pages(path), 1);
  for (const char* expected : {"Drukarka nie drukuje", "4711", "A123456", "FG1234567890",
                               "Jan Kowalski (customer)", "Ewa Nowak (engineer)", "page 1 of 1"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  const size_t newest = text.find("second-message-phrase");
  const size_t oldest = text.find("first-message-phrase");
  ASSERT_NE(newest, std::string::npos);
  ASSERT_NE(oldest, std::string::npos);
  EXPECT_LT(newest, oldest);
}

TEST_P(TranscriptTest, PolishAndCzechLettersComeOutExactly) {
  Transcript t = SampleTranscript();
  t.title = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ řůčěšž ŘŮČĚŠŽ";
  t.messages[0].body = "Treść: ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ; Příliš žluťoučký kůň úpěl ďábelské ódy ŘŮČĚŠŽ";
  t.messages[0].author = "Łukasz Żółtowski";
  const std::string text = Text(RenderToFile(t));
  for (const char* expected :
       {"Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ řůčěšž ŘŮČĚŠŽ", "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ;",
        "Příliš žluťoučký kůň úpěl ďábelské ódy ŘŮČĚŠŽ", "Łukasz Żółtowski"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST_P(TranscriptTest, LocalTimeInSummerAndWinter) {
  const std::string text = Text(RenderToFile(SampleTranscript()));
  EXPECT_NE(text.find("2026-07-01 12:00 CEST"), std::string::npos) << text;
  EXPECT_NE(text.find("2026-01-15 11:00 CET"), std::string::npos) << text;
}

TEST_P(TranscriptTest, ListsAttachmentNamesUnderTheirMessage) {
  const std::string text = Text(RenderToFile(SampleTranscript()));
  const size_t body = text.find("first-message-phrase");
  const size_t first = text.find("zdjecie.jpg");
  const size_t second = text.find("log.txt");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(body, first);
  EXPECT_LT(first, second);
  EXPECT_NE(text.find("Attachments (2):"), std::string::npos);
}

TEST_P(TranscriptTest, FiveHundredMessagesPaginateNewestFirst) {
  Transcript t = SampleTranscript();
  t.messages.clear();
  for (int i = 0; i < 500; ++i) {
    char phrase[32];
    std::snprintf(phrase, sizeof phrase, "phrase-%04d-unique", i);
    t.messages.push_back({.author = i % 2 ? "Ewa Nowak" : "Jan Kowalski",
                          .role = i % 2 ? Role::kEngineer : Role::kCustomer,
                          .sent_at = Utc(2025, 1, 1, 0) + minutes(17 * i),
                          .body = std::string(phrase) + " Lorem ipsum dolor sit amet, " +
                                  "consectetur adipiscing elit.\nSecond line of the message."});
  }
  std::swap(t.messages[0], t.messages[250]);  // input order does not matter
  const std::string path = RenderToFile(t);
  const int pages = Pages(path);
  EXPECT_GT(pages, 10);
  const std::string text = Text(path);
  EXPECT_NE(text.find("page " + std::to_string(pages) + " of " + std::to_string(pages)),
            std::string::npos);
  size_t previous = 0;
  for (int i = 499; i >= 0; --i) {
    char phrase[32];
    std::snprintf(phrase, sizeof phrase, "phrase-%04d-unique", i);
    const size_t at = text.find(phrase);
    ASSERT_NE(at, std::string::npos) << phrase;
    EXPECT_GE(at, previous) << phrase << " out of order";
    previous = at;
  }
}

TEST_P(TranscriptTest, FiveThousandCharacterTokenRendersCompletely) {
  std::string token = "https://example.com/log?";
  for (int i = 0; token.size() < 5000; ++i) token += "q" + std::to_string(i);
  token.resize(5000);
  Transcript t = SampleTranscript();
  t.messages[0].body = "before " + token + " after";
  t.title = token.substr(0, 300);  // the title wraps too
  const std::string path = RenderToFile(t);
  EXPECT_GE(Pages(path), 1);
  // Joins the lines without whitespace, leaving out the page footers between them.
  std::string joined;
  std::istringstream lines(Text(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("Legacy ticket 4711 - page") != std::string::npos) continue;
    std::erase_if(line, [](char c) { return c == ' ' || c == '\f'; });
    joined += line;
  }
  EXPECT_NE(joined.find(token), std::string::npos);
}

TEST_P(TranscriptTest, InvalidBytesAndControlCharactersAreReplacedVisibly) {
  Transcript t = SampleTranscript();
  t.messages[0].body =
      "bad\xFF"
      "bytes and ctl\x01"
      "char and W\xB3odek in windows-1250";
  const std::string text = Text(RenderToFile(t));
  EXPECT_NE(text.find("bad\uFFFDbytes and ctl\uFFFDchar and W\uFFFDodek"), std::string::npos)
      << text;
}

TEST_P(TranscriptTest, CharactersTheFontLacksAreReplaced) {
  Transcript t = SampleTranscript();
  t.messages[0].body = "emoji \U0001F600 and CJK \u4E2D end";
  const std::string text = Text(RenderToFile(t));
  EXPECT_NE(text.find("emoji \uFFFD and CJK \uFFFD end"), std::string::npos) << text;
}

TEST_P(TranscriptTest, RendersFromSeveralThreadsAtOnce) {
  auto renderer = TranscriptRenderer::Create(options_);
  ASSERT_TRUE(renderer.ok()) << renderer.status().ToString();
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      Transcript t = SampleTranscript();
      t.legacy_ticket_id = 1000 + i;
      for (int k = 0; k < 5; ++k) {
        auto pdf = (*renderer)->Render(t);
        if (!pdf.ok()) return;
        results[i] = std::move(pdf).value();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(results[i].empty()) << "thread " << i;
    const std::string path = (dir_.path() / ("thread" + std::to_string(i) + ".pdf")).string();
    std::ofstream(path, std::ios::binary) << results[i];
    EXPECT_NE(Text(path).find("Legacy ticket: " + std::to_string(1000 + i)), std::string::npos);
  }
}

TEST(TranscriptRendererTest, MissingFontIsAClearError) {
  RenderOptions options;
  options.font_path = "/nonexistent/fonts/Missing.ttf";
  auto pdf = RenderTranscriptPdf(SampleTranscript(), options);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pdf.status().message().find("/nonexistent/fonts/Missing.ttf"), std::string::npos)
      << pdf.status().ToString();
}

TEST(TranscriptRendererTest, AFileThatIsNotAFontIsInvalidArgument) {
  testing::TempDir dir;
  RenderOptions options;
  options.font_path = dir.path() / "fake.ttf";
  std::ofstream(options.font_path) << "not a font";
  auto renderer = TranscriptRenderer::Create(options);
  ASSERT_FALSE(renderer.ok());
  EXPECT_EQ(renderer.status().code(), StatusCode::kInvalidArgument);
}

TEST(TranscriptRendererTest, EmptyTranscriptStillRenders) {
  if (!std::filesystem::exists(kDefaultFontPath)) GTEST_SKIP() << "no DejaVuSans";
  auto renderer = TranscriptRenderer::Create({});
  ASSERT_TRUE(renderer.ok()) << renderer.status().ToString();
  testing::TempDir dir;
  const auto path = dir.path() / "empty.pdf";
  ASSERT_TRUE((*renderer)->RenderToFile(Transcript{}, path).ok());
  std::ifstream in(path, std::ios::binary);
  std::string head(5, '\0');
  in.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
}

}  // namespace
}  // namespace ledgerdesk::pdfexport
