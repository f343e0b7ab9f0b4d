#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "cli/channel_security.h"

namespace lexroute::cli {

// Where the CLI talks to and with which secret.
struct Connection {
  std::string server = "127.0.0.1:50051";
  std::string secret;  // firm API key, admin key or staff token, depending on the command
  ChannelSecurity security;
};

// The one place channel credentials are made, for the CLI, the simulated staff and the load
// tester alike.
std::shared_ptr<grpc::ChannelCredentials> channel_credentials(const ChannelSecurity& security);

// A channel to `server`; `args` may carry the caller's own (e.g. to get a connection of its own).
std::shared_ptr<grpc::Channel> open_channel(const std::string& server,
                                            const ChannelSecurity& security,
                                            grpc::ChannelArguments args = {});
std::shared_ptr<grpc::Channel> open_channel(const Connection& conn);

// Sets `authorization: Bearer <secret>` (when there is one) and a deadline `timeout` from now.
void authorize(grpc::ClientContext& ctx, const std::string& secret,
               std::chrono::milliseconds timeout);

// A call context carrying `authorization: Bearer <secret>` and a deadline.
std::unique_ptr<grpc::ClientContext> call_context(
    const std::string& secret, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// "NOT_FOUND: no task ..." for printing.
std::string describe(const grpc::Status& status);

}  // namespace lexroute::cli
