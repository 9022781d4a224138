#include "core/blobs/blob_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::blobs {
namespace {

Status IoError(const std::string& what, const std::filesystem::path& path) {
  return Internal(what + " " + path.string() + ": " + std::strerror(errno));
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

class Sha256Stream {
 public:
  Sha256Stream() : context_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
  }
  ~Sha256Stream() { EVP_MD_CTX_free(context_); }
  void Update(const char* data, size_t size) { EVP_DigestUpdate(context_, data, size); }
  std::string Finish() {
    std::string digest(32, '\0');
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, reinterpret_cast<unsigned char*>(digest.data()), &length);
    return digest;
  }

 private:
  EVP_MD_CTX* context_;
};

std::atomic<uint64_t> temp_counter{0};

}  // namespace

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir / "tmp", error);
  if (error)
    return Internal("cannot create the blob store " + dir.string() + ": " + error.message());
  return std::unique_ptr<BlobStore>(new BlobStore(dir));
}

std::filesystem::path BlobStore::PathOf(std::string_view sha256) const {
  const std::string hex = log::Hex(sha256);
  return dir_ / hex.substr(0, 2) / hex;
}

Result<BlobRef> BlobStore::Put(std::string_view bytes) {
  std::istringstream in{std::string(bytes)};
  return Put(in, bytes.size());
}

Result<BlobRef> BlobStore::Put(std::istream& in, uint64_t max_bytes) {
  const std::filesystem::path temp =
      dir_ / "tmp" / (std::to_string(::getpid()) + "-" + std::to_string(temp_counter++));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", temp);
  Sha256Stream hash;
  uint64_t size = 0;
  std::array<char, 1 << 16> buffer;
  Status failure;
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    size += got;
    if (size > max_bytes) {
      failure = InvalidArgument("the file is larger than " + std::to_string(max_bytes) + " bytes");
      break;
    }
    hash.Update(buffer.data(), got);
    if (!WriteAll(fd, buffer.data(), got)) {
      failure = IoError("cannot write", temp);
      break;
    }
  }
  if (failure.ok() && in.bad()) failure = Internal("reading the upload failed");
  if (failure.ok() && ::fdatasync(fd) != 0) failure = IoError("cannot sync", temp);
  ::close(fd);
  if (!failure.ok()) {
    std::filesystem::remove(temp);
    return failure;
  }
  BlobRef ref{.sha256 = hash.Finish(), .size = size};
  const std::filesystem::path target = PathOf(ref.sha256);
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  if (error) return Internal("cannot create " + target.parent_path().string());
  // Same bytes, same name: a second copy simply replaces the first.
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const Status status = IoError("cannot move a blob into", target);
    std::filesystem::remove(temp);
    return status;
  }
  const int dir_fd = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return ref;
}

std::filesystem::path BlobStore::ReplacedPathOf(std::string_view sha256) const {
  return PathOf(sha256).string() + ".replaced";
}

std::string BlobStore::ReplacementOf(std::string_view sha256) const {
  std::ifstream in(ReplacedPathOf(sha256));
  std::string hex;
  if (!in || !std::getline(in, hex) || hex.size() != 64) return "";
  std::string raw(32, '\0');
  for (size_t i = 0; i < raw.size(); ++i) {
    raw[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return raw;
}

Result<std::string> BlobStore::Get(std::string_view sha256) const {
  if (sha256.size() != 32) return InvalidArgument("a blob digest has 32 bytes");
  if (const std::string replacement = ReplacementOf(sha256); !replacement.empty()) {
    return Read(PathOf(replacement), replacement);
  }
  return Read(PathOf(sha256), sha256);
}

Result<std::string> BlobStore::Read(const std::filesystem::path& path,
                                    std::string_view sha256) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("no blob " + log::Hex(sha256));
    return IoError("cannot open", path);
  }
  std::string bytes;
  std::array<char, 1 << 16> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status status = IoError("cannot read", path);
      ::close(fd);
      return status;
    }
    if (n == 0) break;
    bytes.append(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  if (log::Sha256(bytes) != sha256) {
    return DataLoss("blob " + log::Hex(sha256) + " no longer matches its digest");
  }
  return bytes;
}

bool BlobStore::Contains(std::string_view sha256) const {
  std::error_code error;
  return sha256.size() == 32 && (std::filesystem::exists(PathOf(sha256), error) ||
                                 std::filesystem::exists(ReplacedPathOf(sha256), error));
}

Result<BlobRef> BlobStore::Replace(std::string_view sha256, std::string_view bytes) {
  if (sha256.size() != 32) return InvalidArgument("a blob digest has 32 bytes");
  LD_ASSIGN_OR_RETURN(BlobRef ref, Put(bytes));
  const std::string previous = ReplacementOf(sha256);
  const std::filesystem::path record = ReplacedPathOf(sha256);
  auto delete_previous = [&]() -> Status {
    if (previous.empty() || previous == ref.sha256 || previous == sha256) return OkStatus();
    if (::unlink(PathOf(previous).c_str()) != 0 && errno != ENOENT) {
      return IoError("cannot delete", PathOf(previous));
    }
    return OkStatus();
  };
  if (ref.sha256 == sha256) {
    // The same bytes as the original: it names its own file again.
    if (::unlink(record.c_str()) != 0 && errno != ENOENT) return IoError("cannot delete", record);
    LD_RETURN_IF_ERROR(delete_previous());
    return ref;
  }
  const std::filesystem::path temp =
      dir_ / "tmp" / (std::to_string(::getpid()) + "-" + std::to_string(temp_counter++));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", temp);
  const std::string hex = log::Hex(ref.sha256) + "\n";
  const bool written = WriteAll(fd, hex.data(), hex.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  std::error_code error;
  std::filesystem::create_directories(record.parent_path(), error);
  if (!written || ::rename(temp.c_str(), record.c_str()) != 0) {
    const Status status = IoError("cannot record the replacement of", PathOf(sha256));
    std::filesystem::remove(temp, error);
    return status;
  }
  const int dir_fd = ::open(record.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  // Only now are the bytes it named before deleted.
  if (::unlink(PathOf(sha256).c_str()) != 0 && errno != ENOENT) {
    return IoError("cannot delete", PathOf(sha256));
  }
  LD_RETURN_IF_ERROR(delete_previous());
  return ref;
}

Status BlobStore::Delete(std::string_view sha256) {
  if (sha256.size() != 32) return InvalidArgument("a blob digest has 32 bytes");
  for (const std::filesystem::path& path : {PathOf(sha256), ReplacedPathOf(sha256)}) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot delete", path);
  }
  return OkStatus();
}

}  // namespace ledgerdesk::blobs
