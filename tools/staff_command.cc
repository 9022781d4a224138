// `ledgerdesk staff add`: an operator creates an engineer or partner account and hands over a
// one-time set-password token.

#include <iostream>

#include "core/app/index_key.h"
#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/crypto/keyed_hash.h"
#include "core/crypto/subject_key_store.h"
#include "core/crypto/tokens.h"
#include "core/domain/account/account.h"
#include "core/log/envelope_codec.h"
#include "core/log/log_factory.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace ledgerdesk::tools {

int StaffAddCommand(const Args& args) {
  CommandLine cli("staff add",
                  "--email E --name N --role engineer|partner [--partner-name P] [LOG OPTIONS]",
                  "Creates an engineer or partner account and prints a one-time set-password "
                  "token (valid 7 days) that its owner uses with POST "
                  "/api/v1/password-resets/confirm. Works with serve stopped for now.");
  cli.LogOptions()
      .Option("email", "E", "the staff member's e-mail address")
      .Option("name", "N", "their full name")
      .Option("role", "engineer|partner", "engineers answer tickets; partners read consented ones")
      .Option("partner-name", "P", "partners: the reseller they work for");
  if (auto exit = cli.Parse(args)) return *exit;
  for (const char* required : {"email", "name", "role"}) {
    if (!cli.Has(required)) return cli.UsageError(std::string("--") + required + " is required");
  }
  auto email = values::Email::Parse(cli.Get("email"));
  if (!email.ok()) return cli.UsageError(email.status().message());
  const std::string role_text = cli.Get("role");
  if (role_text != "engineer" && role_text != "partner") {
    return cli.UsageError("--role takes engineer or partner");
  }
  const v1::Role role = role_text == "engineer" ? v1::ROLE_ENGINEER : v1::ROLE_PARTNER;
  if (role == v1::ROLE_PARTNER && cli.Get("partner-name").empty()) {
    return cli.UsageError("a partner needs --partner-name (the reseller they work for)");
  }
  auto log_options = cli.GetLogOptions();
  if (!log_options.ok()) return cli.UsageError(log_options.status().message());

  auto log = log::OpenLog(*log_options);
  if (!log.ok()) return Fail("staff add", log.status());
  auto keys = crypto::OpenFileSubjectKeyStore(log_options->data_dir / "keys");
  if (!keys.ok()) return Fail("staff add", keys.status());
  auto index_key = app::LoadOrCreateIndexKey(log_options->data_dir / "keys" / "email-index.key");
  if (!index_key.ok()) return Fail("staff add", index_key.status());
  auto email_index = crypto::EmailIndex(*index_key, *email);
  if (!email_index.ok()) return Fail("staff add", email_index.status());
  app::PersonalData personal(**keys);
  auto service = app::WriteService::Start(**log);
  if (!service.ok()) return Fail("staff add", service.status());

  const std::string account_id = log::Hex(log::RandomEventId());
  const std::string token = crypto::GenerateToken();
  v1::Actor operator_actor;
  operator_actor.set_role(v1::ROLE_OPERATOR);
  auto outcome = (*service)->Execute(operator_actor, [&](const auto& model, const auto& context) {
    return domain::Decide(
        model,
        domain::CreateStaffAccount{.account_id = account_id,
                                   .role = role,
                                   .email = *email,
                                   .email_index = *email_index,
                                   .name = cli.Get("name"),
                                   .partner_name = cli.Get("partner-name"),
                                   .set_password_token_hash = crypto::HashToken(token)},
        context, personal);
  });
  if (!outcome.ok()) return Fail("staff add", outcome.status());
  std::cout << "created " << role_text << " account " << account_id << "\n"
            << "one-time set-password token (valid 7 days; shown only now):\n"
            << token << "\n";
  return kExitOk;
}

}  // namespace ledgerdesk::tools
