#include "projections/subject_index_projection.h"

#include <absl/container/inlined_vector.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "core/domain/account/account.h"
#include "core/log/envelope_codec.h"
#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"

namespace ledgerdesk::projections {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr std::string_view kCf = kSubjectIndexColumnFamily;
constexpr std::string_view kTicketPrefix = "ticket/";
constexpr std::string_view kAccountPrefix = "account/";
constexpr std::string_view kOrganizationPrefix = "org/";
constexpr std::string_view kContractPrefix = "contract/";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool NamesAccount(std::string_view field) {
  return field == "account_id" || field == "subject_id" || EndsWith(field, "_account_id") ||
         EndsWith(field, "_account_ids") || EndsWith(field, "_by");
}

// What a field of a payload tells about subjects.
enum class Names {
  kAccount,       // a string naming an account (`account_id` or `subject_id`: the message's own)
  kOrganization,  // organization_id
  kNip,
  kContract,    // contract_number
  kTicket,      // ticket_id
  kEmailIndex,  // the keyed hash of an address, of the message's own account
  kMessage,     // a message with fields of these kinds
};

struct TypePlan;

struct PlannedField {
  const FieldDescriptor* field;
  Names names;
  bool repeated;
  bool own_account;                     // account_id: the message's own account
  bool own_account_if_none;             // subject_id: its own account unless it has an account_id
  const TypePlan* fields_of = nullptr;  // kMessage: the message type's plan
};

// The fields of one message type that name subjects (or lead to some that do), in field number
// order, and the type's reflection.
struct TypePlan {
  const google::protobuf::Reflection* reflection = nullptr;
  std::vector<PlannedField> fields;
};

// The plans of every payload type and the messages within, worked out once from the
// descriptors: reflection over every field of every event, and finding descriptors and
// reflections again for each message, were most of what the index cost.
class Plans {
 public:
  static const Plans& Get() {
    static const Plans plans;
    return plans;
  }
  // The payload field of `envelope` and its type's plan; null when it has none.
  std::pair<const FieldDescriptor*, const TypePlan*> ForPayload(
      const v1::Envelope& envelope) const {
    const auto number = static_cast<size_t>(envelope.payload_case());
    if (number >= payloads_.size()) return {nullptr, nullptr};
    return payloads_[number];
  }
  const google::protobuf::Reflection* envelope_reflection() const { return envelope_reflection_; }

 private:
  Plans() {
    const Descriptor* envelope = v1::Envelope::descriptor();
    envelope_reflection_ = v1::Envelope::GetReflection();
    const auto* payload = envelope->FindOneofByName("payload");
    for (int i = 0; payload != nullptr && i < payload->field_count(); ++i) {
      const FieldDescriptor* field = payload->field(i);
      if (field->message_type() == nullptr) continue;
      const TypePlan* plan = Build(field->message_type());
      const auto number = static_cast<size_t>(field->number());
      if (payloads_.size() <= number) payloads_.resize(number + 1, {nullptr, nullptr});
      payloads_[number] = {field, plan};
    }
  }

  // Plans `type` and the types within (a type within itself names nothing more than it does).
  const TypePlan* Build(const Descriptor* type) {
    if (auto it = plans_.find(type); it != plans_.end()) return &it->second;
    TypePlan& plan = plans_[type];  // std::unordered_map: stays where it is
    plan.reflection =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->GetReflection();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      const std::string& name = field->name();
      PlannedField planned{field, Names::kMessage, field->is_repeated(), name == "account_id",
                           name == "subject_id"};
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        planned.fields_of = Build(field->message_type());
        if (planned.fields_of->fields.empty()) continue;
      } else if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
        continue;
      } else if (field->type() == FieldDescriptor::TYPE_BYTES) {
        if (name != "email_index" && name != "new_email_index") continue;
        if (field->is_repeated()) continue;
        planned.names = Names::kEmailIndex;
      } else if (NamesAccount(name)) {
        planned.names = Names::kAccount;
      } else if (name == "organization_id") {
        planned.names = Names::kOrganization;
      } else if (name == "nip") {
        planned.names = Names::kNip;
      } else if (name == "contract_number") {
        planned.names = Names::kContract;
      } else if (name == "ticket_id") {
        planned.names = Names::kTicket;
      } else {
        continue;
      }
      plan.fields.push_back(planned);
    }
    std::sort(plan.fields.begin(), plan.fields.end(),
              [](const PlannedField& a, const PlannedField& b) {
                return a.field->number() < b.field->number();
              });
    return &plan;
  }

  std::unordered_map<const Descriptor*, TypePlan> plans_;
  std::vector<std::pair<const FieldDescriptor*, const TypePlan*>> payloads_;  // by field number
  const google::protobuf::Reflection* envelope_reflection_ = nullptr;
};

// A few distinct ids (views into the event and the rows, valid while it is applied).
class Ids {
 public:
  void Add(std::string_view id) {
    if (!id.empty() && !Holds(id)) ids_.push_back(id);
  }
  bool Holds(std::string_view id) const {
    return std::find(ids_.begin(), ids_.end(), id) != ids_.end();
  }
  auto begin() const { return ids_.begin(); }
  auto end() const { return ids_.end(); }

 private:
  absl::InlinedVector<std::string_view, 8> ids_;
};

// What one event names, collected from its payload.
struct Named {
  Ids accounts;
  Ids organizations;
  Ids tickets;
  std::vector<std::pair<std::string_view, std::string_view>> nip_of_org;        // nip, org
  std::vector<std::pair<std::string_view, std::string_view>> email_of_account;  // hmac, account
  // A contract named with its organization and that one's NIP (a contract's terms; an account's
  // verification repeats them): the organization holds it.
  std::vector<std::pair<std::string_view, std::string_view>> org_of_contract;  // number, org
  // Contracts named without an organization (a renewal): their holders are the event's subjects.
  absl::InlinedVector<std::string_view, 1> contracts_alone;
};

void Collect(const Message& message, const TypePlan& plan, Named& named) {
  const auto* reflection = plan.reflection;
  std::string_view account, organization, nip, contract;
  std::string_view hmacs[2];
  size_t hmac_count = 0;
  std::string scratch;
  for (const PlannedField& planned : plan.fields) {
    const FieldDescriptor* field = planned.field;
    if (planned.names == Names::kMessage) {
      if (planned.repeated) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          Collect(reflection->GetRepeatedMessage(message, field, i), *planned.fields_of, named);
        }
      } else if (reflection->HasField(message, field)) {
        Collect(reflection->GetMessage(message, field), *planned.fields_of, named);
      }
      continue;
    }
    if (planned.names == Names::kEmailIndex) {
      const std::string& hmac = reflection->GetStringReference(message, field, &scratch);
      if (!hmac.empty() && hmac_count < 2) hmacs[hmac_count++] = hmac;
      continue;
    }
    const int count = planned.repeated ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      const std::string& text =
          planned.repeated ? reflection->GetRepeatedStringReference(message, field, i, &scratch)
                           : reflection->GetStringReference(message, field, &scratch);
      if (text.empty()) continue;
      switch (planned.names) {
        case Names::kAccount:
          if (planned.own_account || (planned.own_account_if_none && account.empty())) {
            account = text;
          }
          named.accounts.Add(text);
          break;
        case Names::kOrganization:
          organization = text;
          named.organizations.Add(text);
          break;
        case Names::kNip:
          nip = text;
          break;
        case Names::kContract:
          contract = text;
          break;
        default:  // kTicket
          named.tickets.Add(text);
          break;
      }
    }
  }
  if (!nip.empty() && !organization.empty()) named.nip_of_org.emplace_back(nip, organization);
  if (!contract.empty()) {
    if (organization.empty()) {
      named.contracts_alone.push_back(contract);
    } else if (!nip.empty()) {
      named.org_of_contract.emplace_back(contract, organization);
    }
  }
  for (size_t i = 0; i < hmac_count; ++i) {
    if (!account.empty()) named.email_of_account.emplace_back(hmacs[i], account);
  }
}

// Index entries are never read back by the fold.
Status PutEmpty(RowSink& rows, const std::string& key) { return rows.PutWriteOnly(kCf, key, ""); }

// The postings row of `prefix` + `id` for the block of `position`.
Result<rows::PostingsRow*> Postings(RowSink& rows, std::string& key, std::string_view prefix,
                                    std::string_view id, uint64_t position) {
  rows::AssignKey(key, prefix, rows::Part{id}, "/", rows::Hex{position >> kPostingBlockBits});
  return rows::EditRow<rows::PostingsRow>(rows, kCf, key, /*create=*/true);
}

// Adds `position` to the postings of `prefix` + `id`.
Status Post(RowSink& rows, std::string& key, std::string_view prefix, std::string_view id,
            uint64_t position) {
  LD_ASSIGN_OR_RETURN(auto* postings, Postings(rows, key, prefix, id, position));
  postings->add_offsets(static_cast<uint32_t>(position & ((uint64_t{1} << kPostingBlockBits) - 1)));
  return OkStatus();
}

// Calls `visit` with the last key part of every row under `prefix`.
Status ScanLastParts(const RowReader& rows, const std::string& prefix,
                     std::vector<std::string>& out) {
  return rows.ScanPrefix(kCf, prefix, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(prefix.size()));
    return true;
  });
}

// Adds the positions in the postings under `prefix` to `out`, and the tickets they name to
// `tickets`.
Status ScanPostings(const RowReader& rows, const std::string& prefix, std::vector<uint64_t>& out,
                    std::vector<std::string>& tickets) {
  Status failed;
  LD_RETURN_IF_ERROR(
      rows.ScanPrefix(kCf, prefix, [&](std::string_view key, std::string_view value) {
        const std::string_view block_hex = key.substr(prefix.size());
        uint64_t block = 0;
        const auto [end, error] =
            std::from_chars(block_hex.data(), block_hex.data() + block_hex.size(), block, 16);
        rows::PostingsRow postings;
        if (error != std::errc() || end != block_hex.data() + block_hex.size()) {
          failed = DataLoss("subject index row " + std::string(key) + " has no block number");
        } else {
          failed = rows::ParseRow(kCf, key, value, postings);
        }
        if (!failed.ok()) return false;
        for (uint32_t offset : postings.offsets()) {
          out.push_back((block << kPostingBlockBits) + offset);
        }
        tickets.insert(tickets.end(), postings.tickets().begin(), postings.tickets().end());
        return true;
      }));
  return failed;
}

// Which subject of a ticket's openings a query follows.
enum class Side { kOpener, kOrganization };

// Adds the positions of `tickets` (named by the subject's postings) that are about `subject`:
// those from each opening that was the subject's up to the next opening.
Status AddTicketPositions(const RowReader& rows, std::vector<std::string> tickets, Side side,
                          const std::string& subject, std::vector<uint64_t>& out) {
  std::sort(tickets.begin(), tickets.end());  // opened twice: one visit
  tickets.erase(std::unique(tickets.begin(), tickets.end()), tickets.end());
  const bool by_opener = side == Side::kOpener;
  for (const auto& id : tickets) {
    const std::string key = rows::Key(kTicketPrefix, rows::Part{id});
    LD_ASSIGN_OR_RETURN(const auto ticket, rows::ReadRow<rows::TicketSubjectsRow>(rows, kCf, key));
    if (!ticket) return DataLoss("subject index row " + key + " is missing; postings name it");
    const auto& openings = ticket->openings();
    for (int i = 0; i < openings.size(); ++i) {
      const auto& opening = openings[i];
      if ((by_opener ? opening.opener_account_id() : opening.organization_id()) != subject) {
        continue;
      }
      const uint64_t until = i + 1 < openings.size() ? openings[i + 1].position() : UINT64_MAX;
      for (uint64_t position : ticket->positions()) {
        if (position >= opening.position() && position < until) out.push_back(position);
      }
    }
  }
  return OkStatus();
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
  const Plans& plans = Plans::Get();
  const auto [field, plan] = plans.ForPayload(envelope);
  if (field == nullptr) return OkStatus();
  Named named;
  Collect(plans.envelope_reflection()->GetMessage(envelope, field), *plan, named);
  named.accounts.Add(envelope.actor().account_id());
  // An event of an account's own stream is the account's even where no field names it: the mails
  // queued for it (its address confirmation, a password reset, an invitation) name it nowhere.
  if (std::string_view stream = envelope.stream();
      stream.starts_with(domain::kAccountStreamPrefix)) {
    named.accounts.Add(stream.substr(domain::kAccountStreamPrefix.size()));
  }
  const uint64_t position = record.position.value;

  std::string key;
  key.reserve(96);
  // A contract's holder: remembered from its terms, and the subject of events naming the contract
  // alone (a ticket names its organization itself, so it needs no lookup and writes nothing).
  for (const auto& [contract, org] : named.org_of_contract) {
    rows::AssignKey(key, kContractPrefix, rows::Part{contract});
    LD_ASSIGN_OR_RETURN(auto* holder,
                        rows::EditRow<rows::ContractHolderRow>(rows, kCf, key, /*create=*/true));
    holder->set_organization_id(org.data(), org.size());
  }
  for (std::string_view contract : named.contracts_alone) {
    rows::AssignKey(key, kContractPrefix, rows::Part{contract});
    LD_ASSIGN_OR_RETURN(const auto* holder, rows::FindRow<rows::ContractHolderRow>(rows, kCf, key));
    if (holder != nullptr) named.organizations.Add(holder->organization_id());
  }
  // A ticket opened by this event: its row, edited once for the opening and its position.
  std::string_view opened_ticket;
  rows::TicketSubjectsRow* opened_row = nullptr;
  const rows::TicketSubjectsRow::Opening* opening = nullptr;
  if (envelope.has_ticket_opened() || envelope.has_ticket_imported()) {
    const bool opened = envelope.has_ticket_opened();
    opened_ticket =
        opened ? envelope.ticket_opened().ticket_id() : envelope.ticket_imported().ticket_id();
    rows::AssignKey(key, kTicketPrefix, rows::Part{opened_ticket});
    LD_ASSIGN_OR_RETURN(opened_row,
                        rows::EditRow<rows::TicketSubjectsRow>(rows, kCf, key, /*create=*/true));
    auto* added = opened_row->add_openings();
    added->set_position(position);
    added->set_organization_id(opened ? envelope.ticket_opened().organization_id()
                                      : envelope.ticket_imported().organization_id());
    added->set_opener_account_id(opened ? envelope.ticket_opened().opened_by()
                                        : envelope.ticket_imported().opened_by());
    opening = added;
  }
  // An event of an opened ticket is posted once, with the ticket: its opener and organization
  // find it through the tickets their postings name, so they need no offset of their own.
  Ids covered_accounts;
  Ids covered_organizations;
  for (std::string_view ticket : named.tickets) {
    rows::TicketSubjectsRow* subjects = opened_row;
    if (ticket != opened_ticket) {
      rows::AssignKey(key, kTicketPrefix, rows::Part{ticket});
      LD_ASSIGN_OR_RETURN(subjects, rows::EditRow<rows::TicketSubjectsRow>(rows, kCf, key,
                                                                           /*create=*/false));
    }
    if (subjects == nullptr || subjects->openings().empty()) continue;
    subjects->add_positions(position);
    const auto& now = *subjects->openings().rbegin();
    covered_accounts.Add(now.opener_account_id());
    covered_organizations.Add(now.organization_id());
  }
  if (opening != nullptr) {
    // The opener's and the organization's postings name the ticket (once a ticket, not once an
    // event: no rows of their own).
    for (const auto& [prefix, subject] :
         {std::pair{kAccountPrefix, std::string_view(opening->opener_account_id())},
          std::pair{kOrganizationPrefix, std::string_view(opening->organization_id())}}) {
      if (subject.empty()) continue;
      LD_ASSIGN_OR_RETURN(auto* postings, Postings(rows, key, prefix, subject, position));
      postings->add_tickets(opened_ticket.data(), opened_ticket.size());
    }
  }
  for (const auto& [nip, org] : named.nip_of_org) {
    LD_RETURN_IF_ERROR(PutEmpty(rows, rows::Key("nip/", rows::Part{nip}, "/", rows::Part{org})));
  }
  for (const auto& [hmac, account] : named.email_of_account) {
    LD_RETURN_IF_ERROR(
        PutEmpty(rows, rows::Key("email/", log::Hex(hmac), "/", rows::Part{account})));
  }
  for (std::string_view account : named.accounts) {
    if (covered_accounts.Holds(account)) continue;
    LD_RETURN_IF_ERROR(Post(rows, key, kAccountPrefix, account, position));
  }
  for (std::string_view org : named.organizations) {
    if (covered_organizations.Holds(org)) continue;
    LD_RETURN_IF_ERROR(Post(rows, key, kOrganizationPrefix, org, position));
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
  for (const auto& account : match.accounts) {
    std::vector<std::string> tickets;
    LD_RETURN_IF_ERROR(ScanPostings(rows, rows::Key(kAccountPrefix, rows::Part{account}, "/"),
                                    positions, tickets));
    LD_RETURN_IF_ERROR(
        AddTicketPositions(rows, std::move(tickets), Side::kOpener, account, positions));
  }
  for (const auto& org : match.organizations) {
    std::vector<std::string> tickets;
    LD_RETURN_IF_ERROR(ScanPostings(rows, rows::Key(kOrganizationPrefix, rows::Part{org}, "/"),
                                    positions, tickets));
    LD_RETURN_IF_ERROR(
        AddTicketPositions(rows, std::move(tickets), Side::kOrganization, org, positions));
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
  if (auto bytes = top_.Value(cf, key)) return bytes;
  return base_.Get(cf, key);
}

Status LayeredRows::Put(std::string_view cf, std::string_view key, std::string_view value) {
  return top_.Put(cf, key, value);
}

Status LayeredRows::CopyUp(std::string_view cf, std::string_view key) {
  if (top_.Holds(cf, key)) return OkStatus();
  LD_ASSIGN_OR_RETURN(auto bytes, base_.Get(cf, key));
  if (!bytes) return OkStatus();
  return top_.Put(cf, key, *bytes);
}

Result<const google::protobuf::MessageLite*> LayeredRows::FindRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type) {
  LD_RETURN_IF_ERROR(CopyUp(cf, key));
  return top_.FindRow(cf, key, type);
}

Result<google::protobuf::MessageLite*> LayeredRows::EditRow(
    std::string_view cf, std::string_view key, const google::protobuf::MessageLite& type,
    bool create) {
  LD_RETURN_IF_ERROR(CopyUp(cf, key));
  return top_.EditRow(cf, key, type, create);
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
