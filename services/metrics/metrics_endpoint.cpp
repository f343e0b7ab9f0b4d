#include "services/metrics/metrics_endpoint.h"

#include <prometheus/exposer.h>

#include <stdexcept>

#include "router/text.h"

namespace lexroute {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const std::string& listen,
                                                                Metrics& metrics) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return fail(Errc::kInvalidArgument, "metrics address '" + listen + "' is not host:port",
                "metrics-listen");
  }
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
  endpoint->address_ = cat(listen.substr(0, colon), ":", ports.front());
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace lexroute
