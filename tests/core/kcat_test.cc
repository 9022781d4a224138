// Any Kafka tool can route and inspect our events (design.md, "The log"): the real `kcat` reads
// what the Kafka log appended, with the CloudEvents binary-mode headers and the stream as key, and
// what the key topic holds (wrapped keys and tombstones only).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto/subject_key_store.h"
#include "core/log/envelope_codec.h"
#include "core/log/kafka_key_store.h"
#include "core/log/kafka_log.h"
#include "core/log/kafka_mock_cluster.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::log {
namespace {

constexpr const char* kKcat = "/usr/bin/kcat";

// Runs a shell command and returns its standard output and exit status.
std::pair<std::string, int> RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// "name=value,name=value" as kcat's %h prints headers.
std::map<std::string, std::string> ParseHeaders(const std::string& text) {
  std::map<std::string, std::string> headers;
  std::stringstream stream(text);
  for (std::string pair; std::getline(stream, pair, ',');) {
    const auto equals = pair.find('=');
    if (equals != std::string::npos) headers[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  return headers;
}

TEST(KcatTest, SeesEveryRecordWithCloudEventsHeadersAndTheStreamAsKey) {
  if (access(kKcat, X_OK) != 0) {
    GTEST_SKIP() << "kcat is not installed at " << kKcat << " (apt-get install kcat)";
  }
  auto cluster = MockKafkaCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE((*cluster)->CreateTopic("kcat.events", 1).ok());
  auto log = OpenKafkaLog({.brokers = (*cluster)->bootstrap_servers(),
                           .topic = "kcat.events",
                           .transactional_id = "kcat-writer",
                           .timeout = std::chrono::milliseconds(5000)});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::vector<v1::Envelope> events = {testing::MakeEvent("ticket-a", 1),
                                      testing::MakeEvent("ticket-b", 1)};
  ASSERT_TRUE((*log)->Append(events).ok());
  events.push_back(testing::MakeEvent("ticket-a", 2));
  ASSERT_TRUE((*log)->Append({events.back()}).ok());

  // Offset, key and headers, one record a line; -e: exit at the end of the partition.
  const auto [output, exit_code] =
      RunCommand(std::string(kKcat) + " -C -q -b " + (*cluster)->bootstrap_servers() +
                 " -t kcat.events -o beginning -e -f '%o\\t%k\\t%h\\n' 2>&1");
  ASSERT_EQ(exit_code, 0) << output;
  std::vector<std::string> lines;
  std::stringstream stream(output);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), events.size()) << output;
  for (size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    std::vector<std::string> fields;
    std::stringstream columns(lines[i]);
    for (std::string field; std::getline(columns, field, '\t');) fields.push_back(field);
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[1], events[i].stream());
    auto headers = ParseHeaders(fields[2]);
    EXPECT_EQ(headers["ce_specversion"], "1.0");
    EXPECT_EQ(headers["ce_type"], "ledgerdesk.v1.TicketStatusChanged");
    EXPECT_EQ(headers["ce_id"], Hex(events[i].event_id()));
    EXPECT_EQ(headers["ce_source"], "ledgerdesk");
    EXPECT_EQ(headers["ce_time"], "2026-11-18T11:06:40Z");
    EXPECT_EQ(headers["content-type"], "application/protobuf");
    EXPECT_EQ(headers["ld_stream"], events[i].stream());
    EXPECT_EQ(headers["ld_stream_version"], std::to_string(events[i].stream_version()));
  }
}

// The key topic as an outsider with only Kafka access sees it: wrapped keys, never a raw one, and
// a tombstone (a null value) once a subject's key is destroyed.
TEST(KcatTest, TheKeyTopicShowsOnlyWrappedKeysAndATombstoneAfterErasure) {
  if (access(kKcat, X_OK) != 0) {
    GTEST_SKIP() << "kcat is not installed at " << kKcat << " (apt-get install kcat)";
  }
  auto cluster = MockKafkaCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE((*cluster)->CreateTopic("kcat.keys", 1).ok());
  ledgerdesk::testing::TempDir dir;
  auto store = OpenKafkaSubjectKeyStore({.brokers = (*cluster)->bootstrap_servers(),
                                         .topic = "kcat.keys",
                                         .timeout = std::chrono::milliseconds(5000),
                                         .kek_file = dir.path() / "kek.key"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const crypto::SubjectKey erased = *(*store)->GetOrCreate("account-erased");
  const crypto::SubjectKey kept = *(*store)->GetOrCreate("account-kept");
  ASSERT_TRUE((*store)->Destroy("account-erased").ok());

  const std::string consume = std::string(kKcat) + " -C -q -b " + (*cluster)->bootstrap_servers() +
                              " -t kcat.keys -o beginning -e";
  // Whole records, bytes as they are.
  const auto [raw, raw_exit] = RunCommand(consume + " -f '%k=%s;' 2>&1");
  ASSERT_EQ(raw_exit, 0) << raw;
  for (const crypto::SubjectKey* key : {&erased, &kept}) {
    EXPECT_NE(raw.find(key->key_id), std::string::npos) << raw;  // the records are there...
    EXPECT_EQ(raw.find(key->key.bytes()), std::string::npos) << "a raw key on the topic";
    EXPECT_EQ(raw.find(Hex(key->key.bytes())), std::string::npos) << "a raw key on the topic";
  }
  // Key and value length (-1: null), one record a line.
  const auto [lines, exit_code] = RunCommand(consume + " -f '%k\\t%S\\n' 2>&1");
  ASSERT_EQ(exit_code, 0) << lines;
  const std::string wrapped_length = "96";  // "ldk1" 4, key id 32, nonce 12, key 32, tag 16
  EXPECT_EQ(lines, "account-erased " + erased.key_id + "\t" + wrapped_length + "\n" +
                       "account-kept " + kept.key_id + "\t" + wrapped_length + "\n" +
                       "account-erased " + erased.key_id + "\t-1\n");
}

}  // namespace
}  // namespace ledgerdesk::log
