// `ledgerdesk staff add`: an operator creates an engineer or partner account and hands over a
// one-time set-password token.

#include "core/crypto/keyed_hash.h"
#include "core/crypto/tokens.h"
#include "core/domain/account/account.h"
#include "core/domain/event_builder.h"
#include "core/log/envelope_codec.h"
#include "core/values/ascii.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/operator_commands.h"

namespace ledgerdesk::tools {

OperatorCommand StaffAddOperatorCommand() {
  OperatorCommand command;
  command.name = "staff add";
  command.command_line = [] {
    CommandLine cli("staff add",
                    "--email E --name N --role engineer|partner [--partner-name P] [LOG OPTIONS]",
                    "Creates an engineer or partner account and prints a one-time set-password "
                    "token (valid 7 days) that its owner uses with POST "
                    "/api/v1/password-resets/confirm. A running serve takes the command; "
                    "otherwise it opens the data dir itself.");
    cli.LogOptions()
        .Option("email", "E", "the staff member's e-mail address")
        .Option("name", "N", "their full name")
        .Option("role", "engineer|partner",
                "engineers answer tickets; partners read consented ones")
        .Option("partner-name", "P", "partners: the reseller they work for");
    return cli;
  };
  command.prepare = [](const CommandLine& cli) -> Result<OperatorWork> {
    for (const char* required : {"email", "name", "role"}) {
      if (!cli.Has(required)) return InvalidArgument(std::string("--") + required + " is required");
    }
    LD_ASSIGN_OR_RETURN(values::Email email, values::Email::Parse(cli.Get("email")));
    if (values::TrimAsciiSpace(cli.Get("name")).empty()) {
      return InvalidArgument("--name is required: the person's full name");
    }
    const std::string role_text = cli.Get("role");
    if (role_text != "engineer" && role_text != "partner") {
      return InvalidArgument("--role takes engineer or partner");
    }
    const v1::Role role = role_text == "engineer" ? v1::ROLE_ENGINEER : v1::ROLE_PARTNER;
    if (role == v1::ROLE_PARTNER && cli.Get("partner-name").empty()) {
      return InvalidArgument("a partner needs --partner-name (the reseller they work for)");
    }
    return OperatorWork([email, role, role_text, name = cli.Get("name"),
                         partner_name = cli.Get("partner-name")](const OperatorServices& services) {
      const OperatorBackend& backend = services.backend;
      auto email_index = crypto::EmailIndex(backend.index_key, email);
      if (!email_index.ok()) return Fail(services.err, "staff add", email_index.status());
      const std::string account_id = log::Hex(log::RandomEventId());
      const std::string token = crypto::GenerateToken();
      const v1::Actor operator_actor = domain::ActorOf(v1::ROLE_OPERATOR);
      auto outcome =
          backend.writes.Execute(operator_actor, [&](const auto& model, const auto& context) {
            return domain::Decide(
                model,
                domain::CreateStaffAccount{.account_id = account_id,
                                           .role = role,
                                           .email = email,
                                           .email_index = *email_index,
                                           .name = name,
                                           .partner_name = partner_name,
                                           .set_password_token_hash = crypto::HashToken(token)},
                context, backend.personal);
          });
      if (!outcome.ok()) return Fail(services.err, "staff add", outcome.status());
      services.out << "created " << role_text << " account " << account_id << "\n"
                   << "one-time set-password token (valid 7 days; shown only now):\n"
                   << token << "\n";
      return kExitOk;
    });
  };
  return command;
}

int StaffAddCommand(const Args& args) {
  return RunOperatorCommand(StaffAddOperatorCommand(), args);
}

}  // namespace ledgerdesk::tools
