#include "core/audit/chain.h"

#include <chrono>

#include "core/log/envelope_codec.h"

namespace ledgerdesk::audit {

Result<ChainReport> VerifyChain(log::EventLog& log) {
  const auto started = std::chrono::steady_clock::now();
  ChainReport report;
  auto finish = [&]() -> Result<ChainReport> {
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  };
  auto broke = [&](std::string sentence) {
    if (report.intact) report.first_break = std::move(sentence);
    report.intact = false;
  };
  LD_ASSIGN_OR_RETURN(const log::Position end, log.End());
  LD_ASSIGN_OR_RETURN(auto reader, log.NewReader(log::Position{0}));
  std::string previous_hash;  // of the record before; empty before the first
  bool first = true;
  log::Position next{0};
  while (next < end) {
    auto records = reader->Read(4096, std::chrono::milliseconds(200));
    if (!records.ok()) {
      if (records.status().code() != StatusCode::kDataLoss) return records.status();
      broke(records.status().message());
      return finish();
    }
    if (records->empty()) break;
    for (const auto& record : *records) {
      if (record.position >= end) return finish();
      next = log::Position{record.position.value + 1};
      ++report.records;
      auto envelope = log::DecodeEnvelope(record.value);
      if (!envelope.ok()) {
        ++report.undecodable;
      } else if (envelope->previous_hash() != previous_hash &&
                 !(first && envelope->previous_hash().empty())) {
        broke("the hash chain breaks at log position " + std::to_string(record.position.value) +
              ": its previous_hash " + log::Hex(envelope->previous_hash()).substr(0, 16) +
              "… is not the SHA-256 of the record before it (" +
              (first ? std::string("none") : log::Hex(previous_hash).substr(0, 16) + "…") + ")");
      }
      previous_hash = log::Sha256(record.value);
      first = false;
    }
  }
  return finish();
}

}  // namespace ledgerdesk::audit
