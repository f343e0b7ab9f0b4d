#include "services/metrics/metrics_endpoint.h"

#include <prometheus/exposer.h>

#include <stdexcept>

#include "router/text.h"
#include "services/common/host_port.h"

namespace lexroute {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const std::string& listen,
                                                                Metrics& metrics) {
  auto address = parse_host_port(listen, "metrics-listen", PortZero::kAnyFree);
  if (!address) return std::unexpected(address.error());
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  try {
    // One thread: scrapes are rare and cheap.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
  } catch (const std::exception& e) {
    return fail(Errc::kUnavailable, cat("cannot serve metrics on ", listen, ": ", e.what()),
                "metrics-listen");
  }
  auto ports = endpoint->exposer_->GetListeningPorts();
  if (ports.empty() || ports.front() == 0) {
    return fail(Errc::kUnavailable, "cannot serve metrics on " + listen, "metrics-listen");
  }
  endpoint->exposer_->RegisterCollectable(metrics.registry());
  endpoint->address_ = HostPort{address->host, ports.front()}.to_string();
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace lexroute
