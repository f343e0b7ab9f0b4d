#pragma once

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "lexroute/v1/admin.grpc.pb.h"
#include "lexroute/v1/intake.grpc.pb.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "services/lexrouted/node.h"
#include "tests/support/temp_dir.h"

namespace lexroute::testing {

// `lexrouted dev` in-process: a real redis-server child, the embedded Kafka, real gRPC on a free
// loopback port. Tests talk to it only through the public gRPC API.
class DevNode {
 public:
  explicit DevNode(const std::string& data_dir) : DevNode(dev_config(data_dir)) {}
  explicit DevNode(Config config, const Clock* clock = nullptr);
  // `lexrouted dev` on a free port; set `redis` and `kafka_brokers` to use ones the test owns.
  static Config dev_config(const std::string& data_dir);
  ~DevNode();
  // False when the node did not start (the failure is recorded).
  bool started() const { return node_ != nullptr; }
  Node& node() { return *node_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  std::unique_ptr<v1::TaskIntake::Stub> intake() { return v1::TaskIntake::NewStub(channel_); }
  std::unique_ptr<v1::WorkerGateway::Stub> gateway() {
    return v1::WorkerGateway::NewStub(channel_);
  }
  std::unique_ptr<v1::Admin::Stub> admin() { return v1::Admin::NewStub(channel_); }
  const std::string& admin_key() const { return node_->generated_admin_key(); }
  // Waits until the router has finished `passes` more passes of its clock's work than now (two
  // make sure a whole pass began after this call: whatever is due at the clock's time is done).
  // For "nothing happens yet" checks, which would pass without a router otherwise.
  ::testing::AssertionResult router_made_passes(
      uint64_t passes = 2, std::chrono::milliseconds within = std::chrono::seconds(15));

 private:
  std::unique_ptr<Node> node_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A ClientContext with `authorization: Bearer <secret>` and a 10 s deadline.
std::unique_ptr<grpc::ClientContext> as(const std::string& secret);

// A staff member's StreamOffers, read on a thread into a queue.
class OfferStream {
 public:
  OfferStream(v1::WorkerGateway::Stub& stub, const std::string& token);
  ~OfferStream();
  // The next event, or nullopt after `timeout`. `done` events (the worker app's "Done today")
  // are left out: these streams watch offers.
  std::optional<v1::OfferEvent> next(std::chrono::milliseconds timeout);

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::OfferEvent>> reader_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<v1::OfferEvent> events_;
  std::thread thread_;
};

}  // namespace lexroute::testing
