// The progress display of long commands (tools/progress.h).

#include "tools/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace ledgerdesk::tools {
namespace {

TEST(ProgressReporterTest, ABarWithRateAndTimeLeft) {
  EXPECT_EQ(ProgressReporter::Line(true, 50, 100, 10.0, "tickets", "7 PDFs"),
            "[###############...............]  50% 50/100 tickets 5/s ETA 10s (7 PDFs)");
  EXPECT_EQ(ProgressReporter::Line(true, 1000, 100000, 10.0, "tickets", ""),
            "[..............................]   1% 1000/100000 tickets 100/s ETA 16m30s");
}

TEST(ProgressReporterTest, PlainLinesWithoutABarAndTheTimeTakenAtTheEnd) {
  EXPECT_EQ(ProgressReporter::Line(false, 100, 100, 4.0, "tickets", ""),
            "100% 100/100 tickets 25/s 4s");
  EXPECT_EQ(ProgressReporter::Line(false, 7, 0, 2.0, "rows", ""), "7 rows 4/s 2s");
}

TEST(ProgressReporterTest, PlainLinesAreThrottledAndTheLastOneAlwaysPrinted) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressReporter progress("tickets", out, false, std::chrono::hours(1));
    for (int i = 0; i < 100; ++i) progress.Update(i, 100);
    progress.Finish(100, 100);
  }
  std::rewind(out);
  std::string text;
  for (int c; (c = std::fgetc(out)) != EOF;) text += static_cast<char>(c);
  std::fclose(out);
  // The first update and the finish: two lines, no carriage returns.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("100% 100/100 tickets"), std::string::npos) << text;
}

}  // namespace
}  // namespace ledgerdesk::tools
