#pragma once

// The subject index: which log positions hold events about a data subject (a person's account or
// an organization), so `audit history` reads those records instead of scanning the log. Personal
// data never becomes a key: a person is found by the keyed hash of their e-mail address (the same
// HMAC the events carry as `email_index`), an organization by its NIP (a company's tax id).
//
// Column family "subject_tickets_v2" (ids escaped as rows::KeyPart; <block> is 16 hex digits of
// position / 65 536, so a subject's postings come in rows of at most 65 536 positions):
//   email/<hex of the e-mail HMAC>/<account>  ""  the address was an account's (registration,
//                                                   invitation, staff account, e-mail change)
//   nip/<nip>/<organization>                  ""
//   contract/<number>                         ContractHolderRow: the organization its terms name
//   ticket/<ticket>                           TicketSubjectsRow: its openings (each with its
//                                                   organization and opener: an imported ticket's
//                                                   legacy contact, or none) and the positions of
//                                                   every event naming the ticket
//   account/<account>/<block>                 PostingsRow: the other events about the account
//                                                   (its own stream's "account-<account>", the
//                                                   mails queued there included; ones it acted in;
//                                                   ones naming it: author, recipient, ...), and
//                                                   the tickets it opened at a position in the
//                                                   block
//   org/<organization>/<block>                PostingsRow: the other events naming the
//                                                   organization or its NIP or, alone, one of its
//                                                   contracts (a renewal), and its tickets opened
//                                                   in the block
// The events of a ticket are about its opener and its organization: they are posted once, under
// the ticket (a row the fold edits anyway), and found through the tickets the opener's and the
// organization's postings name, instead of in their postings too (two row lookups fewer per
// event in a rebuild, and no row more). An opening's opener and organization are given the
// positions from that opening up to the next one's. Posting lists, not a row per event: a
// rebuild writes a few rows per subject, and an event appends to rows the fold keeps parsed
// (RowSink::EditRow). (Earlier column families: "subject_index", a row per position, until
// 2026-12; "subject_postings", ticket events posted under the opener and the organization too,
// until 2026-12-02; "subject_tickets", without the account mails that name no account field and
// without contracts' renewals, until 2026-12-08. A store that has only an earlier one is rebuilt,
// as the runner demands.)
//
// What names a subject is read from the payload's fields by name (any depth): string fields
// `account_id`, `subject_id`, `*_account_id(s)`, `*_by` name accounts; `organization_id` and `nip`
// name organizations; `contract_number` in a message with `organization_id` and `nip` (a
// contract's terms) ties the contract to that organization, and in a message without an
// `organization_id` (ContractRenewed) names the organization it is tied to; bytes fields
// `email_index`/`new_email_index` map an address to the `account_id` (or `subject_id`) of the same
// message; `ticket_id` ties an event to its ticket's organization and opener. New event types that
// follow these names are indexed without changes here (a contact, legacy or a portal ticket's CC
// address: a SubjectKeyCreated with `subject_id` and `email_index`; the tickets and mails naming a
// CC carry `cc_account_ids` or `subject_id`). Which fields of a message type matter is worked out
// once per type, not per event. One rule reads the envelope instead: an event of an account's own
// stream ("account-<account>") is that account's even where no field names it (the mails queued for
// it, QueueAccountMail: its address confirmation, invitation, e-mail change, password reset, name
// their address only, sealed).

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/log/event_log.h"
#include "projections/memory_rows.h"
#include "projections/projection.h"
#include "projections/row_reader.h"

namespace ledgerdesk::projections {

inline constexpr std::string_view kSubjectIndexColumnFamily = "subject_tickets_v2";
// Positions per postings row: a row holds the positions [block << kPostingBlockBits, (block + 1)
// << kPostingBlockBits).
inline constexpr int kPostingBlockBits = 16;

class SubjectIndexProjection : public Projection {
 public:
  std::string_view name() const override { return "subject_index"; }
  std::vector<std::string> column_families() const override {
    return {std::string(kSubjectIndexColumnFamily)};
  }
  Status Apply(const log::LogRecord& record, const v1::Envelope& envelope,
               RowSink& rows) const override;
};

// Whom an audit asks about: a person by the keyed hash of their address, or an organization.
struct SubjectQuery {
  std::string email_index;  // raw HMAC bytes (crypto::EmailIndex), or empty
  std::string nip;          // canonical 10 digits, or empty
};

struct SubjectMatch {
  std::vector<std::string> accounts;       // accounts the address belonged to
  std::vector<std::string> organizations;  // organizations with the NIP
  std::vector<log::Position> positions;    // events about any of them, in log order, no repeats
};

// Looks the subject up in the index. Errors: those of the reader.
Result<SubjectMatch> FindSubject(const RowReader& rows, const SubjectQuery& query);

// Rows of a committed view (`base`, e.g. a store's reader) with later writes on top, kept in
// memory: an index folded up to the store's checkpoint is brought to the end of the log without
// writing the store (an audit beside a running serve). Put/Get as a RowSink; ScanPrefix sees the
// union (no deletes: only for projections that never delete, like the subject index).
class LayeredRows : public RowSink, public RowReader {
 public:
  explicit LayeredRows(const RowReader& base) : base_(base) {}

  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) override;
  Result<std::optional<std::string>> Get(std::string_view cf, std::string_view key) const override;
  Status Put(std::string_view cf, std::string_view key, std::string_view value) override;
  Status Delete(std::string_view cf, std::string_view key) override;
  Result<const google::protobuf::MessageLite*> FindRow(
      std::string_view cf, std::string_view key,
      const google::protobuf::MessageLite& type) override;
  Result<google::protobuf::MessageLite*> EditRow(std::string_view cf, std::string_view key,
                                                 const google::protobuf::MessageLite& type,
                                                 bool create) override;
  Status ScanPrefix(std::string_view cf, std::string_view prefix,
                    const std::function<bool(std::string_view key, std::string_view value)>& visit)
      const override;

 private:
  // Copies the base's row at `key` into the top layer, unless the top has it already.
  Status CopyUp(std::string_view cf, std::string_view key);

  const RowReader& base_;
  MemoryRows top_;
};

}  // namespace ledgerdesk::projections
