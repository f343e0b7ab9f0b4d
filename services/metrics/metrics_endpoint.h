#pragma once

#include <memory>
#include <string>

#include "router/error.h"
#include "services/metrics/metrics.h"

namespace prometheus {
class Exposer;
}

namespace lexroute {

// Serves GET /metrics (Prometheus text exposition) on its own port, apart from gRPC, so a
// scraper needs no gRPC and ops can firewall it separately.
class MetricsEndpoint {
 public:
  // `listen`: host:port; port 0 picks a free one.
  static Result<std::unique_ptr<MetricsEndpoint>> start(const std::string& listen,
                                                        Metrics& metrics);
  ~MetricsEndpoint();

  // host:port actually bound.
  const std::string& address() const { return address_; }

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string address_;
};

}  // namespace lexroute
