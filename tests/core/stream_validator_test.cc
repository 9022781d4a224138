#include "core/log/stream_validator.h"

#include <gtest/gtest.h>

#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

using testing::IdFromNumber;
using testing::MakeEventWithId;

TEST(StreamValidatorTest, AppliesEachStreamsNextVersion) {
  StreamValidator validator;
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 1, IdFromNumber(1))), Verdict::kApply);
  EXPECT_EQ(validator.Admit(MakeEventWithId("b", 1, IdFromNumber(2))), Verdict::kApply);
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 2, IdFromNumber(3))), Verdict::kApply);
  EXPECT_EQ(validator.StreamVersion("a"), 2u);
  EXPECT_EQ(validator.StreamVersion("b"), 1u);
  EXPECT_EQ(validator.StreamVersion("c"), 0u);
  EXPECT_EQ(validator.counts().applied, 3u);
}

TEST(StreamValidatorTest, SkipsARepeatedEventIdAsDuplicate) {
  StreamValidator validator;
  ASSERT_EQ(validator.Admit(MakeEventWithId("a", 1, IdFromNumber(1))), Verdict::kApply);
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 1, IdFromNumber(1))), Verdict::kDuplicate);
  // Even at what would be the next version: an id applies once.
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 2, IdFromNumber(1))), Verdict::kDuplicate);
  EXPECT_EQ(validator.StreamVersion("a"), 1u);
  EXPECT_EQ(validator.counts().duplicates, 2u);
}

TEST(StreamValidatorTest, SkipsAnotherWritersEventAtTheSameVersionAsConflict) {
  StreamValidator validator;
  ASSERT_EQ(validator.Admit(MakeEventWithId("a", 1, IdFromNumber(1))), Verdict::kApply);
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 1, IdFromNumber(2))), Verdict::kConflict);
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 3, IdFromNumber(3))), Verdict::kConflict);
  // A conflicting id was never applied: it may apply later at the right version.
  EXPECT_EQ(validator.Admit(MakeEventWithId("a", 2, IdFromNumber(2))), Verdict::kApply);
  EXPECT_EQ(validator.counts().conflicts, 2u);
}

}  // namespace
}  // namespace ledgerdesk::log
