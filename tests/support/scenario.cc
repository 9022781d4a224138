#include "tests/support/scenario.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/test_events.h"

namespace ledgerdesk::testing {

Result<v1::Sealed> TransparentSealer::Seal(const std::string& subject_id,
                                           std::string_view plaintext) {
  v1::Sealed sealed;
  sealed.set_key_id("key-of-" + subject_id);
  sealed.set_ciphertext("sealed:" + std::string(plaintext));
  return sealed;
}

Result<std::string> TransparentSealer::Open(const v1::Sealed& sealed) const {
  if (sealed.ciphertext().rfind("sealed:", 0) != 0) return DataLoss("not sealed by this sealer");
  return Unsealed(sealed);
}

std::string Unsealed(const v1::Sealed& sealed) {
  const std::string& text = sealed.ciphertext();
  return text.rfind("sealed:", 0) == 0 ? text.substr(7) : "<not sealed by TransparentSealer>";
}

std::chrono::system_clock::time_point Utc(std::string_view rfc3339) {
  google::protobuf::Timestamp timestamp;
  if (!google::protobuf::util::TimeUtil::FromString(std::string(rfc3339), &timestamp)) {
    ADD_FAILURE() << "not an RFC 3339 time: " << rfc3339;
    std::abort();
  }
  return domain::FromTimestamp(timestamp);
}

Scenario::Scenario() {
  context.now = Utc("2026-11-23T10:00:00Z");  // a Monday
  context.actor.set_role(v1::ROLE_SYSTEM);
  context.new_id = [this] { return IdFromNumber(next_id_++); };
}

Scenario& Scenario::At(std::string_view rfc3339) {
  context.now = Utc(rfc3339);
  return *this;
}

Scenario& Scenario::Given(const std::vector<v1::Envelope>& events) {
  for (const auto& event : events) {
    EXPECT_EQ(event.stream_version(), model.StreamVersion(event.stream()) + 1)
        << "given events must follow their streams' versions";
    model.Apply(event);
  }
  return *this;
}

Scenario& Scenario::Given(const Result<std::vector<v1::Envelope>>& decided) {
  EXPECT_TRUE(decided.ok()) << "a given command failed: " << decided.status().ToString();
  if (decided.ok()) Given(*decided);
  return *this;
}

}  // namespace ledgerdesk::testing
