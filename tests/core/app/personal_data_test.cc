#include "core/app/personal_data.h"

#include <gtest/gtest.h>

namespace ledgerdesk::app {
namespace {

TEST(PersonalDataTest, SealsSoThatOnlyTheKeyOpens) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  PersonalData personal(*keys);
  auto sealed = personal.Seal("account-1", "Zażółć Gęślą Jaźń");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->ciphertext().find("Za"), std::string::npos);
  auto opened = personal.Open(*sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "Zażółć Gęślą Jaźń");
}

TEST(PersonalDataTest, ADestroyedKeyReadsAsErased) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  PersonalData personal(*keys);
  auto alice = personal.Seal("alice", "alice@example.pl");
  auto bob = personal.Seal("bob", "bob@example.pl");
  ASSERT_TRUE(alice.ok() && bob.ok());
  ASSERT_TRUE(keys->Destroy("alice").ok());
  EXPECT_EQ(*personal.Open(*alice), kErased);
  EXPECT_EQ(*personal.Open(*bob), "bob@example.pl");
}

TEST(PersonalDataTest, AValueNeverSealedOpensEmptyNotErased) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  PersonalData personal(*keys);
  EXPECT_EQ(*personal.Open(v1::Sealed()), "");
}

TEST(PersonalDataTest, ATamperedValueIsDataLoss) {
  auto keys = crypto::NewInMemorySubjectKeyStore();
  PersonalData personal(*keys);
  auto sealed = personal.Seal("alice", "secret");
  ASSERT_TRUE(sealed.ok());
  std::string ciphertext = sealed->ciphertext();
  ciphertext[0] ^= 1;
  sealed->set_ciphertext(ciphertext);
  EXPECT_EQ(personal.Open(*sealed).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledgerdesk::app
