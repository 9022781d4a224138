#pragma once

// Where data subjects' seal keys live: apart from the event log, so that destroying one erases
// that person's sealed data while the log stays append-only.

#include <filesystem>
#include <memory>
#include <string_view>

#include "core/common/status.h"
#include "core/crypto/sealing.h"

namespace ledgerdesk::crypto {

// Keys by subject (e.g. an account id) and by key id. Implementations are thread-safe.
//
// Subject ids are 1..200 printable ASCII characters (no spaces); key ids are 32 lowercase hex
// digits chosen at random by the store, so a subject whose key was destroyed and who later needs
// a key again gets a new id, and old values keep reading as erased instead of failing to decrypt.
class SubjectKeyStore {
 public:
  virtual ~SubjectKeyStore() = default;

  // The subject's key, created (and, for durable stores, safely on disk) on first use.
  // Errors: kInvalidArgument for a malformed subject id; kUnavailable if it cannot be stored.
  virtual Result<SubjectKey> GetOrCreate(std::string_view subject_id) = 0;

  // The key with this id. Errors: kNotFound if it does not exist, which for an id found in a
  // sealed value means it was destroyed: the value is erased (read it as "[erased]");
  // kInvalidArgument for a malformed key id.
  virtual Result<SubjectKey> Get(std::string_view key_id) const = 0;

  // Destroys the subject's key for good. Errors: kNotFound if the subject has no key (already
  // destroyed: callers retrying an erasure treat that as done); kUnavailable on I/O failure.
  virtual Status Destroy(std::string_view subject_id) = 0;

  // Another process destroyed the key with this id, or is about to (this one read the
  // SubjectErased that names it; the erasure is appended before the key is destroyed): from now
  // on Get answers kNotFound for it and GetOrCreate never hands it out, even while where the keys
  // live still holds it. Destroy of its subject still removes it there. Never fails.
  virtual void MarkDestroyed(std::string_view key_id) = 0;
};

// The id rules above, for every implementation: kInvalidArgument with a sentence.
Status ValidateSubjectId(std::string_view subject_id);
Status ValidateKeyId(std::string_view key_id);
// A fresh random key id.
std::string NewKeyId();
// The kNotFound answer for a key id that is not (or no longer) there.
Status KeyNotFound(std::string_view key_id);

// Opens the key and decrypts. Errors: kNotFound when the key is gone (the value is erased),
// otherwise as Open() and SubjectKeyStore::Get().
Result<std::string> OpenSealed(const SubjectKeyStore& store, const SealedValue& sealed,
                               std::string_view associated_data);

// Keys in memory only: for tests, and gone with the process.
std::unique_ptr<SubjectKeyStore> NewInMemorySubjectKeyStore();

// Keys in `dir` (created with mode 0700 if missing), one file "<key_id>.key" per key, mode 0600,
// written to a temporary file, fsynced and renamed into place, then the directory fsynced; a
// leftover temporary file from a crash is removed on open. Destroy overwrites the file with
// zeros, fsyncs it, unlinks it and fsyncs the directory. (On SSDs and copy-on-write file
// systems the old blocks may survive the overwrite: keep the directory on an encrypted volume.)
// One process at a time per directory; all keys are read on open and cached.
// Errors: kUnavailable if the directory cannot be created or read; kDataLoss if a key file is
// malformed.
Result<std::unique_ptr<SubjectKeyStore>> OpenFileSubjectKeyStore(const std::filesystem::path& dir);

}  // namespace ledgerdesk::crypto
