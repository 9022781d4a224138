#include "projections/subject_index_projection.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>

#include "core/log/envelope_codec.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr std::string_view kCf = kSubjectIndexColumnFamily;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool NamesAccount(std::string_view field) {
  return field == "account_id" || field == "subject_id" || EndsWith(field, "_account_id") ||
         EndsWith(field, "_account_ids") || EndsWith(field, "_by");
}

// What one event names, collected from its payload.
struct Named {
  std::set<std::string> accounts;
  std::set<std::string> organizations;
  std::set<std::string> nips;
  std::set<std::string> tickets;
  std::vector<std::pair<std::string, std::string>> nip_of_org;        // nip, organization
  std::vector<std::pair<std::string, std::string>> email_of_account;  // hmac, account
};

void Collect(const Message& message, Named& named) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  std::string account, organization, nip;
  std::vector<std::string> hmacs;
  for (const FieldDescriptor* field : fields) {
    const std::string& name = field->name();
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          Collect(reflection->GetRepeatedMessage(message, field, i), named);
        }
      } else {
        Collect(reflection->GetMessage(message, field), named);
      }
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) continue;
    if (field->type() == FieldDescriptor::TYPE_BYTES) {
      if ((name == "email_index" || name == "new_email_index") && !field->is_repeated()) {
        hmacs.push_back(reflection->GetString(message, field));
      }
      continue;
    }
    std::vector<std::string> texts;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        texts.push_back(reflection->GetRepeatedString(message, field, i));
      }
    } else {
      texts.push_back(reflection->GetString(message, field));
    }
    for (auto& text : texts) {
      if (text.empty()) continue;
      if (NamesAccount(name)) {
        if (name == "account_id" || (name == "subject_id" && account.empty())) account = text;
        named.accounts.insert(std::move(text));
      } else if (name == "organization_id") {
        organization = text;
        named.organizations.insert(std::move(text));
      } else if (name == "nip") {
        nip = text;
        named.nips.insert(std::move(text));
      } else if (name == "ticket_id") {
        named.tickets.insert(std::move(text));
      }
    }
  }
  if (!nip.empty() && !organization.empty()) named.nip_of_org.emplace_back(nip, organization);
  for (auto& hmac : hmacs) {
    if (!hmac.empty() && !account.empty()) named.email_of_account.emplace_back(hmac, account);
  }
}

// Index entries are never read back by the fold.
Status PutEmpty(RowSink& rows, const std::string& key) { return rows.PutWriteOnly(kCf, key, ""); }

// Calls `visit` with the last key part of every row under `prefix`.
Status ScanLastParts(const RowReader& rows, const std::string& prefix,
                     std::vector<std::string>& out) {
  return rows.ScanPrefix(kCf, prefix, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(prefix.size()));
    return true;
  });
}

std::string Unescape(std::string_view part) {
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '%' && i + 2 < part.size()) {
      out += static_cast<char>(std::stoi(std::string(part.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += part[i];
    }
  }
  return out;
}

}  // namespace

Status SubjectIndexProjection::Apply(const log::LogRecord& record, const v1::Envelope& envelope,
                                     RowSink& rows) const {
  Named named;
  const auto* field = v1::Envelope::descriptor()->FindFieldByNumber(envelope.payload_case());
  if (field == nullptr) return OkStatus();
  const Message& payload = envelope.GetReflection()->GetMessage(envelope, field);
  Collect(payload, named);
  if (!envelope.actor().account_id().empty()) named.accounts.insert(envelope.actor().account_id());

  const bool opens_ticket = envelope.has_ticket_opened() || envelope.has_ticket_imported();
  if (opens_ticket) {
    const std::string& ticket = envelope.has_ticket_opened()
                                    ? envelope.ticket_opened().ticket_id()
                                    : envelope.ticket_imported().ticket_id();
    const std::string& org = envelope.has_ticket_opened()
                                 ? envelope.ticket_opened().organization_id()
                                 : envelope.ticket_imported().organization_id();
    // An imported ticket's opener is a legacy contact (empty when the legacy row named none).
    const std::string& opener = envelope.has_ticket_opened()
                                    ? envelope.ticket_opened().opened_by()
                                    : envelope.ticket_imported().opened_by();
    LD_RETURN_IF_ERROR(rows.Put(kCf, "ticket/" + rows::KeyPart(ticket), org + "\n" + opener));
  }
  for (const auto& ticket : named.tickets) {
    LD_ASSIGN_OR_RETURN(auto owner, rows.Get(kCf, "ticket/" + rows::KeyPart(ticket)));
    if (!owner) continue;
    const size_t newline = owner->find('\n');
    const std::string org = owner->substr(0, newline);
    const std::string opener = newline == std::string::npos ? "" : owner->substr(newline + 1);
    if (!org.empty()) named.organizations.insert(org);
    if (!opener.empty()) named.accounts.insert(opener);
  }
  for (const auto& [nip, org] : named.nip_of_org) {
    LD_RETURN_IF_ERROR(PutEmpty(rows, "nip/" + rows::KeyPart(nip) + "/" + rows::KeyPart(org)));
  }
  for (const auto& [hmac, account] : named.email_of_account) {
    LD_RETURN_IF_ERROR(PutEmpty(rows, "email/" + log::Hex(hmac) + "/" + rows::KeyPart(account)));
  }
  const std::string position = rows::Hex16(record.position.value);
  for (const auto& account : named.accounts) {
    LD_RETURN_IF_ERROR(PutEmpty(rows, "account/" + rows::KeyPart(account) + "/" + position));
  }
  for (const auto& org : named.organizations) {
    LD_RETURN_IF_ERROR(PutEmpty(rows, "org/" + rows::KeyPart(org) + "/" + position));
  }
  return OkStatus();
}

Result<SubjectMatch> FindSubject(const RowReader& rows, const SubjectQuery& query) {
  SubjectMatch match;
  std::vector<std::string> parts;
  if (!query.email_index.empty()) {
    LD_RETURN_IF_ERROR(ScanLastParts(rows, "email/" + log::Hex(query.email_index) + "/", parts));
    for (const auto& part : parts) match.accounts.push_back(Unescape(part));
  }
  parts.clear();
  if (!query.nip.empty()) {
    LD_RETURN_IF_ERROR(ScanLastParts(rows, "nip/" + rows::KeyPart(query.nip) + "/", parts));
    for (const auto& part : parts) match.organizations.push_back(Unescape(part));
  }
  std::vector<uint64_t> positions;
  auto add_positions = [&](const std::string& prefix) -> Status {
    parts.clear();
    LD_RETURN_IF_ERROR(ScanLastParts(rows, prefix, parts));
    for (const auto& part : parts) positions.push_back(std::stoull(part, nullptr, 16));
    return OkStatus();
  };
  for (const auto& account : match.accounts) {
    LD_RETURN_IF_ERROR(add_positions("account/" + rows::KeyPart(account) + "/"));
  }
  for (const auto& org : match.organizations) {
    LD_RETURN_IF_ERROR(add_positions("org/" + rows::KeyPart(org) + "/"));
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  for (uint64_t position : positions) match.positions.push_back(log::Position{position});
  return match;
}

Result<std::optional<std::string>> LayeredRows::Get(std::string_view cf, std::string_view key) {
  return static_cast<const LayeredRows&>(*this).Get(cf, key);
}

Result<std::optional<std::string>> LayeredRows::Get(std::string_view cf,
                                                    std::string_view key) const {
  const auto& top = top_.rows(cf);
  if (auto it = top.find(key); it != top.end()) return std::optional<std::string>(it->second);
  return base_.Get(cf, key);
}

Status LayeredRows::Put(std::string_view cf, std::string_view key, std::string_view value) {
  return top_.Put(cf, key, value);
}

Status LayeredRows::Delete(std::string_view, std::string_view) {
  return Internal("LayeredRows holds no deletes");
}

Status LayeredRows::ScanPrefix(
    std::string_view cf, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit) const {
  std::map<std::string, std::string, std::less<>> merged;
  LD_RETURN_IF_ERROR(
      base_.ScanPrefix(cf, prefix, [&](std::string_view key, std::string_view value) {
        merged.emplace(std::string(key), std::string(value));
        return true;
      }));
  const auto& top = top_.rows(cf);
  for (auto it = top.lower_bound(prefix);
       it != top.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix; ++it) {
    merged[it->first] = it->second;
  }
  for (const auto& [key, value] : merged) {
    if (!visit(key, value)) break;
  }
  return OkStatus();
}

}  // namespace ledgerdesk::projections
