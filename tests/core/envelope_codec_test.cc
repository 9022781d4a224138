// Decoding records read from the log: anything that is not an envelope of ours gets a clear error.

#include "core/log/envelope_codec.h"

#include <gtest/gtest.h>

#include "core/log/stream_validator.h"
#include "core/log/writer.h"
#include "tests/support/memory_log.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

using testing::IdFromNumber;
using testing::MakeEventWithId;

TEST(EnvelopeCodecTest, DecodesWhatWasEncoded) {
  const v1::Envelope event = MakeEventWithId("s", 1, IdFromNumber(7), "x");
  auto decoded = DecodeEnvelope(event.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->event_type(), "ledgerdesk.v1.TicketStatusChanged");
  EXPECT_EQ(PayloadTypeName(*decoded), "ledgerdesk.v1.TicketStatusChanged");
}

TEST(EnvelopeCodecTest, BytesThatAreNotProtobufAreDataLoss) {
  auto garbage = DecodeEnvelope(std::string("\xff\xff\xff\xff not a protobuf", 19));
  EXPECT_EQ(garbage.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(garbage.status().message().find("not a ledgerdesk envelope"), std::string::npos);
}

TEST(EnvelopeCodecTest, AnUnknownEventTypeIsNamed) {
  v1::Envelope event = MakeEventWithId("s", 1, IdFromNumber(7));
  event.clear_ticket_status_changed();
  event.set_event_type("ledgerdesk.v9.SomethingNew");
  std::string bytes = event.SerializeAsString();
  bytes += std::string("\xba\x3e\x02\x08\x01", 5);  // field 999, length-delimited: a newer payload
  auto unknown = DecodeEnvelope(bytes);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("ledgerdesk.v9.SomethingNew"), std::string::npos);
}

TEST(EnvelopeCodecTest, MalformedHeadersAreRefused) {
  v1::Envelope short_id = MakeEventWithId("s", 1, "short");
  EXPECT_EQ(DecodeEnvelope(short_id.SerializeAsString()).status().code(),
            StatusCode::kInvalidArgument);
  v1::Envelope no_stream = MakeEventWithId("", 1, IdFromNumber(1));
  EXPECT_EQ(DecodeEnvelope(no_stream.SerializeAsString()).status().code(),
            StatusCode::kInvalidArgument);
  v1::Envelope version_zero = MakeEventWithId("s", 0, IdFromNumber(1));
  EXPECT_EQ(DecodeEnvelope(version_zero.SerializeAsString()).status().code(),
            StatusCode::kInvalidArgument);
  v1::Envelope lying = MakeEventWithId("s", 1, IdFromNumber(1));
  lying.set_event_type("ledgerdesk.v1.TicketClosed");
  auto mismatch = DecodeEnvelope(lying.SerializeAsString());
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mismatch.status().message().find("TicketStatusChanged"), std::string::npos);
  EXPECT_EQ(DecodeEnvelope("").status().code(), StatusCode::kInvalidArgument);
}

TEST(EnvelopeCodecTest, TheWriterSkipsAndCountsRecordsItCannotRead) {
  testing::MemoryLog log;
  ASSERT_TRUE(log.Append({MakeEventWithId("s", 1, IdFromNumber(1))}).ok());
  {
    std::lock_guard lock(log.storage()->mutex);
    log.storage()->records.push_back({Position{1}, "junk", "\xff\xfe garbage"});
  }
  ASSERT_TRUE(log.Append({MakeEventWithId("s", 2, IdFromNumber(2))}).ok());
  auto writer = Writer::Start(log);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_EQ((*writer)->counts().applied, 2u);
  EXPECT_EQ((*writer)->counts().undecodable, 1u);
  EXPECT_EQ((*writer)->StreamVersion("s"), 2u);
}

}  // namespace
}  // namespace ledgerdesk::log
