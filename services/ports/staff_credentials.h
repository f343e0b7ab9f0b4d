#pragma once

#include <string>
#include <vector>

#include "router/error.h"

namespace lexroute {

// Who a staff token belongs to.
struct StaffIdentity {
  std::string pool;
  std::string staff_id;
};

// Where a door learns who a staff token belongs to. Only a token's hash is kept, so a token
// cannot be read back, only recognized.
// The real one is CredentialStore (Redis); tests/fakes/fake_staff_credentials.h is in memory.
class StaffCredentials {
 public:
  virtual ~StaffCredentials() = default;

  // UNAUTHENTICATED for a missing or unknown token.
  virtual Result<StaffIdentity> authenticate_staff(const std::string& token) = 0;
  // Many tokens at once, one answer each, in order; fails as a whole only when the store is away.
  virtual Result<std::vector<Result<StaffIdentity>>> authenticate_staff(
      const std::vector<std::string>& tokens) = 0;
};

}  // namespace lexroute
