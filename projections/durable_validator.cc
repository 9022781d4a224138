#include "projections/durable_validator.h"

#include <algorithm>

namespace ledgerdesk::projections {
namespace {

constexpr std::string_view kStreamPrefix = "s/";
constexpr std::string_view kIdPrefix = "i/";
constexpr std::string_view kBucketPrefix = "b/";
constexpr size_t kIdBytes = 16;

void AppendId(std::string& out, uint64_t hi, uint64_t lo) {
  out.append(reinterpret_cast<const char*>(&hi), 8);
  out.append(reinterpret_cast<const char*>(&lo), 8);
}

void AppendBigEndian(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes.substr(0, 8)) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

}  // namespace

DurableValidator::Id DurableValidator::ToId(std::string_view bytes) {
  // Ids of other lengths never reach here (DecodeEnvelope refuses them); pad defensively anyway so
  // that the mapping stays injective for 16-byte ids.
  char buffer[16] = {};
  std::memcpy(buffer, bytes.data(), std::min<size_t>(bytes.size(), sizeof buffer));
  Id id;
  std::memcpy(&id.hi, buffer, 8);
  std::memcpy(&id.lo, buffer + 8, 8);
  return id;
}

size_t DurableValidator::IdSet::Slot(const Id& id) const {
  // Ids are random or hashed: mixing both words is plenty.
  const uint64_t hash = (id.hi ^ (id.lo * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  return static_cast<size_t>(hash >> 17) & (slots_.size() - 1);
}

uint16_t DurableValidator::BucketOf(const Id& id) {
  // Ids are random or hashed, but hashed again so that ids sharing their leading bytes (a time
  // prefix) still spread over every bucket.
  return static_cast<uint16_t>(
      ((id.hi ^ (id.lo * 0xc2b2ae3d27d4eb4full)) * 0x9e3779b97f4a7c15ull) >> 48);
}

std::string DurableValidator::BucketKey(uint16_t bucket) {
  std::string key(kBucketPrefix);
  key.push_back(static_cast<char>(bucket >> 8));
  key.push_back(static_cast<char>(bucket & 0xff));
  return key;
}

void DurableValidator::IdSet::prefetch(const Id& id) const {
  if (!slots_.empty()) __builtin_prefetch(&slots_[Slot(id)]);
}

bool DurableValidator::IdSet::contains(const Id& id) const {
  if (id.hi == 0 && id.lo == 0) return has_zero_;
  if (slots_.empty()) return false;
  for (size_t i = Slot(id);; i = (i + 1) & (slots_.size() - 1)) {
    const Id& slot = slots_[i];
    if (slot == id) return true;
    if (slot.hi == 0 && slot.lo == 0) return false;
  }
}

void DurableValidator::IdSet::insert(const Id& id) {
  if (id.hi == 0 && id.lo == 0) {
    has_zero_ = true;
    return;
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow(std::max<size_t>(slots_.size() * 2, 1024));
  for (size_t i = Slot(id);; i = (i + 1) & (slots_.size() - 1)) {
    Id& slot = slots_[i];
    if (slot == id) return;
    if (slot.hi == 0 && slot.lo == 0) {
      slot = id;
      ++size_;
      return;
    }
  }
}

void DurableValidator::IdSet::reserve(size_t count) {
  size_t capacity = 1024;
  while (capacity * 3 < count * 4) capacity *= 2;
  if (capacity > slots_.size()) Grow(capacity);
}

void DurableValidator::IdSet::Grow(size_t capacity) {
  std::vector<Id> old = std::move(slots_);
  slots_.assign(capacity, Id{});
  size_ = 0;
  for (const Id& id : old) {
    if (id.hi != 0 || id.lo != 0) insert(id);
  }
}

void DurableValidator::Prefetch(const v1::Envelope& envelope) const {
  ids_.prefetch(ToId(envelope.event_id()));
  versions_.prefetch(envelope.stream());
}

log::Verdict DurableValidator::Admit(const v1::Envelope& envelope) {
  // The same order of checks as StreamValidator::Admit: id first, then version.
  const Id id = ToId(envelope.event_id());
  if (ids_.contains(id)) return log::Verdict::kDuplicate;
  auto stream = versions_.find(envelope.stream());
  const uint64_t last = stream == versions_.end() ? 0 : stream->second;
  if (envelope.stream_version() != last + 1) return log::Verdict::kConflict;
  if (stream == versions_.end()) stream = versions_.emplace(envelope.stream(), 0).first;
  stream->second = envelope.stream_version();
  ids_.insert(id);
  new_ids_.push_back(id);
  touched_streams_.push_back(&*stream);
  return log::Verdict::kApply;
}

void DurableValidator::StageChanges(ValidatorRowWriter& out) {
  std::string key;
  for (const Id& id : new_ids_) {
    key.assign(kIdPrefix);
    AppendId(key, id.hi, id.lo);
    out.PutValidatorRow(key, "");
  }
  // A stream touched several times in one batch gets one row with its final version.
  std::unordered_set<const std::string*> written;
  std::string value;
  for (auto* stream : touched_streams_) {
    if (!written.insert(&stream->first).second) continue;
    key.assign(kStreamPrefix);
    key.append(stream->first);
    value.clear();
    AppendBigEndian(value, stream->second);
    out.PutValidatorRow(key, value);
  }
  new_ids_.clear();
  touched_streams_.clear();
}

void DurableValidator::DropChanges() {
  new_ids_.clear();
  touched_streams_.clear();
}

void DurableValidator::VisitRows(
    const std::function<void(std::string_view key, std::string_view value)>& visit) const {
  // Bucket rows ("b/" sorts before "s/"), each holding its ids in a fixed order.
  struct Bucketed {
    uint16_t bucket;
    Id id;
  };
  std::vector<Bucketed> ids;
  ids.reserve(ids_.size());
  ids_.ForEach([&](const Id& id) { ids.push_back({BucketOf(id), id}); });
  std::sort(ids.begin(), ids.end(), [](const Bucketed& a, const Bucketed& b) {
    if (a.bucket != b.bucket) return a.bucket < b.bucket;
    return a.id.hi != b.id.hi ? a.id.hi < b.id.hi : a.id.lo < b.id.lo;
  });
  std::string key, value;
  for (size_t i = 0; i < ids.size();) {
    const uint16_t bucket = ids[i].bucket;
    value.clear();
    for (; i < ids.size() && ids[i].bucket == bucket; ++i)
      AppendId(value, ids[i].id.hi, ids[i].id.lo);
    visit(BucketKey(bucket), value);
  }
  std::vector<const std::pair<const std::string, uint64_t>*> streams;
  for (const auto& entry : versions_) {
    if (entry.second > 0) streams.push_back(&entry);
  }
  std::sort(streams.begin(), streams.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* stream : streams) {
    key.assign(kStreamPrefix);
    key.append(stream->first);
    value.clear();
    AppendBigEndian(value, stream->second);
    visit(key, value);
  }
}

std::vector<std::string> DurableValidator::RowKeysFor(const v1::Envelope& envelope) {
  return {std::string(kIdPrefix) + envelope.event_id(),
          BucketKey(BucketOf(ToId(envelope.event_id()))),
          std::string(kStreamPrefix) + envelope.stream()};
}

Status DurableValidator::LoadRow(std::string_view key, std::string_view value) {
  if (key.starts_with(kIdPrefix) && key.size() == kIdPrefix.size() + kIdBytes) {
    ids_.insert(ToId(key.substr(kIdPrefix.size())));
    return OkStatus();
  }
  if (key.starts_with(kBucketPrefix) && key.size() == kBucketPrefix.size() + 2 &&
      value.size() % kIdBytes == 0) {
    for (size_t offset = 0; offset < value.size(); offset += kIdBytes) {
      ids_.insert(ToId(value.substr(offset, kIdBytes)));
    }
    return OkStatus();
  }
  if (key.starts_with(kStreamPrefix) && value.size() == 8) {
    versions_[std::string(key.substr(kStreamPrefix.size()))] = ReadBigEndian(value);
    return OkStatus();
  }
  return DataLoss("unexpected row in the projection validator state (" +
                  std::to_string(key.size()) + "-byte key)");
}

uint64_t DurableValidator::StreamVersion(const std::string& stream) const {
  auto it = versions_.find(stream);
  return it == versions_.end() ? 0 : it->second;
}

void DurableValidator::Reserve(size_t ids) { ids_.reserve(ids); }

}  // namespace ledgerdesk::projections
