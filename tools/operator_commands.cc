#include "tools/operator_commands.h"

#include <iostream>
#include <sstream>

#include "core/app/index_key.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/log_factory.h"

namespace ledgerdesk::tools {
namespace {

// Opens the data dir's log and what the work needs around it, then does the work.
int RunHere(const OperatorCommand& command, const log::LogOptions& options,
            const OperatorWork& work) {
  auto log = log::OpenLog(options);
  if (!log.ok()) {
    Status status = log.status();
    if (status.code() == StatusCode::kUnavailable && options.backend == log::Backend::kEmbedded) {
      status = Status(status.code(), status.message() + " (and nothing answers on " +
                                         OperatorSocketPath(options.data_dir).string() +
                                         " to take the command: is that process a serve?)");
    }
    return Fail(command.name, status);
  }
  auto keys = log::OpenSubjectKeyStore(options);
  if (!keys.ok()) return Fail(command.name, keys.status());
  auto index_key = app::LoadOrCreateIndexKey(log::KeysDir(options) / "email-index.key");
  if (!index_key.ok()) return Fail(command.name, index_key.status());
  app::PersonalData personal(**keys);
  auto service = app::WriteService::Start(**log);
  if (!service.ok()) return Fail(command.name, service.status());
  std::shared_ptr<const ErasureBackend> erasure;
  if (command.open_erasure_here) {
    auto opened = command.open_erasure_here(options, **log, **keys);
    if (!opened.ok()) return Fail(command.name, opened.status());
    erasure = std::move(*opened);
  }
  const OperatorBackend backend{
      .writes = **service, .personal = personal, .index_key = *index_key, .erasure = erasure.get()};
  return work(OperatorServices{.backend = backend, .out = std::cout, .err = std::cerr});
}

}  // namespace

const std::vector<OperatorCommand>& OperatorCommands() {
  static const std::vector<OperatorCommand> kCommands = {
      StaffAddOperatorCommand(), ContractsAddOperatorCommand(), ContractsRenewOperatorCommand(),
      AuditEraseOperatorCommand()};
  return kCommands;
}

int RunOperatorCommand(const OperatorCommand& command, const Args& args) {
  CommandLine cli = command.command_line();
  if (auto exit = cli.Parse(args)) return *exit;
  auto work = command.prepare(cli);
  if (!work.ok()) return cli.UsageError(work.status().message());
  auto options = cli.GetLogOptions();
  if (!options.ok()) return cli.UsageError(options.status().message());

  std::vector<std::string> request = {command.name};
  request.insert(request.end(), args.begin(), args.end());
  auto forwarded = SendOperatorRequest(OperatorSocketPath(options->data_dir), request);
  if (!forwarded.ok()) return Fail(command.name, forwarded.status());
  if (forwarded->has_value()) {
    const OperatorAnswer& answer = **forwarded;
    std::cout << answer.out << std::flush;
    std::cerr << answer.err << std::flush;
    return answer.exit_code;
  }
  return RunHere(command, *options, *work);
}

OperatorAnswer RunForwardedOperatorCommand(const std::vector<std::string>& request,
                                           const OperatorBackend& backend) {
  std::ostringstream out;
  std::ostringstream err;
  const OperatorCommand* command = nullptr;
  for (const auto& candidate : OperatorCommands()) {
    if (!request.empty() && candidate.name == request[0]) command = &candidate;
  }
  if (command == nullptr) {
    return {.exit_code = kExitUsage,
            .out = "",
            .err =
                "ledgerdesk serve: the operator socket takes only staff add, contracts add, "
                "contracts renew and audit erase\n"};
  }
  CommandLine cli = command->command_line();
  cli.Output(out, err);
  int exit_code = kExitOk;
  if (auto exit = cli.Parse(Args(request.begin() + 1, request.end()))) {
    exit_code = *exit;
  } else if (auto work = command->prepare(cli); !work.ok()) {
    exit_code = cli.UsageError(work.status().message());
  } else {
    exit_code = (*work)(OperatorServices{.backend = backend, .out = out, .err = err});
  }
  return {.exit_code = exit_code, .out = out.str(), .err = err.str()};
}

Result<std::unique_ptr<OperatorSocketServer>> StartOperatorSocket(
    const std::filesystem::path& data_dir, const OperatorBackend& backend) {
  return OperatorSocketServer::Start(OperatorSocketPath(data_dir),
                                     [&backend](const std::vector<std::string>& request) {
                                       return RunForwardedOperatorCommand(request, backend);
                                     });
}

}  // namespace ledgerdesk::tools
