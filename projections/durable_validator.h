#pragma once

// The self-validating read of core/log/stream_validator.h, with state that survives restarts. The
// rule is StreamValidator's, unchanged: an event applies only if its id was never applied and it is
// its stream's next version; otherwise it is a duplicate (id seen) or a conflict (wrong version).
// (A test checks verdict for verdict that both agree on random logs.) The state lives in memory for
// speed — like the writer's — and every change is also written as rows of the store's "validator"
// column family in the same batch as the projection rows and the checkpoint, so it is committed
// atomically with them and reloaded from there.
//
// Rows: "s/<stream>" -> 8-byte big-endian version of its last applied event;
//       "i/<16-byte event id>" -> "" for an event applied by a batch;
//       "b/<2-byte big-endian bucket>" -> the 16-byte ids of events applied in a bulk load whose
//         ids fall in that bucket (a hash of the id), concatenated: a rebuild writes the whole
//         state at once, and a row per id was a twentieth of its instructions (a row costs the SST
//         writer as much as a projection's), while 65 536 buckets keep a lookup by id one read.
// An id is applied if either row holds it.

#include <absl/container/node_hash_map.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/common/status.h"
#include "core/log/stream_validator.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::projections {

// Where the validator's changes go (a store batch); blind writes, never read back.
class ValidatorRowWriter {
 public:
  virtual ~ValidatorRowWriter() = default;
  virtual void PutValidatorRow(std::string_view key, std::string_view value) = 0;
};

class DurableValidator {
 public:
  // Decides like StreamValidator::Admit and records an admitted event in memory. Call
  // StageChanges before committing the batch the admitted events belong to.
  log::Verdict Admit(const v1::Envelope& envelope);
  // Starts loading the memory Admit(envelope) will read: a caller admitting many events in a row
  // asks a few events ahead, so that the id set's random slots are in cache when needed.
  void Prefetch(const v1::Envelope& envelope) const;

  // Writes the rows for everything admitted since the last call into `out`.
  void StageChanges(ValidatorRowWriter& out);
  // Forgets what StageChanges would write (when the whole state is written at once instead).
  void DropChanges();
  // Calls `visit` with every row of the whole state in bytewise key order (a bulk load).
  void VisitRows(
      const std::function<void(std::string_view key, std::string_view value)>& visit) const;

  // The keys of the rows Admit(envelope) consults (its id's, its id's bucket and its stream's;
  // the ones the store lacks are simply absent). A reader that
  // admits a few events past a store's checkpoint loads just these (LoadRow, each key once, before
  // that event's Admit) instead of the whole state, and decides as a fully loaded validator would.
  static std::vector<std::string> RowKeysFor(const v1::Envelope& envelope);

  // Restores one row written by StageChanges (when loading from the store). Errors: kDataLoss for
  // a row that is not one of ours.
  Status LoadRow(std::string_view key, std::string_view value);

  // The version of the last applied event of `stream`, 0 when none.
  uint64_t StreamVersion(const std::string& stream) const;
  size_t applied_ids() const { return ids_.size(); }

  void Reserve(size_t ids);

 private:
  // Event ids are 16 bytes (DecodeEnvelope checks): two words, hashed without allocation.
  struct Id {
    uint64_t hi = 0;
    uint64_t lo = 0;
    friend bool operator==(const Id&, const Id&) = default;
  };
  static Id ToId(std::string_view bytes);
  // The bucket row ("b/...") that holds `id` once a bulk load wrote the state.
  static uint16_t BucketOf(const Id& id);
  static std::string BucketKey(uint16_t bucket);

  // An open-addressing set of ids (millions of them: no node per id). The all-zero id is kept
  // aside because zero marks an empty slot.
  class IdSet {
   public:
    bool contains(const Id& id) const;
    void prefetch(const Id& id) const;
    void insert(const Id& id);
    void reserve(size_t count);
    size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
    template <typename F>
    void ForEach(F&& f) const {
      if (has_zero_) f(Id{});
      for (const Id& id : slots_) {
        if (id.hi != 0 || id.lo != 0) f(id);
      }
    }

   private:
    size_t Slot(const Id& id) const;
    void Grow(size_t capacity);
    std::vector<Id> slots_;
    size_t size_ = 0;
    bool has_zero_ = false;
  };

  // Nodes are stable (touched_streams_ points at them); one probe of control bytes per lookup.
  absl::node_hash_map<std::string, uint64_t> versions_;
  IdSet ids_;
  // Admitted since the last StageChanges.
  std::vector<Id> new_ids_;
  std::vector<std::pair<const std::string, uint64_t>*> touched_streams_;  // nodes are stable
};

}  // namespace ledgerdesk::projections
