#include "core/crypto/subject_key_store.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/crypto/sodium_init.h"

namespace ledgerdesk::crypto {
namespace {

constexpr size_t kMaxSubjectIdLength = 200;
constexpr size_t kKeyIdBytes = 16;
constexpr std::string_view kKeySuffix = ".key";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::string_view kFileMagic = "ledgerdesk-subject-key 1";

bool IsKeyId(std::string_view key_id) {
  if (key_id.size() != 2 * kKeyIdBytes) return false;
  for (char c : key_id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Status ErrnoStatus(std::string_view what, const std::filesystem::path& path) {
  return Unavailable(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

// Owns a file descriptor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting the error close() can carry (e.g. delayed write errors on NFS).
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return OkStatus();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus("cannot fsync directory", dir);
  return OkStatus();
}

// The file's text. Holds key material: wiped after use.
std::string EncodeKeyFile(std::string_view subject_id, const SubjectKey& key) {
  std::string text(kFileMagic);
  text += "\nid ";
  text += key.key_id;
  text += "\nsubject ";
  text += subject_id;
  text += "\nkey ";
  text += Hex(key.key.bytes());
  text += '\n';
  return text;
}

struct StoredKey {
  std::string subject_id;
  SubjectKey key;
};

Result<StoredKey> DecodeKeyFile(std::string_view text, std::string_view expected_key_id,
                                const std::filesystem::path& path) {
  const Status malformed = DataLoss("key file " + path.string() + " is malformed");
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return malformed;  // every line ends with '\n'
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.size() != 4 || lines[0] != kFileMagic || !lines[1].starts_with("id ") ||
      !lines[2].starts_with("subject ") || !lines[3].starts_with("key ")) {
    return malformed;
  }
  const std::string_view key_id = lines[1].substr(3);
  const std::string_view subject_id = lines[2].substr(8);
  const std::string_view hex = lines[3].substr(4);
  if (key_id != expected_key_id || !ValidateSubjectId(subject_id).ok() ||
      hex.size() != 2 * kSealKeyBytes) {
    return malformed;
  }
  std::string bytes(kSealKeyBytes, '\0');
  for (size_t i = 0; i < kSealKeyBytes; ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      OPENSSL_cleanse(bytes.data(), bytes.size());
      return malformed;
    }
    bytes[i] = static_cast<char>(high << 4 | low);
  }
  Result<SealKey> key = SealKey::FromBytes(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!key.ok()) return malformed;
  return StoredKey{.subject_id = std::string(subject_id),
                   .key = {.key_id = std::string(key_id), .key = *key}};
}

// The shared bookkeeping: subject -> key id -> key. Callers hold the mutex.
class KeyTable {
 public:
  const SubjectKey* FindBySubject(std::string_view subject_id) const {
    const auto it = key_ids_.find(subject_id);
    return it == key_ids_.end() ? nullptr : &keys_.at(it->second).key;
  }
  const StoredKey* FindByKeyId(std::string_view key_id) const {
    const auto it = keys_.find(key_id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  bool ContainsKeyId(std::string_view key_id) const { return keys_.contains(key_id); }
  void Insert(StoredKey stored) {
    key_ids_[stored.subject_id] = stored.key.key_id;
    std::string key_id = stored.key.key_id;
    keys_.insert_or_assign(std::move(key_id), std::move(stored));
  }
  void Erase(std::string_view subject_id) {
    const auto it = key_ids_.find(subject_id);
    if (it == key_ids_.end()) return;
    keys_.erase(it->second);
    key_ids_.erase(it);
  }

 private:
  std::map<std::string, std::string, std::less<>> key_ids_;  // by subject id
  std::map<std::string, StoredKey, std::less<>> keys_;       // by key id
};

// Keys cached in memory by subject and by key id; a subclass makes them durable through the hooks.
class CachedSubjectKeyStore : public SubjectKeyStore {
 public:
  Result<SubjectKey> GetOrCreate(std::string_view subject_id) override {
    LD_RETURN_IF_ERROR(ValidateSubjectId(subject_id));
    std::lock_guard lock(mutex_);
    const SubjectKey* cached = table_.FindBySubject(subject_id);
    if (cached != nullptr && !destroyed_.contains(cached->key_id)) return *cached;
    std::string key_id = NewKeyId();
    while (table_.ContainsKeyId(key_id) || KeyIdTaken(key_id)) key_id = NewKeyId();
    StoredKey stored{.subject_id = std::string(subject_id),
                     .key = {.key_id = std::move(key_id), .key = SealKey::Generate()}};
    LD_RETURN_IF_ERROR(Persist(stored));
    SubjectKey key = stored.key;
    table_.Insert(std::move(stored));
    return key;
  }

  Result<SubjectKey> Get(std::string_view key_id) const override {
    LD_RETURN_IF_ERROR(ValidateKeyId(key_id));
    std::lock_guard lock(mutex_);
    if (destroyed_.contains(key_id)) return KeyNotFound(key_id);
    if (const StoredKey* stored = table_.FindByKeyId(key_id)) return stored->key;
    // Another process may have created it since (a replica reading the writer's keys).
    std::optional<StoredKey> fetched = Fetch(key_id);
    if (!fetched || table_.FindBySubject(fetched->subject_id) != nullptr) {
      return KeyNotFound(key_id);
    }
    SubjectKey key = fetched->key;
    table_.Insert(std::move(*fetched));
    return key;
  }

  Status Destroy(std::string_view subject_id) override {
    LD_RETURN_IF_ERROR(ValidateSubjectId(subject_id));
    std::lock_guard lock(mutex_);
    const SubjectKey* key = table_.FindBySubject(subject_id);
    if (key == nullptr) return NotFound("subject has no key (already destroyed?)");
    // Forget the key only once its removal is durable: on failure a retry finds it again.
    LD_RETURN_IF_ERROR(Forget(*key));
    table_.Erase(subject_id);
    return OkStatus();
  }

  // The key stays in the table, so that a Destroy still finds (and removes) it, but is never
  // handed out again.
  void MarkDestroyed(std::string_view key_id) override {
    std::lock_guard lock(mutex_);
    destroyed_.emplace(key_id);
  }

 protected:
  // Hooks, called under the lock: a key id already used outside the cache, making a new key
  // durable before it is handed out, destroying one before it is forgotten.
  virtual bool KeyIdTaken(std::string_view /*key_id*/) const { return false; }
  virtual Status Persist(const StoredKey& /*stored*/) { return OkStatus(); }
  virtual Status Forget(const SubjectKey& /*key*/) { return OkStatus(); }
  // A key the cache does not hold, from where the keys live (none: in memory only).
  virtual std::optional<StoredKey> Fetch(std::string_view /*key_id*/) const { return std::nullopt; }

  mutable std::mutex mutex_;
  mutable KeyTable table_;                        // a cache: Get may fill it
  std::set<std::string, std::less<>> destroyed_;  // key ids destroyed by another process
};

// Keys in memory only (tests): nothing to persist.
class InMemorySubjectKeyStore final : public CachedSubjectKeyStore {};

class FileSubjectKeyStore final : public CachedSubjectKeyStore {
 public:
  explicit FileSubjectKeyStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Reads every key file; removes temporary files a crash left behind.
  Status Load() {
    std::error_code error;
    std::filesystem::directory_iterator it(dir_, error);
    if (error)
      return Unavailable("cannot read key directory " + dir_.string() + ": " + error.message());
    bool removed_temp = false;
    for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
      if (error) break;
      const std::filesystem::path& path = it->path();
      const std::string name = path.filename().string();
      if (name.ends_with(kTempSuffix)) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
          return ErrnoStatus("cannot remove leftover", path);
        }
        removed_temp = true;
        continue;
      }
      if (!name.ends_with(kKeySuffix)) continue;
      const std::string key_id = name.substr(0, name.size() - kKeySuffix.size());
      if (!IsKeyId(key_id)) continue;
      LD_ASSIGN_OR_RETURN(StoredKey stored, ReadKeyFile(path, key_id));
      if (table_.FindBySubject(stored.subject_id) != nullptr) {
        return DataLoss("two key files in " + dir_.string() + " belong to one subject");
      }
      table_.Insert(std::move(stored));
    }
    if (error)
      return Unavailable("cannot read key directory " + dir_.string() + ": " + error.message());
    if (removed_temp) LD_RETURN_IF_ERROR(SyncDirectory(dir_));
    return OkStatus();
  }

  bool KeyIdTaken(std::string_view key_id) const override {
    return std::filesystem::exists(KeyPath(key_id));
  }

  Status Persist(const StoredKey& stored) override { return WriteKeyFile(stored); }

  std::optional<StoredKey> Fetch(std::string_view key_id) const override {
    if (!IsKeyId(key_id)) return std::nullopt;
    const std::filesystem::path path = KeyPath(key_id);
    if (!std::filesystem::exists(path)) return std::nullopt;
    auto stored = ReadKeyFile(path, std::string(key_id));
    if (!stored.ok()) return std::nullopt;
    return std::move(*stored);
  }

  // Overwrites the key file, then unlinks it and makes the removal durable.
  Status Forget(const SubjectKey& key) override {
    const std::filesystem::path path = KeyPath(key.key_id);
    {
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
      if (fd.valid()) {
        struct stat info;
        if (::fstat(fd.get(), &info) != 0) return ErrnoStatus("cannot stat", path);
        LD_RETURN_IF_ERROR(
            WriteAll(fd.get(), std::string(static_cast<size_t>(info.st_size), '\0'), path));
        if (::fsync(fd.get()) != 0) return ErrnoStatus("cannot fsync", path);
        if (fd.Close() != 0) return ErrnoStatus("cannot close", path);
      } else if (errno != ENOENT) {
        return ErrnoStatus("cannot open", path);
      }
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("cannot remove", path);
    return SyncDirectory(dir_);
  }

 private:
  std::filesystem::path KeyPath(std::string_view key_id) const {
    return dir_ / (std::string(key_id) + std::string(kKeySuffix));
  }

  Result<StoredKey> ReadKeyFile(const std::filesystem::path& path, std::string_view key_id) const {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus("cannot open", path);
    std::string text;
    char buffer[512];
    while (true) {
      const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
      if (got < 0) {
        if (errno == EINTR) continue;
        OPENSSL_cleanse(buffer, sizeof buffer);
        return ErrnoStatus("cannot read", path);
      }
      if (got == 0) break;
      text.append(buffer, static_cast<size_t>(got));
      if (text.size() > 4096) break;  // far beyond any valid key file
    }
    OPENSSL_cleanse(buffer, sizeof buffer);
    Result<StoredKey> stored = DecodeKeyFile(text, key_id, path);
    OPENSSL_cleanse(text.data(), text.size());
    return stored;
  }

  Status WriteKeyFile(const StoredKey& stored) const {
    const std::filesystem::path path = KeyPath(stored.key.key_id);
    std::filesystem::path temp = path;
    temp += kTempSuffix;
    std::string text = EncodeKeyFile(stored.subject_id, stored.key);
    Status status = WriteFileDurably(temp, text);
    OPENSSL_cleanse(text.data(), text.size());
    if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
      status = ErrnoStatus("cannot rename into place", path);
    }
    if (!status.ok()) {
      ::unlink(temp.c_str());
      return status;
    }
    return SyncDirectory(dir_);
  }

  static Status WriteFileDurably(const std::filesystem::path& path, std::string_view text) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoStatus("cannot create", path);
    // The mode passed to open() only applies to new files, and the umask narrows it anyway.
    if (::fchmod(fd.get(), 0600) != 0) return ErrnoStatus("cannot chmod", path);
    LD_RETURN_IF_ERROR(WriteAll(fd.get(), text, path));
    if (::fsync(fd.get()) != 0) return ErrnoStatus("cannot fsync", path);
    if (fd.Close() != 0) return ErrnoStatus("cannot close", path);
    return OkStatus();
  }

  const std::filesystem::path dir_;
};

}  // namespace

Status ValidateSubjectId(std::string_view subject_id) {
  if (subject_id.empty() || subject_id.size() > kMaxSubjectIdLength) {
    return InvalidArgument("subject id must be 1 to 200 characters");
  }
  for (char c : subject_id) {
    if (c <= ' ' || c > '~') {
      return InvalidArgument("subject id may contain only printable ASCII without spaces");
    }
  }
  return OkStatus();
}

Status ValidateKeyId(std::string_view key_id) {
  if (!IsKeyId(key_id)) return InvalidArgument("key id must be 32 lowercase hex digits");
  return OkStatus();
}

std::string NewKeyId() { return Hex(RandomBytes(kKeyIdBytes)); }

Status KeyNotFound(std::string_view key_id) {
  return NotFound("key " + std::string(key_id) +
                  " does not exist: it was destroyed (the data is erased) or never created");
}

Result<std::string> OpenSealed(const SubjectKeyStore& store, const SealedValue& sealed,
                               std::string_view associated_data) {
  LD_ASSIGN_OR_RETURN(const SubjectKey key, store.Get(sealed.key_id));
  return Open(key, sealed, associated_data);
}

std::unique_ptr<SubjectKeyStore> NewInMemorySubjectKeyStore() {
  return std::make_unique<InMemorySubjectKeyStore>();
}

Result<std::unique_ptr<SubjectKeyStore>> OpenFileSubjectKeyStore(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return Unavailable("cannot create key directory " + dir.string() + ": " + error.message());
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoStatus("cannot chmod", dir);
  auto store = std::make_unique<FileSubjectKeyStore>(dir);
  LD_RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<SubjectKeyStore>(std::move(store));
}

}  // namespace ledgerdesk::crypto
