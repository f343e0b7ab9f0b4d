#pragma once

#include <map>
#include <mutex>
#include <string>

#include "services/ports/presence_sweep.h"

namespace lexroute::testing {

// PresenceSweep in memory: it moves no work, it counts the sweeps of each pool and answers what
// the test set, so a test can see the clock pass reach presence.
class FakePresenceSweep : public PresenceSweep {
 public:
  Result<SweepResult> sweep(const std::string& pool, const PoolSettings& settings,
                            size_t limit) override;

  // What the next sweeps of `pool` answer.
  void answer(const std::string& pool, SweepResult result);
  size_t sweeps(const std::string& pool);

 private:
  std::mutex mutex_;
  std::map<std::string, size_t> sweeps_;
  std::map<std::string, SweepResult> answers_;
};

}  // namespace lexroute::testing
