#pragma once

// The operator's commands that write (staff add, contracts add, contracts renew, audit erase) work
// whether or not a `serve` holds the data dir (spec/cli.md): the command line is parsed where it
// was typed
// (--help and usage errors answer there), then the work runs on the running serve's write service,
// handed over its operator socket (operator_socket.h), or, when no serve runs, on the data dir
// opened by the command itself. Either way the same code does the work, against the services it
// is given.

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/blobs/blob_store.h"
#include "core/common/status.h"
#include "core/crypto/subject_key_store.h"
#include "core/log/event_log.h"
#include "projections/store.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/operator_socket.h"

namespace ledgerdesk::tools {

// What an erasure needs beyond the write side: the log, the subject keys, the projections (the
// subject index; compacted afterwards), the blobs and the mail dir.
struct ErasureBackend {
  log::EventLog& log;
  crypto::SubjectKeyStore& keys;
  projections::Store& projections;
  // Returns once the projections applied the log up to `position` (serve: its runner got there;
  // a command run here catches up itself). Errors: kUnavailable when that takes too long.
  std::function<Status(log::Position)> apply_up_to;
  blobs::BlobStore& blobs;
  std::filesystem::path mail_dir;  // where the mail sender writes .eml files
};

// The writer's side of a data dir, as an operator command needs it.
struct OperatorBackend {
  app::WriteService& writes;
  app::PersonalData& personal;
  const std::string& index_key;             // the keyed e-mail index's key (app/index_key.h)
  const ErasureBackend* erasure = nullptr;  // serve's writer; a command run here that needs it
};

// What a command's work runs against: the backend, and where its output goes.
struct OperatorServices {
  const OperatorBackend& backend;
  std::ostream& out;
  std::ostream& err;
};

// A command's work once its arguments were parsed and checked: returns the exit code (cli.h).
using OperatorWork = std::function<int(const OperatorServices&)>;

struct OperatorCommand {
  std::string name;                           // as typed: "contracts add"
  std::function<CommandLine()> command_line;  // its options (the log options among them)
  // The work that parsed options ask for; kInvalidArgument means wrong usage.
  std::function<Result<OperatorWork>(const CommandLine&)> prepare;
  // Set for a command that needs an ErasureBackend: how it is opened when the command runs here
  // (on the log and keys opened for it, which outlive it).
  std::function<Result<std::shared_ptr<const ErasureBackend>>(
      const log::LogOptions&, log::EventLog&, crypto::SubjectKeyStore&)>
      open_erasure_here;
};

// Defined beside their command-line entry points (staff_command.cc, contracts_command.cc,
// audit_command.cc).
OperatorCommand AuditEraseOperatorCommand();
OperatorCommand StaffAddOperatorCommand();
OperatorCommand ContractsAddOperatorCommand();
OperatorCommand ContractsRenewOperatorCommand();

// The commands the operator socket takes, and only those.
const std::vector<OperatorCommand>& OperatorCommands();

// The command line's path: parses `args`, then hands the work to the serve that listens on the
// data dir's operator socket, or opens the data dir and does it here when none listens.
int RunOperatorCommand(const OperatorCommand& command, const Args& args);

// The serve's path: `request` is a command's name and its arguments as typed; runs it against
// `backend` and answers what it printed. Anything but an operator command is wrong usage (2).
OperatorAnswer RunForwardedOperatorCommand(const std::vector<std::string>& request,
                                           const OperatorBackend& backend);

// Starts taking operator commands on OperatorSocketPath(data_dir) for `backend` (serve calls this
// once it holds the data dir; `backend` outlives the returned server).
Result<std::unique_ptr<OperatorSocketServer>> StartOperatorSocket(
    const std::filesystem::path& data_dir, const OperatorBackend& backend);

}  // namespace ledgerdesk::tools
