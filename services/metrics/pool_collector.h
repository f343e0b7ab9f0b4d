#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "router/clock.h"
#include "services/common/periodic_task.h"
#include "services/metrics/pool_metrics.h"
#include "services/redis/pool_store.h"
#include "services/redis/staff_store.h"

namespace lexroute {

// Reads each pool's state from Redis every `every` and publishes it as PoolMetrics gauges:
// backlog, open offers and accepted work, the oldest waiting task, tasks at SLA risk, staff by
// state (with an elastic pool's bench and called-in staff who are not signed in as states of
// their own). Runs beside the routers, off every request path; a few pipelined reads per pool.
class PoolCollector {
 public:
  // Deadlines further ahead than this are not scanned for SLA risk, nor more than kScanLimit
  // tasks per pool per pass: the gauge is a warning light, not an audit.
  static constexpr auto kRiskLookahead = std::chrono::hours(24 * 7);
  static constexpr size_t kScanLimit = 2000;
  // Tasks waiting at the head of the queue whose age is checked for the oldest.
  static constexpr size_t kOldestAmong = 200;

  PoolCollector(PoolStore& pools, StaffStore& staff, PoolMetrics& metrics, const Clock& clock,
                std::chrono::milliseconds every)
      : pools_(pools), staff_(staff), metrics_(metrics), clock_(clock), every_(every) {}
  ~PoolCollector() { stop(); }

  void start();
  void stop();
  // One pass over every pool, now (the thread calls this every `every`).
  Result<void> collect();

 private:
  struct Member {
    std::string vendor, region, time_zone;
    int capacity = 1;
  };
  struct Roster {
    int64_t version = -1;
    std::map<std::string, Member> members;
  };
  Result<PoolSnapshot> read_pool(const std::string& pool);

  PoolStore& pools_;
  StaffStore& staff_;
  PoolMetrics& metrics_;
  const Clock& clock_;
  std::chrono::milliseconds every_;
  std::map<std::string, Roster> rosters_;
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace lexroute
