#pragma once

#include <string>

#include "router/error.h"

namespace lexroute {

// Which firm an API key belongs to.
// The real one is CredentialStore (Redis); tests/fakes/fake_firm_credentials.h is in memory.
class FirmCredentials {
 public:
  virtual ~FirmCredentials() = default;

  // UNAUTHENTICATED for a missing or unknown key.
  virtual Result<std::string> authenticate_firm(const std::string& api_key) = 0;
};

}  // namespace lexroute
