#include "loadtest/process_stats.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lexroute::loadtest {
namespace {

std::vector<pid_t> with_children(pid_t pid) {
  std::vector<pid_t> out{pid};
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  for (pid_t child; children >> child;) out.push_back(child);
  return out;
}

// utime + stime in clock ticks, from /proc/<pid>/stat (fields 14 and 15).
long long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  auto close = line.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

long long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

}  // namespace

void ProcessStats::start() {
  if (!available()) return;
  sample();
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      for (int i = 0; i < 20 && !stopping_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      sample();
    }
  });
}

void ProcessStats::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (available()) sample();
}

void ProcessStats::sample() {
  long long ticks = 0, rss = 0;
  for (pid_t p : with_children(pid_)) {
    ticks += cpu_ticks(p);
    rss += rss_kib(p);
  }
  if (start_ticks_.load() < 0) start_ticks_ = ticks;
  last_ticks_ = ticks;
  last_rss_kib_ = rss;
  if (rss > max_rss_kib_.load()) max_rss_kib_ = rss;
}

double ProcessStats::cpu_seconds() const {
  if (start_ticks_.load() < 0) return 0;
  return static_cast<double>(last_ticks_.load() - start_ticks_.load()) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace lexroute::loadtest
