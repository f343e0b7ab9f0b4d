#include "cli/client.h"

namespace lexroute::cli {

std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const ChannelSecurity& security) {
  if (!security.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = security.root_certs;
  options.pem_cert_chain = security.client_cert;
  options.pem_private_key = security.client_key;
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> open_channel(const std::string& server,
                                            const ChannelSecurity& security,
                                            grpc::ChannelArguments args) {
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  if (security.tls && !security.server_name.empty()) {
    args.SetSslTargetNameOverride(security.server_name);
  }
  return grpc::CreateCustomChannel(server, channel_credentials(security), args);
}

std::shared_ptr<grpc::Channel> open_channel(const Connection& conn) {
  return open_channel(conn.server, conn.security);
}

void authorize(grpc::ClientContext& ctx, const std::string& secret,
               std::chrono::milliseconds timeout) {
  if (!secret.empty()) ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
}

std::unique_ptr<grpc::ClientContext> call_context(const std::string& secret,
                                                  std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  authorize(*ctx, secret, timeout);
  return ctx;
}

std::string describe(const grpc::Status& status) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int code = static_cast<int>(status.error_code());
  std::string name = code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
  return name + ": " + status.error_message();
}

}  // namespace lexroute::cli
