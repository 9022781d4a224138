#include "core/log/embedded_log.h"

namespace ledgerdesk::log {
Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::Open(const EmbeddedLogOptions&) {
  return Internal("the embedded log is not built yet");
}
}  // namespace ledgerdesk::log
