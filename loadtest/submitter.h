#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/channel_security.h"
#include "lexroute/v1/intake.grpc.pb.h"
#include "loadtest/latency_log.h"
#include "loadtest/ledger.h"

namespace lexroute::loadtest {

// Firms submitting work: unary SubmitTask calls, open loop at a target rate or closed loop (each
// of `concurrency` callers sends as soon as the previous answer is back), or bulk SubmitTasks
// streams of `bulk_batch` tasks. Each acknowledgement goes into `acks`.
class Submitter {
 public:
  enum class Mode { kUnary, kBulk };
  struct Options {
    std::string server;
    std::vector<std::string> firm_keys;
    Mode mode = Mode::kUnary;
    double rate = 0;  // tasks per second; 0: closed loop
    int concurrency = 32;
    int bulk_batch = 5000;
    std::string pool;
    size_t channels = 8;
    cli::ChannelSecurity security;
  };

  Submitter(Options options, Ledger& ledger, LatencyLog& acks);

  // Submits until `until`; returns when every call it made has been answered.
  void run(SteadyTime until);

  // Before the window: submits one task outside the ledger (its payload_ref is kWarmUpRef) and
  // waits until `offered()` says it reached a staff member, or `limit` passed. A server that was
  // just started is not routing yet (the Kafka consumer group takes a few seconds to assign its
  // partitions); the window measures a running system, not its start. False on timeout.
  static constexpr const char* kWarmUpRef = "https://dms.loadtest.example/warm-up";
  bool warm_up(const std::function<bool()>& offered, std::chrono::seconds limit);

  uint64_t acknowledged() const { return acknowledged_.load(); }
  std::map<std::string, uint64_t> errors() const;
  // Open loop: sends skipped because too many calls were already waiting for an answer.
  uint64_t not_sent() const { return not_sent_.load(); }

 private:
  v1::SubmitTaskRequest task(uint64_t seq) const;
  void record_error(const grpc::Status& s);
  // Sends the ledger's next task on gRPC's callback API; `then` (may be empty) runs on a gRPC
  // thread once the answer is in. False when the ledger has no more tasks.
  bool send_next(size_t stub_index, std::function<void()> then);
  void wait_for_answers() const;  // until every unary call sent has its answer
  void closed_loop(SteadyTime until);
  void open_loop(SteadyTime until);
  void bulk(size_t worker, SteadyTime until);
  v1::TaskIntake::Stub& stub(size_t i) { return *stubs_[i % stubs_.size()]; }
  const std::string& key(uint64_t seq) const {
    return options_.firm_keys[seq % options_.firm_keys.size()];
  }

  Options options_;
  Ledger& ledger_;
  LatencyLog& acks_;
  std::vector<std::unique_ptr<v1::TaskIntake::Stub>> stubs_;
  std::atomic<uint64_t> acknowledged_{0}, not_sent_{0};
  std::atomic<int64_t> in_flight_{0};  // unary calls sent and not yet answered
  mutable std::mutex errors_mutex_;
  std::map<std::string, uint64_t> errors_;
};

}  // namespace lexroute::loadtest
