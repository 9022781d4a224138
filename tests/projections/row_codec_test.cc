#include "projections/row_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ledgerdesk::projections::rows {
namespace {

// The escaping as the key layout defines it, written another way: every '%' becomes "%25" first,
// then every '/' becomes "%2F".
std::string Escaped(std::string id) {
  for (auto [from, to] : {std::pair{'%', "%25"}, std::pair{'/', "%2F"}}) {
    for (size_t at = id.find(from); at != std::string::npos; at = id.find(from, at + 3)) {
      id.replace(at, 1, to);
    }
  }
  return id;
}

TEST(RowCodec, KeyPartEscapesPercentAndSlashAnywhere) {
  EXPECT_EQ(KeyPart(""), "");
  EXPECT_EQ(KeyPart("6f1c00aa"), "6f1c00aa");
  EXPECT_EQ(KeyPart("a/b%c"), "a%2Fb%25c");
  EXPECT_EQ(KeyPart("%%//"), "%25%25%2F%2F");
  // Ids of every length up to 40, with an escaped byte at every place and with none.
  for (size_t length = 0; length <= 40; ++length) {
    const std::string plain(length, 'e');
    EXPECT_EQ(KeyPart(plain), plain);
    for (size_t at = 0; at < length; ++at) {
      for (char special : {'%', '/'}) {
        std::string id = plain;
        id[at] = special;
        EXPECT_EQ(KeyPart(id), Escaped(id)) << id;
      }
    }
  }
  // Bytes next to '%' (0x25) and '/' (0x2f), and high bytes, are not taken for them.
  std::string neighbours;
  for (int c = 1; c < 256; ++c) neighbours += static_cast<char>(c);
  EXPECT_EQ(KeyPart(neighbours), Escaped(neighbours));
}

TEST(RowCodec, KeyIsItsPiecesInOrder) {
  EXPECT_EQ(Key("org_activity/", Part{"org/1"}, "/", Hex{0xabcdef}, "/", Part{"t%1"}),
            "org_activity/org%2F1/0000000000abcdef/t%251");
  EXPECT_EQ(Key(Hex{~uint64_t{0}}), "ffffffffffffffff");
  EXPECT_EQ(Hex16(0x0123456789abcdefull), "0123456789abcdef");
  EXPECT_EQ(Key("ticket/", Part{""}), "ticket/");

  // AssignKey reuses a buffer, longer or shorter than the new key.
  std::string key = std::string(200, 'x');
  AssignKey(key, "a/", Part{"b"});
  EXPECT_EQ(key, "a/b");
  AssignKey(key, "message/", Part{std::string(64, 'f')}, "/", Hex{7});
  EXPECT_EQ(key, "message/" + std::string(64, 'f') + "/0000000000000007");

  std::mt19937 random(7);
  for (int round = 0; round < 1000; ++round) {
    std::string id;
    for (size_t i = random() % 50; i > 0; --i) id += "ab%/9"[random() % 5];
    const uint64_t n = (uint64_t{random()} << 32) | random();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(n));
    EXPECT_EQ(Key("p/", Part{id}, "/", Hex{n}), "p/" + Escaped(id) + "/" + hex);
  }
}

}  // namespace
}  // namespace ledgerdesk::projections::rows
