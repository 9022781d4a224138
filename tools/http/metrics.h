#pragma once

// Request metrics for GET /metrics (Prometheus text format): requests by route and status and a
// latency histogram per route. Recording is a few relaxed atomic increments: no lock on the
// request path.

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ledgerdesk::tools::http {

struct Gauge {
  std::string name;  // ledgerdesk_...
  std::string help;
  double value = 0;
};

class Metrics {
 public:
  // `routes`: the route labels ("GET /api/v1/tickets/{id}") by index; requests no route matched
  // are counted under "unmatched".
  explicit Metrics(std::vector<std::string> routes);

  // `route` is an index into the labels, or routes.size() for an unmatched request.
  void Record(size_t route, int status, std::chrono::nanoseconds took);
  // The whole exposition, with `gauges` (log position, projection lag...) appended.
  std::string Render(const std::vector<Gauge>& gauges) const;

  static constexpr std::array<double, 13> kBucketSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  static constexpr std::array<int, 20> kStatuses = {200, 201, 202, 204, 400, 401, 403,
                                                    404, 405, 408, 409, 413, 423, 429,
                                                    500, 501, 503, 504, 505, 0};

 private:
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};  // last: any other status
    std::array<std::atomic<uint64_t>, kBucketSeconds.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> nanoseconds{0};
  };

  std::vector<std::string> labels_;
  std::unique_ptr<PerRoute[]> routes_;
};

}  // namespace ledgerdesk::tools::http
