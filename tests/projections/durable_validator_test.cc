// The durable validator decides exactly like core's StreamValidator, and its rows restore it.

#include "projections/durable_validator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/log/envelope_codec.h"
#include "core/log/stream_validator.h"
#include "tests/projections/workload.h"

namespace ledgerdesk::projections {
namespace {

// Collects the rows a validator stages, like the store's validator column family.
class RowMap : public ValidatorRowWriter {
 public:
  void PutValidatorRow(std::string_view key, std::string_view value) override {
    rows[std::string(key)] = std::string(value);
  }
  std::map<std::string, std::string> rows;
};

TEST(DurableValidator, AgreesWithStreamValidatorVerdictForVerdict) {
  RandomWorkload workload(7);
  log::StreamValidator reference;
  DurableValidator durable;
  size_t compared = 0;
  for (const auto& record : workload.Next(20'000)) {
    auto envelope = log::DecodeEnvelope(record.value);
    if (!envelope.ok()) continue;
    ASSERT_EQ(durable.Admit(*envelope), reference.Admit(*envelope)) << "record " << compared;
    ++compared;
  }
  EXPECT_GT(reference.counts().duplicates, 100u);
  EXPECT_GT(reference.counts().conflicts, 100u);
}

TEST(DurableValidator, RestoredFromItsRowsContinuesIdentically) {
  RandomWorkload workload(11);
  auto records = workload.Next(10'000);
  log::StreamValidator reference;
  DurableValidator first;
  RowMap rows;
  size_t i = 0;
  for (; i < records.size() / 2; ++i) {
    auto envelope = log::DecodeEnvelope(records[i].value);
    if (!envelope.ok()) continue;
    ASSERT_EQ(first.Admit(*envelope), reference.Admit(*envelope));
    if (i % 97 == 0) first.StageChanges(rows);  // batches of various sizes
  }
  first.StageChanges(rows);

  DurableValidator restored;
  for (const auto& [key, value] : rows.rows) ASSERT_TRUE(restored.LoadRow(key, value).ok());
  EXPECT_EQ(restored.applied_ids(), first.applied_ids());
  for (; i < records.size(); ++i) {
    auto envelope = log::DecodeEnvelope(records[i].value);
    if (!envelope.ok()) continue;
    ASSERT_EQ(restored.Admit(*envelope), reference.Admit(*envelope)) << "record " << i;
    ASSERT_EQ(restored.StreamVersion(envelope->stream()),
              reference.StreamVersion(envelope->stream()));
  }
}

// A bulk load writes the whole state at once (VisitRows): ids in bucket rows, in key order. A
// validator restored from those rows, wholly or (like an audit past a checkpoint) only the rows
// RowKeysFor names, decides like the reference.
TEST(DurableValidator, RestoredFromTheRowsOfABulkLoadContinuesIdentically) {
  RandomWorkload workload(13);
  auto records = workload.Next(10'000);
  log::StreamValidator reference;
  DurableValidator first;
  size_t i = 0;
  for (; i < records.size() / 2; ++i) {
    auto envelope = log::DecodeEnvelope(records[i].value);
    if (!envelope.ok()) continue;
    ASSERT_EQ(first.Admit(*envelope), reference.Admit(*envelope));
  }
  std::vector<std::string> keys;
  RowMap rows;
  first.VisitRows([&](std::string_view key, std::string_view value) {
    keys.emplace_back(key);
    rows.PutValidatorRow(key, value);
  });
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  size_t ids_in_buckets = 0;
  for (const auto& [key, value] : rows.rows) {
    EXPECT_FALSE(key.starts_with("i/")) << "a row per id";
    if (key.starts_with("b/")) ids_in_buckets += value.size() / 16;
  }
  EXPECT_EQ(ids_in_buckets, first.applied_ids());

  DurableValidator whole, partial;
  for (const auto& [key, value] : rows.rows) ASSERT_TRUE(whole.LoadRow(key, value).ok());
  EXPECT_EQ(whole.applied_ids(), first.applied_ids());
  std::set<std::string> loaded;
  for (; i < records.size(); ++i) {
    auto envelope = log::DecodeEnvelope(records[i].value);
    if (!envelope.ok()) continue;
    for (const auto& key : DurableValidator::RowKeysFor(*envelope)) {
      auto row = rows.rows.find(key);
      if (loaded.insert(key).second && row != rows.rows.end()) {
        ASSERT_TRUE(partial.LoadRow(key, row->second).ok());
      }
    }
    const log::Verdict expected = reference.Admit(*envelope);
    ASSERT_EQ(whole.Admit(*envelope), expected) << "record " << i;
    ASSERT_EQ(partial.Admit(*envelope), expected) << "record " << i;
  }
  EXPECT_GT(reference.counts().duplicates, 10u);  // ids applied before the rows were written
}

TEST(DurableValidator, UnknownRowsAreDataLoss) {
  DurableValidator validator;
  EXPECT_EQ(validator.LoadRow("x/what", "").code(), StatusCode::kDataLoss);
  EXPECT_EQ(validator.LoadRow("s/stream", "short").code(), StatusCode::kDataLoss);
  EXPECT_EQ(validator.LoadRow("b/xy", std::string(15, 'i')).code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledgerdesk::projections
