// `ledgerdesk contracts add|renew`: an operator registers or extends a service contract.

#include "core/app/write_service.h"
#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/event_builder.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/operator_commands.h"

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
  if (domain::CompareDates(command.starts_on, command.ends_on) > 0) {
    return InvalidArgument("--ends " + cli.Get("ends") + " is before --starts " +
                           cli.Get("starts"));
  }
  for (const std::string& text : cli.GetAll("item")) {
    auto item = ParseItem(text);
    if (!item.ok()) return item.status().WithContext("--item " + text);
    command.items.push_back(std::move(*item));
  }
  command.organization_name = cli.Get("organization-name");
  command.partner_name = cli.Get("partner-name");
  return command;
}

// The work of one decision: runs it on the services' writer and prints the outcome.
OperatorWork DecideAndReport(std::string name, app::Decision decide, std::string done) {
  return [name = std::move(name), decide = std::move(decide),
          done = std::move(done)](const OperatorServices& services) {
    auto outcome = services.backend.writes.Execute(domain::ActorOf(v1::ROLE_OPERATOR), decide);
    if (!outcome.ok()) return Fail(services.err, name, outcome.status());
    services.out << done << " (log position " << outcome->positions.back().value << ")\n";
    return kExitOk;
  };
}

}  // namespace

OperatorCommand ContractsAddOperatorCommand() {
  OperatorCommand command;
  command.name = "contracts add";
  command.command_line = [] {
    CommandLine cli(
        "contracts add",
        "--nip NIP --number K123456 --package SOS|AHB --window 8x5|24x7 "
        "[--replacement 8h|NBD] --starts YYYY-MM-DD --ends YYYY-MM-DD "
        "--item SERIAL[:PRODUCT[:device|licence]] [--item ...] [--organization-name NAME] "
        "[--partner-name P] [LOG OPTIONS]",
        "Registers a service contract of an organization (created on first use) with "
        "its devices and licences. A running serve takes the command; otherwise it "
        "opens the data dir itself.");
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
        .Option("organization-name", "NAME", "the company's name, shown to engineers")
        .Option("partner-name", "P",
                "the reseller that sold the contract: becomes the organization's partner, whose "
                "partner accounts (staff add --role partner --partner-name P) read the tickets "
                "its customers share with them");
    return cli;
  };
  command.prepare = [](const CommandLine& cli) -> Result<OperatorWork> {
    LD_ASSIGN_OR_RETURN(domain::RegisterContract registration, ParseRegistration(cli));
    const std::string done =
        "registered contract " + registration.number.value() + " of NIP " +
        registration.nip.value() + " with " + std::to_string(registration.items.size()) +
        " item(s)" +
        (registration.partner_name.empty() ? "" : ", sold by partner " + registration.partner_name);
    return DecideAndReport(
        "contracts add",
        [registration](const domain::Model& model, const domain::CommandContext& context) {
          return domain::Decide(model, registration, context);
        },
        done);
  };
  return command;
}

OperatorCommand ContractsRenewOperatorCommand() {
  OperatorCommand command;
  command.name = "contracts renew";
  command.command_line = [] {
    CommandLine cli("contracts renew", "--number K123456 --ends YYYY-MM-DD [LOG OPTIONS]",
                    "Extends a contract to a new last day. Renewing a contract that has already "
                    "ended records the reactivation fee. A running serve takes the command; "
                    "otherwise it opens the data dir itself.");
    cli.LogOptions()
        .Option("number", "K123456", "the contract number")
        .Option("ends", "YYYY-MM-DD", "the new last day");
    return cli;
  };
  command.prepare = [](const CommandLine& cli) -> Result<OperatorWork> {
    if (!cli.Has("number") || !cli.Has("ends")) {
      return InvalidArgument("--number and --ends are required");
    }
    LD_ASSIGN_OR_RETURN(values::ContractNumber number,
                        values::ContractNumber::Parse(cli.Get("number")));
    LD_ASSIGN_OR_RETURN(v1::Date ends, domain::ParseDate(cli.Get("ends"), "--ends"));
    return DecideAndReport(
        "contracts renew",
        [number, ends](const domain::Model& model, const domain::CommandContext& context) {
          return domain::Decide(
              model,
              domain::RenewContract{
                  .number = number, .ends_on = ends, .today = domain::WarsawDate(context.now)},
              context);
        },
        "renewed contract " + number.value() + " until " + domain::FormatDate(ends));
  };
  return command;
}

int ContractsAddCommand(const Args& args) {
  return RunOperatorCommand(ContractsAddOperatorCommand(), args);
}
int ContractsRenewCommand(const Args& args) {
  return RunOperatorCommand(ContractsRenewOperatorCommand(), args);
}

}  // namespace ledgerdesk::tools
