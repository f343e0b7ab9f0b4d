#include "services/metrics/grpc_metrics.h"

#include <google/protobuf/descriptor.h>

#include <chrono>

#include "services/metrics/buckets.h"

namespace lexroute {
namespace {

using grpc::experimental::InterceptionHookPoints;

// "/pkg.Service/Method" as the method name, if a linked-in proto declares it.
std::string known_method(const char* path) {
  std::string name = path ? path : "";
  if (name.size() < 2 || name[0] != '/') return "unknown";
  std::string full = name.substr(1);
  auto slash = full.find('/');
  if (slash == std::string::npos) return "unknown";
  full[slash] = '.';
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  return pool->FindMethodByName(full) != nullptr ? name : "unknown";
}

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  CountingInterceptor(GrpcMetrics& metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics),
        method_(known_method(info->method())),
        unary_(info->type() == grpc::experimental::ServerRpcInfo::Type::UNARY) {}

  // A call that ends without a status being sent (the client went away) still counts.
  ~CountingInterceptor() override {
    if (!counted_) metrics_.finished(method_, grpc::StatusCode::CANCELLED, -1);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      double seconds = -1;
      if (unary_) {
        seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      }
      metrics_.finished(method_, methods->GetSendStatus().error_code(), seconds);
      counted_ = true;
    }
    methods->Proceed();
  }

 private:
  GrpcMetrics& metrics_;
  std::string method_;
  bool unary_;
  bool counted_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

class CountingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CountingInterceptor(metrics_, info);
  }

 private:
  GrpcMetrics& metrics_;
};

}  // namespace

const char* grpc_code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

GrpcMetrics::GrpcMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("lexroute_grpc_requests_total")
                    .Help("gRPC requests served, by method and status code")
                    .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("lexroute_grpc_request_duration_seconds")
                    .Help("Time to answer a unary gRPC request, by method")
                    .Register(registry)) {}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
GrpcMetrics::interceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<CountingInterceptorFactory>(*this));
  return out;
}

void GrpcMetrics::finished(const std::string& method, grpc::StatusCode code, double seconds) {
  requests_.Add({{"method", method}, {"code", grpc_code_name(code)}}).Increment();
  if (seconds >= 0) {
    duration_.Add({{"method", method}}, buckets::request_seconds()).Observe(seconds);
  }
}

}  // namespace lexroute
