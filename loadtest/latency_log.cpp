#include "loadtest/latency_log.h"

#include <algorithm>
#include <limits>

namespace lexroute::loadtest {
namespace {

double percentile_ms(std::vector<uint32_t>& micros, double q) {
  if (micros.empty()) return 0;
  size_t k =
      std::min(micros.size() - 1, static_cast<size_t>(q * static_cast<double>(micros.size())));
  std::nth_element(micros.begin(), micros.begin() + static_cast<std::ptrdiff_t>(k), micros.end());
  return micros[k] / 1000.0;
}

}  // namespace

void LatencyLog::add(SteadyTime ended, std::chrono::nanoseconds latency) {
  auto second = std::chrono::duration_cast<std::chrono::seconds>(ended - start_).count();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  Sample s{
      static_cast<uint32_t>(std::max<int64_t>(second, 0)),
      static_cast<uint32_t>(std::clamp<int64_t>(micros, 0, std::numeric_limits<uint32_t>::max()))};
  std::lock_guard lock(mutex_);
  samples_.push_back(s);
}

LatencyLog::Summary LatencyLog::summary() const {
  std::vector<uint32_t> micros;
  {
    std::lock_guard lock(mutex_);
    micros.reserve(samples_.size());
    for (const auto& s : samples_) micros.push_back(s.micros);
  }
  Summary out;
  out.count = micros.size();
  if (micros.empty()) return out;
  out.max_ms = *std::max_element(micros.begin(), micros.end()) / 1000.0;
  out.p50_ms = percentile_ms(micros, 0.50);
  out.p90_ms = percentile_ms(micros, 0.90);
  out.p99_ms = percentile_ms(micros, 0.99);
  out.p999_ms = percentile_ms(micros, 0.999);
  return out;
}

std::vector<LatencyLog::Second> LatencyLog::per_second() const {
  std::vector<std::vector<uint32_t>> by_second;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : samples_) {
      if (s.second >= by_second.size()) by_second.resize(s.second + 1);
      by_second[s.second].push_back(s.micros);
    }
  }
  std::vector<Second> out(by_second.size());
  for (size_t i = 0; i < by_second.size(); ++i) {
    out[i].count = by_second[i].size();
    out[i].p99_ms = percentile_ms(by_second[i], 0.99);
  }
  return out;
}

}  // namespace lexroute::loadtest
