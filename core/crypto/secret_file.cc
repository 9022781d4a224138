#include "core/crypto/secret_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/crypto/sodium_init.h"

namespace ledgerdesk::crypto {

Result<std::optional<std::string>> ReadSecretFile(const std::filesystem::path& file, size_t bytes,
                                                  const std::string& what) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return std::optional<std::string>();
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return Internal("cannot read " + what + " " + file.string());
  if (content.str().size() != bytes) {
    return DataLoss(what + " " + file.string() + " has " + std::to_string(content.str().size()) +
                    " bytes, not " + std::to_string(bytes));
  }
  return std::optional<std::string>(content.str());
}

Result<std::string> CreateSecretFile(const std::filesystem::path& file, size_t bytes,
                                     const std::string& what) {
  LD_RETURN_IF_ERROR(EnsureSodium());
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) return Internal("cannot create " + file.parent_path().string());
  const std::string secret = RandomBytes(bytes);
  const std::filesystem::path temp = file.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create " + temp.string() + ": " + std::strerror(errno));
  const bool written =
      ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), file.c_str()) != 0) {
    return Internal("cannot write " + what + " " + file.string() + ": " + std::strerror(errno));
  }
  return secret;
}

}  // namespace ledgerdesk::crypto
