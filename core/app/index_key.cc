#include "core/app/index_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/crypto/sodium_init.h"

namespace ledgerdesk::app {
namespace {

constexpr size_t kIndexKeyBytes = 32;

}  // namespace

Result<std::string> LoadOrCreateIndexKey(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::exists(file, error)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (!in) return Internal("cannot read the e-mail index key " + file.string());
    if (bytes.str().size() != kIndexKeyBytes) {
      return DataLoss("the e-mail index key " + file.string() + " has " +
                      std::to_string(bytes.str().size()) + " bytes, not " +
                      std::to_string(kIndexKeyBytes));
    }
    return bytes.str();
  }
  LD_RETURN_IF_ERROR(crypto::EnsureSodium());
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) return Internal("cannot create " + file.parent_path().string());
  const std::string key = crypto::RandomBytes(kIndexKeyBytes);
  const std::filesystem::path temp = file.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create " + temp.string() + ": " + std::strerror(errno));
  const bool written =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), file.c_str()) != 0) {
    return Internal("cannot write the e-mail index key " + file.string() + ": " +
                    std::strerror(errno));
  }
  return key;
}

}  // namespace ledgerdesk::app
