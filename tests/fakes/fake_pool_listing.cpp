#include "tests/fakes/fake_pool_listing.h"

namespace lexroute::testing {

Result<std::vector<std::string>> FakePoolListing::pools() {
  std::lock_guard lock(mutex_);
  ++reads_;
  return std::vector<std::string>(pools_.begin(), pools_.end());
}

void FakePoolListing::add(const std::string& pool) {
  std::lock_guard lock(mutex_);
  pools_.insert(pool);
}

size_t FakePoolListing::reads() {
  std::lock_guard lock(mutex_);
  return reads_;
}

}  // namespace lexroute::testing
