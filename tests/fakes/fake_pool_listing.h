#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "services/ports/pool_listing.h"

namespace lexroute::testing {

// PoolListing in memory: the pools a test created, and how often the list was read.
class FakePoolListing : public PoolListing {
 public:
  Result<std::vector<std::string>> pools() override;

  // As an admin creates a pool: by adding staff to it or configuring it.
  void add(const std::string& pool);
  size_t reads();

 private:
  std::mutex mutex_;
  std::set<std::string> pools_;
  size_t reads_ = 0;
};

}  // namespace lexroute::testing
