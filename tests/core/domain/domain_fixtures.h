#pragma once

// Commands and callers the domain tests share.

#include <string>

#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/ticket/ticket.h"
#include "core/values/email.h"

namespace ledgerdesk::testing {

inline values::Nip NipOf(const std::string& text) { return *values::Nip::Parse(text); }
inline values::Serial SerialOf(const std::string& text) { return *values::Serial::Parse(text); }
inline values::ContractNumber NumberOf(const std::string& text) {
  return *values::ContractNumber::Parse(text);
}
inline values::Email EmailOf(const std::string& text) { return *values::Email::Parse(text); }
// A stand-in for crypto::EmailIndex: the same for every spelling of one address.
inline std::string IndexOf(const std::string& email) {
  return "index:" + EmailOf(email).LookupKey();
}

inline constexpr const char* kNipA = "5260250274";
inline constexpr const char* kNipB = "7251801126";

// An 8x5 SOS contract for the whole of 2026 with two devices.
inline domain::RegisterContract ContractOf(const std::string& nip, const std::string& number,
                                           const std::string& serial1 = "FG100",
                                           const std::string& serial2 = "FG200") {
  domain::RegisterContract command{.nip = NipOf(nip), .number = NumberOf(number)};
  command.package = v1::SERVICE_PACKAGE_SOS;
  command.support_window = v1::SUPPORT_WINDOW_8X5;
  command.replacement = v1::REPLACEMENT_NBD;
  command.starts_on = domain::MakeDate(2026, 1, 1);
  command.ends_on = domain::MakeDate(2026, 12, 31);
  command.items.push_back({.serial = SerialOf(serial1), .product = "FortiGate 60F"});
  command.items.push_back({.serial = SerialOf(serial2), .product = "FortiGate 100F"});
  return command;
}

inline domain::Caller CustomerOf(const std::string& organization_id,
                                 const std::string& account_id = "alice") {
  return {.account_id = account_id, .role = v1::ROLE_CUSTOMER, .organization_id = organization_id};
}
inline domain::Caller Engineer(const std::string& account_id = "eve") {
  return {.account_id = account_id, .role = v1::ROLE_ENGINEER};
}
inline domain::Caller PartnerOf(const std::string& partner_name) {
  return {.account_id = "pat", .role = v1::ROLE_PARTNER, .partner_name = partner_name};
}

// Response due one hour later, whatever the window (the SLA calendar is tested on its own).
inline std::chrono::system_clock::time_point DueInAnHour(std::chrono::system_clock::time_point at,
                                                         v1::SupportWindow) {
  return at + std::chrono::hours(1);
}

}  // namespace ledgerdesk::testing
