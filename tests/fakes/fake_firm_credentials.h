#pragma once

#include <map>
#include <mutex>
#include <string>

#include "services/ports/firm_credentials.h"

namespace lexroute::testing {

// FirmCredentials in memory: keys a test hands out, each to one firm.
class FakeFirmCredentials : public FirmCredentials {
 public:
  Result<std::string> authenticate_firm(const std::string& api_key) override;

  // A new key for `firm` (a firm may hold several).
  std::string issue(const std::string& firm);

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> firm_of_key_;
};

}  // namespace lexroute::testing
