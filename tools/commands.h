#pragma once

// The subcommands of the ledgerdesk program. Each takes the arguments after its name and returns
// the process exit code (cli.h).

#include <string>
#include <vector>

namespace ledgerdesk::tools {

using Args = std::vector<std::string>;

int ServeCommand(const Args& args);
int EventsTailCommand(const Args& args);
int KafkaDevCommand(const Args& args);
int BenchLogCommand(const Args& args);
int BenchRebuildCommand(const Args& args);
int ContractsAddCommand(const Args& args);
int ContractsRenewCommand(const Args& args);
int ProjectionsRebuildCommand(const Args& args);
int StaffAddCommand(const Args& args);
int ProjectionsDigestCommand(const Args& args);
int AuditHistoryCommand(const Args& args);
int AuditReplayCommand(const Args& args);
int AuditVerifyCommand(const Args& args);
int AuditEraseCommand(const Args& args);
int MigrateCommand(const Args& args);
int BenchMigrateCommand(const Args& args);

// Blocks SIGINT and SIGTERM in this thread and every thread started after it (a long-running
// command calls it before it starts any), so that WaitForTerminationSignal can take them.
void BlockTerminationSignals();
// Waits for SIGINT or SIGTERM; returns its name.
std::string WaitForTerminationSignal();

}  // namespace ledgerdesk::tools
