#include "tools/http/metrics.h"

#include <sstream>

namespace ledgerdesk::tools::http {

Metrics::Metrics(std::vector<std::string> routes)
    : labels_(std::move(routes)), routes_(new PerRoute[labels_.size() + 1]) {
  labels_.push_back("unmatched");
}

void Metrics::Record(size_t route, int status, std::chrono::nanoseconds took) {
  PerRoute& counters = routes_[std::min(route, labels_.size() - 1)];
  size_t slot = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) slot = i;
  }
  counters.by_status[slot].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(took).count();
  size_t bucket = kBucketSeconds.size();
  for (size_t i = 0; i < kBucketSeconds.size(); ++i) {
    if (seconds <= kBucketSeconds[i]) {
      bucket = i;
      break;
    }
  }
  counters.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  counters.nanoseconds.fetch_add(static_cast<uint64_t>(took.count()), std::memory_order_relaxed);
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::ostringstream out;
  out << "# HELP ledgerdesk_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE ledgerdesk_http_requests_total counter\n";
  for (size_t r = 0; r < labels_.size(); ++r) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t count = routes_[r].by_status[s].load(std::memory_order_relaxed);
      if (count == 0) continue;
      out << "ledgerdesk_http_requests_total{route=\"" << labels_[r] << "\",status=\""
          << (kStatuses[s] == 0 ? std::string("other") : std::to_string(kStatuses[s])) << "\"} "
          << count << "\n";
    }
  }
  out << "# HELP ledgerdesk_http_request_duration_seconds Time from routing to the answer.\n"
         "# TYPE ledgerdesk_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < labels_.size(); ++r) {
    uint64_t cumulative = 0;
    std::ostringstream lines;
    for (size_t b = 0; b <= kBucketSeconds.size(); ++b) {
      cumulative += routes_[r].buckets[b].load(std::memory_order_relaxed);
      lines << "ledgerdesk_http_request_duration_seconds_bucket{route=\"" << labels_[r]
            << "\",le=\"";
      if (b < kBucketSeconds.size()) {
        lines << kBucketSeconds[b];
      } else {
        lines << "+Inf";
      }
      lines << "\"} " << cumulative << "\n";
    }
    if (cumulative == 0) continue;  // a route never called adds nothing
    out << lines.str() << "ledgerdesk_http_request_duration_seconds_sum{route=\"" << labels_[r]
        << "\"} " << static_cast<double>(routes_[r].nanoseconds.load()) / 1e9 << "\n"
        << "ledgerdesk_http_request_duration_seconds_count{route=\"" << labels_[r] << "\"} "
        << cumulative << "\n";
  }
  for (const Gauge& gauge : gauges) {
    out << "# HELP " << gauge.name << " " << gauge.help << "\n# TYPE " << gauge.name << " gauge\n"
        << gauge.name << " " << static_cast<int64_t>(gauge.value) << "\n";
  }
  return out.str();
}

}  // namespace ledgerdesk::tools::http
