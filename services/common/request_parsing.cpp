#include "services/common/request_parsing.h"

#include <google/protobuf/message.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <cstdlib>
#include <string>

#include "services/common/grpc_status.h"

namespace lexroute {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// The request type of "/pkg.Service/Method", when a linked-in proto declares the method.
const google::protobuf::Descriptor* request_type(const char* path) {
  std::string name = path ? path : "";
  if (name.size() < 2 || name[0] != '/') return nullptr;
  name.erase(0, 1);
  auto slash = name.find('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  const auto* method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
  return method ? method->input_type() : nullptr;
}

class UnparsableRequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit UnparsableRequestInterceptor(ServerRpcInfo* info)
      : info_(info),
        // Only these receive their one request before the handler runs; in a client stream no
        // message is also how the stream ends.
        single_request_(info->type() == ServerRpcInfo::Type::UNARY ||
                        info->type() == ServerRpcInfo::Type::SERVER_STREAMING) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (single_request_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    if (unparsable_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const auto* type = request_type(info_->method());
      if (type != nullptr)
        methods->ModifySendStatus(to_grpc_status(unparsable_request(*type), nullptr));
    }
    methods->Proceed();
  }

 private:
  ServerRpcInfo* info_;
  bool single_request_;
  bool unparsable_ = false;
};

class UnparsableRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new UnparsableRequestInterceptor(info);
  }
};

}  // namespace

Error unparsable_request(const google::protobuf::Descriptor& type) {
  return Error{Errc::kInvalidArgument, "request could not be parsed as " + type.full_name(), {}};
}

Result<void> parse_request(grpc::ByteBuffer& bytes, google::protobuf::Message& request) {
  grpc::ProtoBufferReader reader(&bytes);
  if (!reader.status().ok() || !request.ParseFromZeroCopyStream(&reader)) {
    return std::unexpected(unparsable_request(*request.GetDescriptor()));
  }
  return {};
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
unparsable_request_interceptor() {
  return std::make_unique<UnparsableRequestInterceptorFactory>();
}

int method_index(const char* service, const char* method) {
  const auto* found =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  const auto* m = found ? found->FindMethodByName(method) : nullptr;
  if (m == nullptr) std::abort();  // a typo in our own code: every test that starts a server fails
  return m->index();
}

}  // namespace lexroute
