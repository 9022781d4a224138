#pragma once

// The contract aggregate (stream "contract-<number>") and the organization it creates on first use
// (stream "organization-<nip>"): service contracts registered by an operator or imported by the
// migrator, renewed, with their devices and licences.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "core/values/contract_number.h"
#include "core/values/nip.h"
#include "core/values/serial.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model;

std::string ContractStream(std::string_view number);
std::string OrganizationStream(std::string_view organization_id);
// An organization is identified by its canonical NIP.
std::string OrganizationIdOf(const values::Nip& nip);

struct ContractState {
  v1::ContractTerms terms;  // ends_on as last renewed
  int64_t legacy_contract_id = 0;
};

struct OrganizationState {
  std::string organization_id;
  std::string nip;
  std::string name;
  std::string admin_account_id;
  std::string partner_name;
};

// Active on `day`: starts_on <= day <= ends_on.
bool IsActiveOn(const ContractState& contract, const v1::Date& day);

// Text forms of the contract enums, as the command line and the API spell them.
Result<v1::ServicePackage> ParsePackage(std::string_view text);
Result<v1::SupportWindow> ParseSupportWindow(std::string_view text);
Result<v1::Replacement> ParseReplacement(std::string_view text);  // "" means none
Result<v1::ItemKind> ParseItemKind(std::string_view text);        // "" means device
std::string_view PackageName(v1::ServicePackage package);
std::string_view SupportWindowName(v1::SupportWindow window);
std::string_view ReplacementName(v1::Replacement replacement);  // "" for none
std::string_view ItemKindName(v1::ItemKind kind);

struct ContractItemInput {
  values::Serial serial;
  std::string product;
  v1::ItemKind kind = v1::ITEM_KIND_DEVICE;
};

// Registers a contract of the organization with `nip`, creating the organization on first use.
// `legacy_contract_id` set: the migrator imports it (ContractImported instead of
// ContractRegistered).
struct RegisterContract {
  values::Nip nip;
  values::ContractNumber number;
  v1::ServicePackage package = v1::SERVICE_PACKAGE_UNSPECIFIED;
  v1::SupportWindow support_window = v1::SUPPORT_WINDOW_UNSPECIFIED;
  v1::Replacement replacement = v1::REPLACEMENT_UNSPECIFIED;
  v1::Date starts_on;
  v1::Date ends_on;
  std::vector<ContractItemInput> items;
  std::string organization_name;
  std::optional<int64_t> legacy_contract_id;
  // The reseller that sold the contract: assigned to the organization as its partner (whose
  // partner accounts then read the tickets the customers open to them) when it differs from the
  // one it has. Empty leaves the organization's partner as it is.
  std::string partner_name;
};

inline constexpr size_t kMaxPartnerNameLength = 200;

// Errors: kAlreadyExists for a number already registered; kInvalidArgument for missing terms, a
// start after the end, no items, a serial twice, a partner name with control characters or longer
// than kMaxPartnerNameLength; kFailedPrecondition for a serial that is on
// another contract active in the same period.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RegisterContract& command,
                                         const CommandContext& context);

// Extends a contract to `ends_on`. Renewing one that has already ended on `today` records the
// reactivation fee.
struct RenewContract {
  values::ContractNumber number;
  v1::Date ends_on;
  v1::Date today;  // the operator's local date (Europe/Warsaw)
};

inline constexpr int64_t kReactivationFeeGrosze = 50000;  // 500.00 PLN, the price list's fee

// Errors: kNotFound for an unknown contract; kInvalidArgument when the new end is not after the
// current one.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RenewContract& command,
                                         const CommandContext& context);

}  // namespace ledgerdesk::domain
