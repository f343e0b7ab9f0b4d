#pragma once

#include <string>
#include <vector>

#include "router/error.h"

namespace lexroute {

// The pools that exist. Pools are never deleted, so a name listed once stays valid.
// The real one is StaffStore (Redis); tests/fakes/fake_pool_listing.h is in memory.
class PoolListing {
 public:
  virtual ~PoolListing() = default;

  virtual Result<std::vector<std::string>> pools() = 0;
};

}  // namespace lexroute
