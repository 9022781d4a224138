#include "core/values/serial.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace ledgerdesk::values {
namespace {

using ::testing::HasSubstr;

std::string Normalized(std::string_view text) {
  Result<Serial> serial = Serial::Parse(text);
  EXPECT_TRUE(serial.ok()) << text << ": " << serial.status().ToString();
  return serial.ok() ? serial->value() : "";
}

TEST(SerialTest, KeepsAPlainSerialAsTyped) {
  EXPECT_EQ(Normalized("CZ12345678"), "CZ12345678");
  EXPECT_EQ(Normalized("abc123"), "abc123");  // no case folding
  EXPECT_EQ(Serial::Parse("X1")->ToString(), "X1");
}

TEST(SerialTest, Trims) {
  EXPECT_EQ(Normalized("  CZ12345678 "), "CZ12345678");
  EXPECT_EQ(Normalized("\tCZ12345678\r\n"), "CZ12345678");
}

TEST(SerialTest, StripsALeadingHardwareMarker) {
  EXPECT_EQ(Normalized("(H)-CZ12345678"), "CZ12345678");
  EXPECT_EQ(Normalized("(H)CZ12345678"), "CZ12345678");
  EXPECT_EQ(Normalized("  (H)-CZ12345678  "), "CZ12345678");
  EXPECT_EQ(Normalized("(H) CZ12345678"), "CZ12345678");
  EXPECT_EQ(Normalized("(H)- CZ12345678"), "CZ12345678");
}

TEST(SerialTest, StripsMistypedAndRepeatedMarkersButOnlyAtTheStart) {
  EXPECT_EQ(Normalized("(H)-(H)-X1"), "X1");
  EXPECT_EQ(Normalized("(h)-X1"), "X1");
  EXPECT_EQ(Normalized("(h) (H)X1"), "X1");
  EXPECT_EQ(Normalized("X1(H)-"), "X1(H)-");
  EXPECT_EQ(Normalized("(HX)-X1"), "(HX)-X1");
  EXPECT_EQ(Normalized("-X1"), "-X1");           // a dash alone is part of the serial
  EXPECT_FALSE(Serial::Parse("(H)-(h)-").ok());  // markers only: no serial
}

TEST(SerialTest, MarkedAndUnmarkedSerialsCompareEqual) {
  EXPECT_EQ(*Serial::Parse("(H)-CZ12345678"), *Serial::Parse(" CZ12345678"));
}

TEST(SerialTest, LicenceKeysKeepTheirDashes) {
  EXPECT_EQ(Normalized("ABCD-EFGH-1234-5678"), "ABCD-EFGH-1234-5678");
  EXPECT_EQ(Normalized("(H)-ABCD-EFGH-1234"), "ABCD-EFGH-1234");
  EXPECT_EQ(Normalized("-X1-"), "-X1-");
}

TEST(SerialTest, KeepsInnerSpaces) { EXPECT_EQ(Normalized("SN 123 456"), "SN 123 456"); }

TEST(SerialTest, RejectsEmptyAndMarkerOnly) {
  for (const char* text : {"", "   ", "(H)", "(H)-", " (H)- ", "\t\n"}) {
    Result<Serial> serial = Serial::Parse(text);
    ASSERT_FALSE(serial.ok()) << text;
    EXPECT_EQ(serial.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(serial.status().message(), HasSubstr("serial is required"));
  }
}

TEST(SerialTest, AcceptsUpToTheLengthLimit) {
  const std::string longest(Serial::kMaxLength, 'A');
  EXPECT_EQ(Normalized(longest), longest);
  EXPECT_EQ(Normalized("(H)-" + longest), longest);  // the limit applies after stripping
  Result<Serial> serial = Serial::Parse(longest + "A");
  ASSERT_FALSE(serial.ok());
  EXPECT_EQ(serial.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(serial.status().message(), HasSubstr("too long"));
}

TEST(SerialTest, RejectsControlCharacters) {
  for (const std::string& text :
       {std::string("CZ12\t345"), std::string("CZ12\n345"), std::string("CZ12\x7F"),
        std::string("CZ\x01"), std::string("CZ\0Z", 4)}) {
    Result<Serial> serial = Serial::Parse(text);
    ASSERT_FALSE(serial.ok());
    EXPECT_EQ(serial.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(serial.status().message(), HasSubstr("control character"));
  }
}

TEST(SerialTest, RejectsNonAscii) {
  for (const char* text : {"CZ12345ł", "SN–123" /* an en dash */, "\xFF\xFE"}) {
    Result<Serial> serial = Serial::Parse(text);
    ASSERT_FALSE(serial.ok()) << text;
    EXPECT_EQ(serial.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(serial.status().message(), HasSubstr("ASCII"));
  }
}

}  // namespace
}  // namespace ledgerdesk::values
