#include "core/domain/contract/contract.h"

#include <algorithm>
#include <set>

#include "core/domain/dates.h"
#include "core/domain/model.h"
#include "core/values/ascii.h"

namespace ledgerdesk::domain {

std::string ContractStream(std::string_view number) { return "contract-" + std::string(number); }
std::string OrganizationStream(std::string_view organization_id) {
  return "organization-" + std::string(organization_id);
}
std::string OrganizationIdOf(const values::Nip& nip) { return nip.value(); }

bool IsActiveOn(const ContractState& contract, const v1::Date& day) {
  return CompareDates(contract.terms.starts_on(), day) <= 0 &&
         CompareDates(day, contract.terms.ends_on()) <= 0;
}

Result<v1::ServicePackage> ParsePackage(std::string_view text) {
  if (text == "SOS") return v1::SERVICE_PACKAGE_SOS;
  if (text == "AHB") return v1::SERVICE_PACKAGE_AHB;
  return InvalidArgument("package must be SOS or AHB");
}

Result<v1::SupportWindow> ParseSupportWindow(std::string_view text) {
  if (text == "8x5") return v1::SUPPORT_WINDOW_8X5;
  if (text == "24x7") return v1::SUPPORT_WINDOW_24X7;
  return InvalidArgument("support window must be 8x5 or 24x7");
}

Result<v1::Replacement> ParseReplacement(std::string_view text) {
  if (text.empty() || text == "none") return v1::REPLACEMENT_UNSPECIFIED;
  if (text == "8h") return v1::REPLACEMENT_8H;
  if (text == "NBD") return v1::REPLACEMENT_NBD;
  return InvalidArgument("replacement must be 8h, NBD or none");
}

Result<v1::ItemKind> ParseItemKind(std::string_view text) {
  if (text.empty() || text == "device") return v1::ITEM_KIND_DEVICE;
  if (text == "licence" || text == "license") return v1::ITEM_KIND_LICENCE;
  return InvalidArgument("item kind must be device or licence");
}

std::string_view PackageName(v1::ServicePackage package) {
  return package == v1::SERVICE_PACKAGE_AHB ? "AHB" : "SOS";
}
std::string_view SupportWindowName(v1::SupportWindow window) {
  return window == v1::SUPPORT_WINDOW_24X7 ? "24x7" : "8x5";
}
std::string_view ReplacementName(v1::Replacement replacement) {
  switch (replacement) {
    case v1::REPLACEMENT_8H:
      return "8h";
    case v1::REPLACEMENT_NBD:
      return "NBD";
    default:
      return "";
  }
}
std::string_view ItemKindName(v1::ItemKind kind) {
  return kind == v1::ITEM_KIND_LICENCE ? "licence" : "device";
}

namespace {

bool PeriodsOverlap(const v1::ContractTerms& a, const v1::ContractTerms& b) {
  return CompareDates(a.starts_on(), b.ends_on()) <= 0 &&
         CompareDates(b.starts_on(), a.ends_on()) <= 0;
}

}  // namespace

Result<std::vector<v1::Envelope>> Decide(const Model& model, const RegisterContract& command,
                                         const CommandContext& context) {
  const std::string& number = command.number.value();
  if (model.FindContract(number) != nullptr) {
    return AlreadyExists("contract " + number + " is already registered");
  }
  if (command.package == v1::SERVICE_PACKAGE_UNSPECIFIED) {
    return InvalidArgument("package must be SOS or AHB");
  }
  if (command.support_window == v1::SUPPORT_WINDOW_UNSPECIFIED) {
    return InvalidArgument("support window must be 8x5 or 24x7");
  }
  if (CompareDates(command.starts_on, command.ends_on) > 0) {
    return InvalidArgument("the contract ends (" + FormatDate(command.ends_on) +
                           ") before it starts (" + FormatDate(command.starts_on) + ")");
  }
  if (command.items.empty()) {
    return InvalidArgument("a contract needs at least one item (a device serial or licence key)");
  }
  const std::string partner_name(values::TrimAsciiSpace(command.partner_name));
  if (partner_name.size() > kMaxPartnerNameLength) {
    return InvalidArgument("the partner name is longer than " +
                           std::to_string(kMaxPartnerNameLength) + " bytes");
  }
  if (std::any_of(partner_name.begin(), partner_name.end(), values::IsAsciiControl)) {
    return InvalidArgument("the partner name holds control characters");
  }
  v1::ContractTerms terms;
  terms.set_contract_number(number);
  terms.set_organization_id(OrganizationIdOf(command.nip));
  terms.set_nip(command.nip.value());
  terms.set_package(command.package);
  terms.set_support_window(command.support_window);
  terms.set_replacement(command.replacement);
  *terms.mutable_starts_on() = command.starts_on;
  *terms.mutable_ends_on() = command.ends_on;
  std::set<std::string> serials;
  for (const auto& item : command.items) {
    const std::string& serial = item.serial.value();
    if (!serials.insert(serial).second) {
      return InvalidArgument("serial " + serial + " is listed twice on contract " + number);
    }
    for (const ContractState* other : model.ContractsWithSerial(serial)) {
      if (PeriodsOverlap(other->terms, terms)) {
        return FailedPrecondition("serial " + serial + " is already on contract " +
                                  other->terms.contract_number() +
                                  " for the same period: a serial belongs to one active contract");
      }
    }
    auto* added = terms.add_items();
    added->set_serial(serial);
    added->set_product(item.product);
    added->set_kind(item.kind);
  }

  EventBuilder events(context, [&](const std::string& s) { return model.StreamVersion(s); });
  const std::string& organization_id = terms.organization_id();
  const OrganizationState* organization = model.FindOrganization(organization_id);
  if (organization == nullptr) {
    auto* registered =
        events.Add(OrganizationStream(organization_id)).mutable_organization_registered();
    registered->set_organization_id(organization_id);
    registered->set_nip(command.nip.value());
    registered->set_name(command.organization_name);
  }
  if (!partner_name.empty() &&
      (organization == nullptr || organization->partner_name != partner_name)) {
    auto* assigned =
        events.Add(OrganizationStream(organization_id)).mutable_organization_partner_assigned();
    assigned->set_organization_id(organization_id);
    assigned->set_partner_name(partner_name);
  }
  v1::Envelope& contract = events.Add(ContractStream(number));
  if (command.legacy_contract_id.has_value()) {
    auto* imported = contract.mutable_contract_imported();
    *imported->mutable_terms() = std::move(terms);
    imported->set_legacy_contract_id(*command.legacy_contract_id);
  } else {
    *contract.mutable_contract_registered()->mutable_terms() = std::move(terms);
  }
  return events.Take();
}

Result<std::vector<v1::Envelope>> Decide(const Model& model, const RenewContract& command,
                                         const CommandContext& context) {
  const ContractState* contract = model.FindContract(command.number.value());
  if (contract == nullptr) return NotFound("no contract " + command.number.value());
  const v1::Date& current_end = contract->terms.ends_on();
  if (CompareDates(command.ends_on, current_end) <= 0) {
    return InvalidArgument("the new end date " + FormatDate(command.ends_on) +
                           " must be after the current one, " + FormatDate(current_end));
  }
  EventBuilder events(context, [&](const std::string& s) { return model.StreamVersion(s); });
  auto* renewed = events.Add(ContractStream(command.number.value())).mutable_contract_renewed();
  renewed->set_contract_number(command.number.value());
  *renewed->mutable_previous_ends_on() = current_end;
  *renewed->mutable_ends_on() = command.ends_on;
  if (CompareDates(command.today, current_end) > 0) {
    renewed->set_reactivation(true);
    renewed->mutable_reactivation_fee()->set_currency("PLN");
    renewed->mutable_reactivation_fee()->set_minor_units(kReactivationFeeGrosze);
  }
  return events.Take();
}

}  // namespace ledgerdesk::domain
