// ledgerdesk: one program, subcommands like git or the kafka-* tools (spec/cli.md).

#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

struct Subcommand {
  std::string name;  // one or two words
  std::string summary;
  int (*run)(const Args&);
};

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kSubcommands = {
      {"serve", "run the writer and the portal API on the log (or a read-only replica)",
       ServeCommand},
      {"staff add", "create an engineer or partner account with a set-password token",
       StaffAddCommand},
      {"contracts add", "register a service contract with its devices and licences",
       ContractsAddCommand},
      {"contracts renew", "extend a contract (a reactivation fee after its end)",
       ContractsRenewCommand},
      {"events tail", "print events decoded from the log, one per line", EventsTailCommand},
      {"projections rebuild", "replay the log into fresh projections, printing events/s",
       ProjectionsRebuildCommand},
      {"projections digest", "bring the projections up to date and print their digest",
       ProjectionsDigestCommand},
      {"audit history", "GDPR access: every event about a person or organization, decrypted",
       AuditHistoryCommand},
      {"audit replay", "rebuild the projections as they stood at a moment, into a directory",
       AuditReplayCommand},
      {"audit verify", "check the log's checksums and hash chain and projections = a rebuild",
       AuditVerifyCommand},
      {"audit erase", "GDPR erasure: destroy a person's key, blobs and mails; append the erasure",
       AuditEraseCommand},
      {"kafka-dev", "start an in-memory Kafka-protocol cluster on loopback for trying --log kafka",
       KafkaDevCommand},
      {"bench log", "measure appends: embedded log and Kafka against raw librdkafka",
       BenchLogCommand},
      {"bench rebuild", "measure projection rebuilds against RocksDB's db_bench fillseq",
       BenchRebuildCommand},
      {"migrate", "move the legacy helpdesk into the log (dry run, report, resumable)",
       MigrateCommand},
      {"bench migrate", "generate a large legacy database and time its migration",
       BenchMigrateCommand},
  };
  return kSubcommands;
}

// The commands whose name starts with `group` ("" for all, "audit" for the audit commands).
int PrintOverview(std::ostream& out, const std::string& group = "") {
  const std::string name = group.empty() ? "COMMAND" : group + " COMMAND";
  out << "usage: ledgerdesk " << name << " [OPTIONS]   (ledgerdesk " << name
      << " --help for its options)\n\ncommands:\n";
  for (const auto& command : Subcommands()) {
    if (!group.empty() && command.name.rfind(group + " ", 0) != 0) continue;
    out << "  " << command.name << std::string(22 - std::min<size_t>(21, command.name.size()), ' ')
        << command.summary << "\n";
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintOverview(std::cerr);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") return PrintOverview(std::cout);
  for (const auto& command : Subcommands()) {
    const bool two_words = command.name.find(' ') != std::string::npos;
    const std::string typed = two_words && args.size() >= 2 ? args[0] + " " + args[1] : args[0];
    if (typed == command.name) {
      return command.run(Args(args.begin() + (two_words ? 2 : 1), args.end()));
    }
  }
  // The first word of two-word commands ("contracts"): name the second words it takes.
  std::string second_words;
  for (const auto& command : Subcommands()) {
    if (command.name.rfind(args[0] + " ", 0) == 0) {
      second_words += (second_words.empty() ? "" : ", ") + command.name.substr(args[0].size() + 1);
    }
  }
  if (!second_words.empty()) {
    if (args.size() >= 2 && (args[1] == "--help" || args[1] == "-h")) {
      return PrintOverview(std::cout, args[0]);
    }
    const bool named = args.size() >= 2 && args[1].rfind('-', 0) != 0;
    std::cerr << "ledgerdesk " << args[0] << ": "
              << (named ? "unknown subcommand '" + args[1] + "'; one of: " : "needs one of: ")
              << second_words << " (ledgerdesk " << args[0] << " COMMAND --help)\n";
    return kExitUsage;
  }
  std::cerr << "ledgerdesk: unknown command '" << args[0] << "'\n\n";
  PrintOverview(std::cerr);
  return kExitUsage;
}

}  // namespace
}  // namespace ledgerdesk::tools

int main(int argc, char** argv) { return ledgerdesk::tools::Main(argc, argv); }
