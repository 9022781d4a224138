#pragma once

// Attachments and migrated transcripts: a content-addressed store (SHA-256) in DATA_DIR/blobs.
// Events carry the digest, size, safe file name and content type, never the bytes. A blob is
// written to a temporary file, fsync'd and renamed into place, so a crash leaves either the whole
// blob or none; storing the same bytes twice keeps one copy.

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace ledgerdesk::blobs {

struct BlobRef {
  std::string sha256;  // 32 raw bytes
  uint64_t size = 0;
};

class BlobStore {
 public:
  // Opens (creating if needed) the store in `dir`. Errors: kInternal with the path and errno text.
  static Result<std::unique_ptr<BlobStore>> Open(const std::filesystem::path& dir);

  // Stores what `in` yields, at most `max_bytes` (kInvalidArgument "larger than N bytes" beyond it;
  // nothing is kept then). Thread-safe.
  Result<BlobRef> Put(std::istream& in, uint64_t max_bytes);
  Result<BlobRef> Put(std::string_view bytes);

  // The blob's bytes (a replaced blob's: its replacement's). Errors: kNotFound for an unknown (or
  // deleted) digest; kDataLoss when the file no longer hashes to its name.
  Result<std::string> Get(std::string_view sha256) const;
  bool Contains(std::string_view sha256) const;

  // Stores `bytes` and makes `sha256` name them from now on: Get and Contains of `sha256` answer
  // the new bytes. For a document whose content must change after events named its digest (an
  // erasure renders a migrated transcript again without the erased person). What `sha256` named
  // before (its own bytes, or an earlier replacement) is deleted. The replacement is recorded
  // beside the blob ("<hex>.replaced": the new digest in hex), durably before anything is
  // deleted, so a crash leaves the old or the new bytes readable, never neither. Returns the new
  // bytes' reference. Errors: as Put; kInternal when the record cannot be written.
  Result<BlobRef> Replace(std::string_view sha256, std::string_view bytes);

  // Removes the blob (GDPR erasure of its subject's attachments), and its replacement record if it
  // has one (not the replacement). Deleting a missing blob is OK.
  Status Delete(std::string_view sha256);

  // Where the blob lives (for sending a file without reading it into memory).
  std::filesystem::path PathOf(std::string_view sha256) const;

 private:
  explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path ReplacedPathOf(std::string_view sha256) const;
  // The digest that replaced `sha256` (raw), or empty.
  std::string ReplacementOf(std::string_view sha256) const;
  Result<std::string> Read(const std::filesystem::path& path, std::string_view sha256) const;
  std::filesystem::path dir_;
};

}  // namespace ledgerdesk::blobs
