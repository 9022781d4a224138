#include "projections/key_sort.h"

#include <algorithm>
#include <cstdint>

namespace ledgerdesk::projections {
namespace {

struct Item {
  uint64_t word;  // key bytes [depth, depth + 8), big-endian, zero-padded
  uint32_t rank;  // 0: the key ends within this word (then by length); 1: it goes on
  uint32_t length;
  KeyRef ref;
};

uint64_t WordAt(std::string_view key, size_t depth) {
  uint64_t word = 0;
  for (size_t i = 0; i < 8; ++i) {
    const size_t at = depth + i;
    word = (word << 8) | (at < key.size() ? static_cast<unsigned char>(key[at]) : 0);
  }
  return word;
}

// Sorts items [begin, end), which agree on every byte before `depth`.
void SortFrom(Item* begin, Item* end, size_t depth) {
  while (end - begin > 1) {
    bool all_tied = true;  // every key goes on and they all share this word: nothing to sort here
    for (Item* item = begin; item != end; ++item) {
      item->word = WordAt(item->ref.key, depth);
      const bool ends = item->ref.key.size() <= depth + 8;
      item->rank = ends ? 0 : 1;
      item->length = ends ? static_cast<uint32_t>(item->ref.key.size()) : 0;
      all_tied = all_tied && !ends && item->word == begin->word;
    }
    if (all_tied) {
      depth += 8;
      continue;
    }
    std::sort(begin, end, [](const Item& a, const Item& b) {
      if (a.word != b.word) return a.word < b.word;
      if (a.rank != b.rank) return a.rank < b.rank;
      if (a.length != b.length) return a.length < b.length;
      return a.ref.order < b.ref.order;
    });
    // Keys that go on past this word and share it are still tied: sort each such group deeper.
    // The last group is done by the loop (no recursion for the common one-long-run case).
    Item* last_begin = end;
    for (Item* item = begin; item != end;) {
      Item* next = item + 1;
      while (next != end && next->word == item->word && next->rank == item->rank) ++next;
      if (item->rank == 1 && next - item > 1) {
        if (next == end) {
          last_begin = item;
        } else {
          SortFrom(item, next, depth + 8);
        }
      }
      item = next;
    }
    if (last_begin == end) return;
    begin = last_begin;
    depth += 8;
  }
}

}  // namespace

void SortKeys(std::vector<KeyRef>& keys) {
  std::vector<Item> items(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) items[i].ref = keys[i];
  SortFrom(items.data(), items.data() + items.size(), 0);
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = items[i].ref;
}

}  // namespace ledgerdesk::projections
