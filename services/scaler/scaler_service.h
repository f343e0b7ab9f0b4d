#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <thread>

#include "router/clock.h"
#include "services/common/periodic_task.h"
#include "services/redis/pool_store.h"
#include "services/redis/staff_store.h"

namespace lexroute {

// The control loop of elastic pools: every `interval`, for each pool with scaling settings, it
// reads the backlog, the active staff and the bench, plans with plan_scaling (router/scaling.h),
// calls bench staff in and releases them, and records the decision with its inputs. Only the
// holder of a Redis lease acts, so running two replicas is safe.
class ScalerService {
 public:
  struct Options {
    std::chrono::milliseconds interval{30000};
    std::string holder;  // this replica's name in the lease
  };

  ScalerService(Options options, PoolStore& pools, StaffStore& staff, const Clock& clock)
      : options_(std::move(options)), pools_(pools), staff_(staff), clock_(clock) {}
  ~ScalerService() { stop(); }

  void start();
  void stop();

  // One round over every pool, if this replica holds the lease; how many pools it planned.
  // The loop calls it every interval; tests call it directly with a ManualClock.
  Result<size_t> step();

 private:
  Result<void> scale(const std::string& pool, const v1::PoolScaling& scaling);
  // Tasks completed in the last hour, from the pool's completion counter sampled each round.
  int completed_last_hour(const std::string& pool, int64_t total);

  Options options_;
  PoolStore& pools_;
  StaffStore& staff_;
  const Clock& clock_;
  std::map<std::string, std::deque<std::pair<absl::Time, int64_t>>> completions_;
  std::map<std::string, v1::ScalingDecision> last_recorded_;
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace lexroute
