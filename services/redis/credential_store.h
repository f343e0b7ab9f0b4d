#pragma once

#include <string>
#include <vector>

#include "router/error.h"
#include "services/ports/firm_credentials.h"
#include "services/ports/staff_credentials.h"
#include "services/redis/redis_client.h"

namespace lexroute {

// Firm API keys and staff tokens. Only their SHA-256 is stored; the secret itself is returned
// once, when it is issued.
class CredentialStore : public FirmCredentials, public StaffCredentials {
 public:
  explicit CredentialStore(RedisClient& redis) : redis_(redis) {}

  // A new firm and its first API key. ALREADY_EXISTS when the firm id is taken.
  Result<std::string> create_firm(const std::string& firm_id, const std::string& display_name,
                                  int64_t now_ms);
  Result<std::string> authenticate_firm(const std::string& api_key) override;
  // The firm's added payload_ref schemes, stored with the firm (field payload_schemes,
  // comma-separated); validated by the caller. NOT_FOUND (field firm_id) for an unknown firm.
  Result<void> set_payload_schemes(const std::string& firm_id,
                                   const std::vector<std::string>& schemes);
  Result<std::vector<std::string>> payload_schemes(const std::string& firm_id) override;

  // A new token for a staff member, replacing (revoking) the previous one.
  Result<std::string> issue_staff_token(const std::string& pool, const std::string& staff_id);
  Result<StaffIdentity> authenticate_staff(const std::string& token) override;
  // One round trip (StaffCredentials::authenticate_staff).
  Result<std::vector<Result<StaffIdentity>>> authenticate_staff(
      const std::vector<std::string>& tokens) override;

 private:
  RedisClient& redis_;
};

}  // namespace lexroute
