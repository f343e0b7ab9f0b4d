#pragma once

#include <sys/types.h>

#include <atomic>
#include <thread>

namespace lexroute::loadtest {

// CPU and memory of the server under test, from /proc: the process and its children (lexrouted
// dev's redis-server), sampled every second.
class ProcessStats {
 public:
  explicit ProcessStats(pid_t pid) : pid_(pid) {}
  ~ProcessStats() { stop(); }
  void start();
  void stop();

  bool available() const { return pid_ > 0; }
  double cpu_seconds() const;  // user + system since start(), all sampled processes
  double max_rss_mib() const { return max_rss_kib_.load() / 1024.0; }
  double last_rss_mib() const { return last_rss_kib_.load() / 1024.0; }

 private:
  void sample();

  pid_t pid_;
  std::atomic<bool> stopping_{false};
  std::atomic<long long> start_ticks_{-1}, last_ticks_{0}, max_rss_kib_{0}, last_rss_kib_{0};
  std::thread thread_;
};

}  // namespace lexroute::loadtest
