// Registration and access (spec/http-api.md "Registration and access"): thin over the account
// service, which holds the rules, the hashing and the tokens.

#include "core/domain/account/account.h"
#include "core/values/ascii.h"
#include "tools/http/api_context.h"
#include "tools/http/api_errors.h"
#include "tools/http/json_request.h"
#include "tools/http/json_views.h"

namespace ledgerdesk::tools::http {
namespace {

Answer Register(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(auto fields,
                      api.RequiredFields(request, {"email", "password", "name", "phone", "nip"}));
  app::RegistrationInput input{.email = fields["email"],
                               .password = fields["password"],
                               .name = fields["name"],
                               .phone = fields["phone"],
                               .nip = fields["nip"]};
  LD_ASSIGN_OR_RETURN(auto registered,
                      api.services.accounts.Register(input, ApiContext::RequestKey(request, "")));
  Poco::JSON::Object out;
  out.set("account_id", registered.account_id);
  out.set("position", LastPosition(registered.position));
  return Json(201, out);
}

Answer Confirm(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"token"}));
  return api.Written(api.services.accounts.ConfirmEmail(fields["token"]), 200);
}

Answer LogIn(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(Poco::JSON::Object::Ptr body, api.Body(request));
  LD_ASSIGN_OR_RETURN(std::string email, StringField(*body, "email"));
  LD_ASSIGN_OR_RETURN(std::string password, StringField(*body, "password"));
  LD_ASSIGN_OR_RETURN(std::optional<std::string> totp, OptionalStringField(*body, "totp_code"));
  // An empty code is no code (a form's empty field): asked for, not counted as a wrong guess.
  std::optional<std::string_view> code;
  if (totp.has_value() && !values::TrimAsciiSpace(*totp).empty()) code = *totp;
  LD_ASSIGN_OR_RETURN(auto session, api.services.accounts.Login(email, password, code));
  Poco::JSON::Object out;
  out.set("token", session.token);
  out.set("expires_at", Rfc3339(session.expires_at));
  out.set("position", LastPosition(session.position));
  return Json(201, out);
}

Answer LogOut(ApiContext& api, ApiRequest& request) {
  LD_RETURN_IF_ERROR(api.services.accounts.Logout(BearerToken(request.http)).status());
  return NoContent();
}

// Reads of the caller's own account wait until the projections have what the session's writer
// has (a session sees its own changes without passing min_position).
Status CaughtUpWithOwnWrites(ApiContext& api, const ApiRequest& request) {
  if (!request.Query("min_position").empty()) return api.CaughtUp(request);
  api.services.projections.WaitFor(api.services.writes.end(), std::chrono::seconds(5));
  return OkStatus();
}

Poco::JSON::Object AccountJson(const ApiContext& api, const projections::AccountView& account) {
  Poco::JSON::Object out;
  out.set("account_id", account.account_id);
  out.set("email", api.Open(account.email));
  out.set("name", api.Open(account.name));
  out.set("phone", api.Open(account.phone));
  out.set("nip", account.nip);
  out.set("verified", !account.organization_id.empty());
  out.set("totp_enabled", account.totp_enabled);
  out.set("role", std::string(RoleName(account.role)));
  // The organization's first verified account, who invites colleagues (a portal shows it the way).
  out.set("organization_admin", account.organization_admin);
  return out;
}

Answer Account(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(CaughtUpWithOwnWrites(api, request));
  LD_ASSIGN_OR_RETURN(auto account,
                      projections::GetAccount(*api.Views(), caller, caller.account_id));
  return Json(200, AccountJson(api, account));
}

Answer ListColleagues(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_RETURN_IF_ERROR(CaughtUpWithOwnWrites(api, request));
  LD_ASSIGN_OR_RETURN(auto members, projections::ListMembers(*api.Views(), caller));
  Poco::JSON::Array out;
  for (const auto& member : members) {
    Poco::JSON::Object one = AccountJson(api, member);
    one.set("organization_admin", member.organization_admin);
    out.add(one);
  }
  return Json(200, out);
}

Answer Verify(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"contract_number", "serial"}));
  LD_ASSIGN_OR_RETURN(
      auto verified,
      api.services.accounts.Verify(caller.account_id, fields["contract_number"], fields["serial"]));
  LD_ASSIGN_OR_RETURN(domain::Caller now_verified, api.Caller(request));
  // The answer lists the contracts once the projections have applied the verification.
  if (!api.services.projections.WaitFor(verified.position, std::chrono::seconds(5))) {
    return NotCaughtUp(LastPosition(verified.position));
  }
  LD_ASSIGN_OR_RETURN(Poco::JSON::Array contracts, ContractsJson(api, now_verified));
  Poco::JSON::Object out;
  out.set("organization_nip", now_verified.organization_id);
  out.set("contracts", contracts);
  out.set("position", LastPosition(verified.position));
  return Json(200, out);
}

Answer StartTotp(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto setup, api.services.accounts.StartTotp(caller.account_id));
  Poco::JSON::Object out;
  out.set("secret", setup.secret_base32);
  out.set("otpauth_uri", setup.otpauth_uri);
  out.set("position", LastPosition(setup.position));
  return Json(201, out);
}

Answer ConfirmTotp(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"code"}));
  return api.Written(api.services.accounts.ConfirmTotp(caller.account_id, fields["code"]), 200);
}

Answer ChangePassword(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto fields,
                      api.RequiredFields(request, {"current_password", "new_password"}));
  LD_RETURN_IF_ERROR(
      api.services.accounts
          .ChangePassword(caller.account_id, fields["current_password"], fields["new_password"])
          .status());
  return NoContent();
}

Answer ChangeEmail(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"current_password", "new_email"}));
  return api.Written(api.services.accounts.RequestEmailChange(
                         caller.account_id, fields["current_password"], fields["new_email"]),
                     202);
}

Answer ConfirmEmailChange(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"token"}));
  return api.Written(api.services.accounts.ConfirmEmailChange(fields["token"]), 200);
}

Answer RequestReset(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"email"}));
  // 202 always for a well-formed address: the answer tells nobody whether it has an account.
  auto requested = api.services.accounts.RequestPasswordReset(fields["email"]);
  if (!requested.ok() && requested.status().code() == StatusCode::kInvalidArgument) {
    return requested.status();
  }
  return Json(202, Poco::JSON::Object());
}

Answer CompleteReset(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"token", "new_password"}));
  LD_RETURN_IF_ERROR(
      api.services.accounts.CompletePasswordReset(fields["token"], fields["new_password"])
          .status());
  return NoContent();
}

Answer InviteColleague(ApiContext& api, ApiRequest& request) {
  LD_ASSIGN_OR_RETURN(domain::Caller caller, api.Caller(request));
  LD_ASSIGN_OR_RETURN(auto fields, api.RequiredFields(request, {"email", "name", "phone"}));
  LD_ASSIGN_OR_RETURN(auto invited, api.services.accounts.InviteColleague(
                                        caller, fields["email"], fields["name"], fields["phone"]));
  Poco::JSON::Object out;
  out.set("account_id", invited.account_id);
  out.set("position", LastPosition(invited.position));
  return Json(201, out);
}

}  // namespace

std::vector<Route> AccountRoutes() {
  using enum Access;
  return {
      {"POST",
       "/api/v1/registrations",
       "register an account (e-mails a confirmation link)",
       201,
       kPublic,
       {"email", "password", "name", "phone", "nip"},
       Register},
      {"POST",
       "/api/v1/registrations/confirm",
       "confirm the e-mail address with its token",
       200,
       kPublic,
       {"token"},
       Confirm},
      {"POST",
       "/api/v1/sessions",
       "log in (with a TOTP code when two-factor is on)",
       201,
       kPublic,
       {"email", "password", "totp_code?"},
       LogIn},
      {"DELETE",
       "/api/v1/sessions/current",
       "log out: the token stops working",
       204,
       kSession,
       {},
       LogOut},
      {"GET", "/api/v1/account", "the caller's account", 200, kSession, {}, Account},
      {"POST",
       "/api/v1/account/verification",
       "prove membership of the organization with a contract number and a serial on it",
       200,
       kSession,
       {"contract_number", "serial"},
       Verify},
      {"POST",
       "/api/v1/account/totp",
       "start two-factor set-up (RFC 6238)",
       201,
       kSession,
       {},
       StartTotp},
      {"POST",
       "/api/v1/account/totp/confirm",
       "turn two-factor on with a first code",
       200,
       kSession,
       {"code"},
       ConfirmTotp},
      {"PUT",
       "/api/v1/account/password",
       "change the password (ends every session of the account, this one too)",
       204,
       kSession,
       {"current_password", "new_password"},
       ChangePassword},
      {"PUT",
       "/api/v1/account/email",
       "change the e-mail address once the new one confirms",
       202,
       kSession,
       {"current_password", "new_email"},
       ChangeEmail},
      {"POST",
       "/api/v1/account/email/confirm",
       "confirm a new e-mail address with its token",
       200,
       kPublic,
       {"token"},
       ConfirmEmailChange},
      {"POST",
       "/api/v1/password-resets",
       "e-mail a one-time reset token (202 always)",
       202,
       kPublic,
       {"email"},
       RequestReset},
      {"POST",
       "/api/v1/password-resets/confirm",
       "set a new password with a reset, set-password or invitation token (also unlocks)",
       204,
       kPublic,
       {"token", "new_password"},
       CompleteReset},
      {"POST",
       "/api/v1/organization/users",
       "the organization's administrator invites a colleague (e-mailed a set-password link)",
       201,
       kAdministrator,
       {"email", "name", "phone"},
       InviteColleague},
      {"GET",
       "/api/v1/organization/users",
       "the verified members of the caller's organization",
       200,
       kSession,
       {},
       ListColleagues},
  };
}

}  // namespace ledgerdesk::tools::http
