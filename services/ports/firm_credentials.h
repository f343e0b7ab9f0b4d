#pragma once

#include <string>
#include <vector>

#include "router/error.h"

namespace lexroute {

// Which firm an API key belongs to, and what the firm's admin allowed for its tasks.
// The real one is CredentialStore (Redis); tests/fakes/fake_firm_credentials.h is in memory.
class FirmCredentials {
 public:
  virtual ~FirmCredentials() = default;

  // UNAUTHENTICATED for a missing or unknown key.
  virtual Result<std::string> authenticate_firm(const std::string& api_key) = 0;
  // The URI schemes the firm's payload_refs may use besides https (Admin.SetPayloadSchemes);
  // none for a firm that never set any.
  virtual Result<std::vector<std::string>> payload_schemes(const std::string& firm_id) = 0;
};

}  // namespace lexroute
