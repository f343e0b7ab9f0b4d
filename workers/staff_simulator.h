#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/channel_security.h"

namespace grpc {
class ClientContext;
}

namespace lexroute {

// Simulated vendor staff on the gRPC WorkerGateway, for the demo and load tests: each signs in,
// becomes available, and works through their offers (accept, think, complete with an outcome
// that fits the task's kind), reconnecting when the gateway goes away. Their apps heartbeat, and
// sign back in if the gateway says they were taken offline.
class StaffSimulator {
 public:
  struct Member {
    std::string staff_id;
    std::string token;
  };
  struct Options {
    std::string server;
    cli::ChannelSecurity security;
    std::vector<Member> staff;
    std::chrono::milliseconds think{50};  // before accepting, and again before completing
    double reject_rate = 0.0;             // share of offers turned down, 0 to 1
    // What the staff saw, for tests that check it from their side: every offer that arrives (with
    // when it was made, ms since the epoch: a stream sent again repeats it), and every completion
    // the gateway acknowledged (resends included). Called on the member's thread.
    std::function<void(const std::string& staff_id, const std::string& task_id,
                       int64_t offered_at_ms)>
        on_offered;
    std::function<void(const std::string& staff_id, const std::string& task_id)> on_completed;
  };

  explicit StaffSimulator(Options options);
  ~StaffSimulator();
  StaffSimulator(const StaffSimulator&) = delete;
  StaffSimulator& operator=(const StaffSimulator&) = delete;

  void start();
  // Signs everyone out (OFFLINE) and ends the streams.
  void stop();

  uint64_t accepted() const { return accepted_.load(); }
  uint64_t completed() const { return completed_.load(); }
  uint64_t rejected() const { return rejected_.load(); }
  uint64_t errors() const { return errors_.load(); }
  // Accepts, rejections and completions answered UNAVAILABLE, each then sent again.
  uint64_t unavailable() const { return unavailable_.load(); }

 private:
  void work(const Member& member, size_t index);
  void heartbeat_all();

  Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> accepted_{0}, completed_{0}, rejected_{0}, errors_{0}, unavailable_{0};
  std::mutex streams_mutex_;
  std::vector<grpc::ClientContext*> streams_;
  std::vector<std::thread> threads_;
  std::thread heartbeats_;
};

}  // namespace lexroute
