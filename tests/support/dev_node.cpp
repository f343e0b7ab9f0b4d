#include "tests/support/dev_node.h"

#include <grpcpp/grpcpp.h>

#include "tests/support/eventually.h"

namespace lexroute::testing {

Config DevNode::dev_config(const std::string& data_dir) {
  Config config;
  config.role = Role::kDev;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "127.0.0.1:0";
  config.http_listen = "127.0.0.1:0";
  config.data_dir = data_dir;
  config.task_partitions = 4;
  config.kafka_delivery_timeout = std::chrono::milliseconds(3000);
  return config;
}

DevNode::DevNode(Config config, const Clock* clock) {
  auto started = Node::start(config, clock);
  if (!started) {
    ADD_FAILURE() << "dev node did not start: " << started.error().message;
    return;
  }
  node_ = std::move(*started);
  channel_ = grpc::CreateChannel(node_->grpc_address(), grpc::InsecureChannelCredentials());
}

DevNode::~DevNode() {
  if (node_) node_->stop();
}

::testing::AssertionResult DevNode::router_made_passes(uint64_t passes,
                                                       std::chrono::milliseconds within) {
  RouterService* router = node_ ? node_->router() : nullptr;
  if (router == nullptr) return ::testing::AssertionFailure() << "this node runs no router";
  uint64_t from = router->clock_passes();
  if (eventually([&] { return router->clock_passes() >= from + passes; }, within)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "the router finished " << router->clock_passes() - from << " of " << passes
         << " clock passes within " << within.count() << " ms";
}

std::unique_ptr<grpc::ClientContext> as(const std::string& secret) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!secret.empty()) ctx->AddMetadata("authorization", "Bearer " + secret);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

OfferStream::OfferStream(v1::WorkerGateway::Stub& stub, const std::string& token) {
  context_.AddMetadata("authorization", "Bearer " + token);
  reader_ = stub.StreamOffers(&context_, v1::StreamOffersRequest{});
  thread_ = std::thread([this] {
    v1::OfferEvent e;
    while (reader_->Read(&e)) {
      if (e.has_done()) continue;  // the worker app's "Done today", not an offer
      std::lock_guard lock(mutex_);
      events_.push_back(e);
      arrived_.notify_all();
    }
  });
}

OfferStream::~OfferStream() {
  context_.TryCancel();
  thread_.join();
  (void)reader_->Finish();
}

std::optional<v1::OfferEvent> OfferStream::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!arrived_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
  auto e = events_.front();
  events_.pop_front();
  return e;
}

}  // namespace lexroute::testing
