#include "migrator/migration_report.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace ledgerdesk::migrator {
namespace {

Poco::JSON::Object::Ptr Counts(const std::map<std::string, int64_t>& counts) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [reason, n] : counts) object->set(reason, static_cast<Poco::Int64>(n));
  return object;
}

Poco::JSON::Array::Ptr Entries(const std::vector<ReportEntry>& entries) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array();
  for (const ReportEntry& e : entries) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    object->set("table", e.table);
    object->set("id", static_cast<Poco::Int64>(e.id));
    object->set("reason", e.reason);
    object->set("detail", e.detail);
    array->add(object);
  }
  return array;
}

std::string Reasons(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [reason, n] : counts) {
    out += (out.empty() ? "" : ", ") + reason + " " + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

void ListEntries(std::ostringstream& out, std::string_view heading,
                 const std::vector<ReportEntry>& entries, size_t max_listed) {
  out << heading << ": " << entries.size() << "\n";
  for (size_t i = 0; i < entries.size() && i < max_listed; ++i) {
    const ReportEntry& e = entries[i];
    out << "  " << e.table << " " << e.id << ": " << e.reason;
    if (!e.detail.empty()) out << " (" << e.detail << ")";
    out << "\n";
  }
  if (entries.size() > max_listed) {
    out << "  ... and " << entries.size() - max_listed << " more (see the JSON report)\n";
  }
}

}  // namespace

MigrationReport::MigrationReport(std::string as_of, bool dry_run)
    : as_of_(std::move(as_of)), dry_run_(dry_run) {
  for (std::string_view table : kLegacyTables) tables_.emplace(std::string(table), TableCounts{});
}

TableCounts& MigrationReport::Mutable(std::string_view table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) it = tables_.emplace(std::string(table), TableCounts{}).first;
  return it->second;
}

const TableCounts& MigrationReport::table(std::string_view name) const {
  static const TableCounts kEmpty;
  auto it = tables_.find(name);
  return it == tables_.end() ? kEmpty : it->second;
}

void MigrationReport::Read(std::string_view table, int64_t rows) { Mutable(table).read += rows; }
void MigrationReport::Moved(std::string_view table, int64_t rows) { Mutable(table).moved += rows; }
void MigrationReport::Dropped(std::string_view table, std::string_view reason, int64_t rows) {
  Mutable(table).dropped[std::string(reason)] += rows;
}
void MigrationReport::Quarantine(std::string_view table, int64_t id, std::string_view reason,
                                 std::string_view detail) {
  Mutable(table).quarantined[std::string(reason)] += 1;
  quarantine_.push_back(
      ReportEntry{std::string(table), id, std::string(reason), DecodeLegacyText(detail)});
}
void MigrationReport::Warn(ReportEntry entry) {
  // Details may quote legacy bytes: the JSON must stay valid UTF-8.
  entry.detail = DecodeLegacyText(entry.detail);
  warnings_.push_back(std::move(entry));
}
void MigrationReport::Warn(const std::vector<ReportEntry>& entries) {
  for (const ReportEntry& e : entries) Warn(e);
}

std::string MigrationReport::ToJson() const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("as_of", as_of_);
  root.set("dry_run", dry_run_);
  Poco::JSON::Object::Ptr tables = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  auto add_table = [&](const std::string& name, const TableCounts& c) {
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    t->set("read", static_cast<Poco::Int64>(c.read));
    t->set("moved", static_cast<Poco::Int64>(c.moved));
    t->set("dropped", Counts(c.dropped));
    t->set("quarantined", Counts(c.quarantined));
    tables->set(name, t);
  };
  for (std::string_view name : kLegacyTables) add_table(std::string(name), table(name));
  for (const auto& [name, counts] : tables_) {
    if (!tables->has(name)) add_table(name, counts);
  }
  root.set("tables", tables);
  root.set("quarantine", Entries(quarantine_));
  root.set("warnings", Entries(warnings_));
  std::ostringstream out;
  root.stringify(out, 2);
  out << "\n";
  return out.str();
}

std::string MigrationReport::Summary(size_t max_listed) const {
  std::ostringstream out;
  out << "Legacy migration as of " << as_of_ << (dry_run_ ? " (dry run: nothing written)" : "")
      << "\n";
  for (std::string_view name : kLegacyTables) {
    const TableCounts& c = table(name);
    out << "  " << name << ": read " << c.read << ", moved " << c.moved << "; dropped "
        << Reasons(c.dropped) << "; quarantined " << Reasons(c.quarantined) << "\n";
  }
  ListEntries(out, "Quarantined rows", quarantine_, max_listed);
  ListEntries(out, "Warnings", warnings_, max_listed);
  return out.str();
}

}  // namespace ledgerdesk::migrator
