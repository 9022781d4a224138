#pragma once

// The command-line conventions of spec/cli.md in one place: options through Poco::Util, `--help`
// on every subcommand, exit codes 0 (done), 1 (a failure explained in one sentence), 2 (wrong
// usage).

#include <Poco/Util/OptionSet.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/log/log_factory.h"

namespace ledgerdesk::tools {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

class CommandLine {
 public:
  // `command` as the user types it ("events tail"), `usage` the argument synopsis, `summary` one
  // paragraph for --help.
  CommandLine(std::string command, std::string usage, std::string summary);

  CommandLine& Flag(const std::string& name, const std::string& help);
  CommandLine& Option(const std::string& name, const std::string& argument, const std::string& help,
                      bool repeatable = false);
  // --data-dir, --log, --brokers, --topic, --kafka-config: the options of every command that
  // touches the log.
  CommandLine& LogOptions();

  // Parses the arguments after the subcommand's name. Returns an exit code when the program should
  // stop now: 0 after printing --help, 2 after printing a usage error. Otherwise nullopt.
  std::optional<int> Parse(const std::vector<std::string>& args);

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  // A whole number option, or a usage error naming the option.
  Result<uint64_t> GetUint(const std::string& name, uint64_t fallback) const;
  // The log the log options name (validated: --log local|kafka, --brokers with kafka).
  Result<log::LogOptions> GetLogOptions() const;

  // Prints "ledgerdesk <command>: <message>" and the hint to use --help; returns 2.
  int UsageError(const std::string& message) const;

  // Where --help and usage errors go (std::cout and std::cerr unless set; both outlive this).
  CommandLine& Output(std::ostream& out, std::ostream& err);

 private:
  std::string command_;
  std::string usage_;
  std::string summary_;
  Poco::Util::OptionSet options_;
  std::vector<std::pair<std::string, std::string>> values_;
  std::ostream* out_;
  std::ostream* err_;
};

// Prints "ledgerdesk <command>: <sentence>" on stderr and returns 1.
int Fail(const std::string& command, const Status& status);
// The same on `err`.
int Fail(std::ostream& err, const std::string& command, const Status& status);

}  // namespace ledgerdesk::tools
