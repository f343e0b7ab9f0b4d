#include "tests/fakes/fake_presence_sweep.h"

namespace lexroute::testing {

Result<PresenceSweep::SweepResult> FakePresenceSweep::sweep(const std::string& pool,
                                                            const PoolSettings& /*settings*/,
                                                            size_t /*limit*/) {
  std::lock_guard lock(mutex_);
  ++sweeps_[pool];
  return answers_[pool];
}

void FakePresenceSweep::answer(const std::string& pool, SweepResult result) {
  std::lock_guard lock(mutex_);
  answers_[pool] = result;
}

size_t FakePresenceSweep::sweeps(const std::string& pool) {
  std::lock_guard lock(mutex_);
  return sweeps_[pool];
}

}  // namespace lexroute::testing
