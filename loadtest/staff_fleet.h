#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/channel_security.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "loadtest/latency_log.h"
#include "services/common/completion_queues.h"

namespace lexroute::loadtest {

// Thousands of simulated staff on few threads: each holds a StreamOffers stream on one of a few
// completion queues of the fleet's own, accepts every offer after `think`, completes it after
// `think` again, and heartbeats. Unlike workers/staff_simulator (a thread per person), this scales
// to 100,000.
class StaffFleet {
 public:
  struct Member {
    std::string staff_id;
    std::string token;
  };
  struct Options {
    std::string server;
    std::vector<Member> staff;
    std::chrono::milliseconds think{0};
    size_t channels = 8;
    std::chrono::seconds heartbeat_every{15};
    cli::ChannelSecurity security;
  };
  // Told of each offer as it arrives and each completion as it is acknowledged.
  using Observer = std::function<void(const v1::Offer& offer, SteadyTime at)>;

  StaffFleet(Options options, Observer offered, Observer completed);
  ~StaffFleet();
  StaffFleet(const StaffFleet&) = delete;
  StaffFleet& operator=(const StaffFleet&) = delete;

  // Signs everyone in and opens their streams; false if some could not sign in.
  bool start();
  void stop();

  uint64_t errors() const { return errors_.load(); }

 private:
  class Reader;
  struct Timer;
  // Completion queues (each with a thread) the offer streams are spread over.
  static constexpr size_t kFeedQueues = 8;
  friend class Reader;

  v1::WorkerGateway::Stub& stub(size_t i) { return *stubs_[i % stubs_.size()]; }
  void on_offer(size_t member, const v1::Offer& offer, bool already_accepted);
  void accept(size_t member, v1::Offer offer);
  void complete(size_t member, v1::Offer offer);
  void later(std::function<void()> fn);
  void heartbeat_loop();

  Options options_;
  Observer offered_, completed_;
  std::vector<std::unique_ptr<v1::WorkerGateway::Stub>> stubs_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::unique_ptr<Timer> timer_;
  CompletionQueues feed_queues_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> errors_{0};
  std::atomic<int64_t> in_flight_{0};
  std::mutex mutex_;
  std::condition_variable idle_;
  std::thread heartbeats_;
};

}  // namespace lexroute::loadtest
