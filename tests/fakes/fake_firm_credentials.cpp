#include "tests/fakes/fake_firm_credentials.h"

namespace lexroute::testing {

Result<std::string> FakeFirmCredentials::authenticate_firm(const std::string& api_key) {
  if (api_key.empty()) return fail(Errc::kUnauthenticated, "missing firm API key");
  std::lock_guard lock(mutex_);
  auto it = firm_of_key_.find(api_key);
  if (it == firm_of_key_.end()) return fail(Errc::kUnauthenticated, "unknown firm API key");
  return it->second;
}

std::string FakeFirmCredentials::issue(const std::string& firm) {
  std::lock_guard lock(mutex_);
  // Keys are secrets in the real store; here they only need to differ.
  std::string key = "lxk_test_" + std::to_string(firm_of_key_.size() + 1);
  firm_of_key_.emplace(key, firm);
  return key;
}

Result<std::vector<std::string>> FakeFirmCredentials::payload_schemes(const std::string& firm_id) {
  std::lock_guard lock(mutex_);
  auto it = schemes_of_firm_.find(firm_id);
  if (it == schemes_of_firm_.end()) return std::vector<std::string>{};
  return it->second;
}

void FakeFirmCredentials::set_payload_schemes(const std::string& firm,
                                              std::vector<std::string> schemes) {
  std::lock_guard lock(mutex_);
  schemes_of_firm_[firm] = std::move(schemes);
}

}  // namespace lexroute::testing
