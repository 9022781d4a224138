#include "core/app/index_key.h"

#include "core/crypto/secret_file.h"

namespace ledgerdesk::app {
namespace {

constexpr size_t kIndexKeyBytes = 32;
constexpr char kWhat[] = "the e-mail index key";

}  // namespace

Result<std::string> LoadOrCreateIndexKey(const std::filesystem::path& file) {
  LD_ASSIGN_OR_RETURN(std::optional<std::string> key,
                      crypto::ReadSecretFile(file, kIndexKeyBytes, kWhat));
  if (key) return std::move(*key);
  return crypto::CreateSecretFile(file, kIndexKeyBytes, kWhat);
}

}  // namespace ledgerdesk::app
