#pragma once

// The migration report: counts per legacy table (read, moved, dropped by rule, quarantined by
// reason), every quarantined row and every warning, as the JSON of legacy-data-rules.md and as a
// summary for people. A plain value: not thread-safe, copyable.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "migrator/transform.h"

namespace ledgerdesk::migrator {

struct TableCounts {
  int64_t read = 0;
  int64_t moved = 0;
  std::map<std::string, int64_t> dropped;      // reason -> rows
  std::map<std::string, int64_t> quarantined;  // reason -> rows
};

class MigrationReport {
 public:
  // `as_of`: YYYY-MM-DD. Every table of kLegacyTables has an entry from the start (zero counts).
  MigrationReport(std::string as_of, bool dry_run);

  // Counting. Each row should end as exactly one of moved / dropped / quarantined.
  void Read(std::string_view table, int64_t rows = 1);
  void Moved(std::string_view table, int64_t rows = 1);
  void Dropped(std::string_view table, std::string_view reason, int64_t rows = 1);
  // Counts the row as quarantined and lists it.
  void Quarantine(std::string_view table, int64_t id, std::string_view reason,
                  std::string_view detail);
  void Warn(ReportEntry entry);
  void Warn(const std::vector<ReportEntry>& entries);

  // Records what became of one row of `table` with `id` (read, then moved / dropped /
  // quarantined), and its warnings.
  template <typename T>
  void Record(std::string_view table, int64_t id, const Outcome<T>& outcome) {
    Read(table);
    if (outcome.moved()) {
      Moved(table);
    } else if (const auto* d = outcome.dropped()) {
      Dropped(table, d->reason);
    } else if (const auto* q = outcome.quarantined()) {
      Quarantine(table, id, q->reason, q->detail);
    }
    Warn(outcome.warnings);
  }

  const std::string& as_of() const { return as_of_; }
  bool dry_run() const { return dry_run_; }
  const std::map<std::string, TableCounts, std::less<>>& tables() const { return tables_; }
  const TableCounts& table(std::string_view name) const;
  const std::vector<ReportEntry>& quarantine() const { return quarantine_; }
  const std::vector<ReportEntry>& warnings() const { return warnings_; }

  // {"as_of", "dry_run", "tables": {<table>: {"read", "moved", "dropped": {..}, "quarantined":
  // {..}}}, "quarantine": [{"table", "id", "reason", "detail"}], "warnings": [...]}, tables in
  // the order of kLegacyTables, pretty-printed with two-space indentation.
  std::string ToJson() const;

  // A few lines per table and the quarantine and warning entries grouped by reason, for a
  // terminal. At most `max_listed` entries per list are printed (the JSON has all).
  std::string Summary(size_t max_listed = 50) const;

 private:
  TableCounts& Mutable(std::string_view table);

  std::string as_of_;
  bool dry_run_;
  std::map<std::string, TableCounts, std::less<>> tables_;
  std::vector<ReportEntry> quarantine_;
  std::vector<ReportEntry> warnings_;
};

}  // namespace ledgerdesk::migrator
