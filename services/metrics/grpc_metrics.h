#pragma once

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace lexroute {

// gRPC requests by method and status code, counted by a server interceptor so every service on
// the server is covered without code of its own. Method names outside the compiled-in protos
// (a client can send any path) are counted as "unknown", keeping the label set bounded.
class GrpcMetrics {
 public:
  explicit GrpcMetrics(prometheus::Registry& registry);

  // For ServerBuilder::experimental().SetInterceptorCreators.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  interceptors();

  // `method`: "/lexroute.v1.TaskIntake/SubmitTask"; `seconds` < 0 for streams (not timed).
  void finished(const std::string& method, grpc::StatusCode code, double seconds);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
};

// "OK", "UNAVAILABLE", ...
const char* grpc_code_name(grpc::StatusCode code);

}  // namespace lexroute
