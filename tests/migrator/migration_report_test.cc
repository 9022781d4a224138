#include "migrator/migration_report.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

namespace ledgerdesk::migrator {
namespace {

MigrationReport Sample() {
  MigrationReport report("2026-11-22", false);
  for (int i = 0; i < 18; ++i) report.Read("customers"), report.Moved("customers");
  report.Record("customers", 5, Outcome<int>{Quarantined{"invalid_nip", "checksum fails"}, {}});
  report.Record("customers", 6, Outcome<int>{Quarantined{"invalid_nip", "wrong length"}, {}});
  report.Record("contracts", 7, Outcome<int>{Dropped{"expired"}, {}});
  report.Record("contracts", 8, Outcome<int>{Dropped{"expired"}, {}});
  report.Record("contracts", 9, Outcome<int>{Dropped{"cancelled"}, {}});
  report.Record(
      "tickets", 31,
      Outcome<int>{1, {{"tickets", 31, "item_of_other_contract", "moved without a device"}}});
  report.Record("tickets", 32, Outcome<int>{Dropped{"closed"}, {}});
  report.Read("users", 12);
  report.Dropped("users", "not_migrated", 12);
  // A detail that quotes windows-1250 bytes stays valid JSON.
  report.Warn({"ticket_cc", 33, "invalid_cc", "'\xB3ukasz@' not moved"});
  return report;
}

TEST(MigrationReportTest, JsonHasTheDocumentedShape) {
  const std::string json = Sample().ToJson();
  Poco::JSON::Parser parser;
  const auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getValue<std::string>("as_of"), "2026-11-22");
  EXPECT_FALSE(root->getValue<bool>("dry_run"));

  const auto tables = root->getObject("tables");
  for (std::string_view table : kLegacyTables) {
    ASSERT_TRUE(tables->has(std::string(table))) << table;
    const auto t = tables->getObject(std::string(table));
    for (const char* key : {"read", "moved", "dropped", "quarantined"}) {
      EXPECT_TRUE(t->has(key)) << table << "." << key;
    }
  }
  const auto customers = tables->getObject("customers");
  EXPECT_EQ(customers->getValue<int>("read"), 20);
  EXPECT_EQ(customers->getValue<int>("moved"), 18);
  EXPECT_EQ(customers->getObject("dropped")->size(), 0u);
  EXPECT_EQ(customers->getObject("quarantined")->getValue<int>("invalid_nip"), 2);
  const auto contracts = tables->getObject("contracts");
  EXPECT_EQ(contracts->getValue<int>("read"), 3);
  EXPECT_EQ(contracts->getObject("dropped")->getValue<int>("expired"), 2);
  EXPECT_EQ(contracts->getObject("dropped")->getValue<int>("cancelled"), 1);
  const auto tickets = tables->getObject("tickets");
  EXPECT_EQ(tickets->getValue<int>("read"), 2);
  EXPECT_EQ(tickets->getValue<int>("moved"), 1);
  EXPECT_EQ(tickets->getObject("dropped")->getValue<int>("closed"), 1);
  EXPECT_EQ(tables->getObject("users")->getObject("dropped")->getValue<int>("not_migrated"), 12);

  const auto quarantine = root->getArray("quarantine");
  ASSERT_EQ(quarantine->size(), 2u);
  const auto first = quarantine->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("table"), "customers");
  EXPECT_EQ(first->getValue<int>("id"), 5);
  EXPECT_EQ(first->getValue<std::string>("reason"), "invalid_nip");
  EXPECT_EQ(first->getValue<std::string>("detail"), "checksum fails");

  const auto warnings = root->getArray("warnings");
  ASSERT_EQ(warnings->size(), 2u);
  EXPECT_EQ(warnings->getObject(0)->getValue<std::string>("reason"), "item_of_other_contract");
  EXPECT_EQ(warnings->getObject(0)->getValue<int>("id"), 31);
  EXPECT_EQ(warnings->getObject(1)->getValue<std::string>("detail"), "'łukasz@' not moved");
}

TEST(MigrationReportTest, TablesComeInSchemaOrder) {
  const std::string json = Sample().ToJson();
  size_t last = 0;
  for (std::string_view table : kLegacyTables) {
    const size_t at = json.find("\"" + std::string(table) + "\"");
    ASSERT_NE(at, std::string::npos);
    EXPECT_GT(at, last) << table;
    last = at;
  }
}

TEST(MigrationReportTest, DryRunFlagAndSummary) {
  MigrationReport report = Sample();
  const std::string summary = report.Summary(1);
  EXPECT_NE(summary.find("as of 2026-11-22"), std::string::npos);
  EXPECT_NE(summary.find("customers: read 20, moved 18; dropped none; quarantined invalid_nip 2"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("customers 5: invalid_nip (checksum fails)"), std::string::npos);
  EXPECT_NE(summary.find("and 1 more"), std::string::npos);

  MigrationReport dry("2026-11-22", true);
  EXPECT_NE(dry.Summary().find("dry run"), std::string::npos);
  Poco::JSON::Parser parser;
  EXPECT_TRUE(
      parser.parse(dry.ToJson()).extract<Poco::JSON::Object::Ptr>()->getValue<bool>("dry_run"));
}

}  // namespace
}  // namespace ledgerdesk::migrator
