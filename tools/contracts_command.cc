// `ledgerdesk contracts add|renew`: an operator registers or extends a service contract.

#include <iostream>

#include "core/app/write_service.h"
#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/log/log_factory.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {
namespace {

// SERIAL[:PRODUCT[:device|licence]]
Result<domain::ContractItemInput> ParseItem(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; parts.size() < 2 && (colon = text.find(':', start)) != std::string::npos;
       start = colon + 1) {
    parts.push_back(text.substr(start, colon - start));
  }
  parts.push_back(text.substr(start));
  LD_ASSIGN_OR_RETURN(values::Serial serial, values::Serial::Parse(parts[0]));
  domain::ContractItemInput item{.serial = std::move(serial)};
  if (parts.size() > 1) item.product = parts[1];
  if (parts.size() > 2) {
    LD_ASSIGN_OR_RETURN(item.kind, domain::ParseItemKind(parts[2]));
  }
  return item;
}

Result<domain::RegisterContract> ParseRegistration(const CommandLine& cli) {
  for (const char* required : {"nip", "number", "package", "window", "starts", "ends", "item"}) {
    if (!cli.Has(required)) return InvalidArgument(std::string("--") + required + " is required");
  }
  LD_ASSIGN_OR_RETURN(values::Nip nip, values::Nip::Parse(cli.Get("nip")));
  LD_ASSIGN_OR_RETURN(values::ContractNumber number,
                      values::ContractNumber::Parse(cli.Get("number")));
  domain::RegisterContract command{.nip = std::move(nip), .number = std::move(number)};
  LD_ASSIGN_OR_RETURN(command.package, domain::ParsePackage(cli.Get("package")));
  LD_ASSIGN_OR_RETURN(command.support_window, domain::ParseSupportWindow(cli.Get("window")));
  LD_ASSIGN_OR_RETURN(command.replacement, domain::ParseReplacement(cli.Get("replacement")));
  LD_ASSIGN_OR_RETURN(command.starts_on, domain::ParseDate(cli.Get("starts"), "--starts"));
  LD_ASSIGN_OR_RETURN(command.ends_on, domain::ParseDate(cli.Get("ends"), "--ends"));
  for (const std::string& text : cli.GetAll("item")) {
    auto item = ParseItem(text);
    if (!item.ok()) return item.status().WithContext("--item " + text);
    command.items.push_back(std::move(*item));
  }
  command.organization_name = cli.Get("organization-name");
  return command;
}

v1::Actor Operator() {
  v1::Actor actor;
  actor.set_role(v1::ROLE_OPERATOR);
  return actor;
}

// Opens the data dir's log and the write service on it, runs one decision, prints the outcome.
int RunOnLog(const std::string& name, const CommandLine& cli, const app::Decision& decide,
             const std::string& done) {
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());
  auto log = log::OpenLog(*log_options);
  if (!log.ok()) {
    Status status = log.status();
    if (status.code() == StatusCode::kUnavailable) {
      // Handing the command to the running writer comes with the portal API.
      status = Status(status.code(), status.message() + " (stop serve first for now)");
    }
    return Fail(name, status);
  }
  auto service = app::WriteService::Start(**log);
  if (!service.ok()) return Fail(name, service.status());
  auto outcome = (*service)->Execute(Operator(), decide);
  if (!outcome.ok()) return Fail(name, outcome.status());
  std::cout << done << " (log position " << outcome->positions.back().value << ")\n";
  return kExitOk;
}

int Add(const Args& args) {
  CommandLine cli("contracts add",
                  "--nip NIP --number K123456 --package SOS|AHB --window 8x5|24x7 "
                  "[--replacement 8h|NBD] --starts YYYY-MM-DD --ends YYYY-MM-DD "
                  "--item SERIAL[:PRODUCT[:device|licence]] [--item ...]",
                  "Registers a service contract of an organization (created on first use) with "
                  "its devices and licences.");
  cli.LogOptions()
      .Option("nip", "NIP", "the organization's tax id: 10 digits, 'PL' prefix allowed")
      .Option("number", "K123456", "the contract number: a capital letter and six digits")
      .Option("package", "SOS|AHB", "the service package")
      .Option("window", "8x5|24x7", "when the one-hour response time runs")
      .Option("replacement", "8h|NBD", "hardware replacement time (none when left out)")
      .Option("starts", "YYYY-MM-DD", "first day of the contract")
      .Option("ends", "YYYY-MM-DD", "last day of the contract")
      .Option("item", "SERIAL[:PRODUCT[:KIND]]", "a device or licence on the contract (repeat)",
              true)
      .Option("organization-name", "NAME", "the company's name, shown to engineers");
  if (auto exit = cli.Parse(args)) return *exit;
  auto command = ParseRegistration(cli);
  if (!command.ok()) return cli.UsageError(command.status().message());
  return RunOnLog(
      "contracts add", cli,
      [&](const domain::Model& model, const domain::CommandContext& context) {
        return domain::Decide(model, *command, context);
      },
      "registered contract " + command->number.value() + " of NIP " + command->nip.value() +
          " with " + std::to_string(command->items.size()) + " item(s)");
}

int Renew(const Args& args) {
  CommandLine cli("contracts renew", "--number K123456 --ends YYYY-MM-DD",
                  "Extends a contract to a new last day. Renewing a contract that has already "
                  "ended records the reactivation fee.");
  cli.LogOptions()
      .Option("number", "K123456", "the contract number")
      .Option("ends", "YYYY-MM-DD", "the new last day");
  if (auto exit = cli.Parse(args)) return *exit;
  if (!cli.Has("number") || !cli.Has("ends"))
    return cli.UsageError("--number and --ends are required");
  auto number = values::ContractNumber::Parse(cli.Get("number"));
  if (!number.ok()) return cli.UsageError(number.status().message());
  auto ends = domain::ParseDate(cli.Get("ends"), "--ends");
  if (!ends.ok()) return cli.UsageError(ends.status().message());
  return RunOnLog(
      "contracts renew", cli,
      [&](const domain::Model& model, const domain::CommandContext& context) {
        return domain::Decide(
            model,
            domain::RenewContract{
                .number = *number, .ends_on = *ends, .today = domain::WarsawDate(context.now)},
            context);
      },
      "renewed contract " + number->value() + " until " + domain::FormatDate(*ends));
}

}  // namespace

int ContractsAddCommand(const Args& args) { return Add(args); }
int ContractsRenewCommand(const Args& args) { return Renew(args); }

}  // namespace ledgerdesk::tools
