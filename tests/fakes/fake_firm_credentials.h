#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/ports/firm_credentials.h"

namespace lexroute::testing {

// FirmCredentials in memory: keys a test hands out, each to one firm.
class FakeFirmCredentials : public FirmCredentials {
 public:
  Result<std::string> authenticate_firm(const std::string& api_key) override;
  Result<std::vector<std::string>> payload_schemes(const std::string& firm_id) override;

  // A new key for `firm` (a firm may hold several).
  std::string issue(const std::string& firm);
  // What an admin's SetPayloadSchemes stores for `firm`.
  void set_payload_schemes(const std::string& firm, std::vector<std::string> schemes);

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> firm_of_key_;
  std::map<std::string, std::vector<std::string>> schemes_of_firm_;
};

}  // namespace lexroute::testing
