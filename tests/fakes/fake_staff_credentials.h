#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/ports/staff_credentials.h"

namespace lexroute::testing {

// StaffCredentials in memory. Tokens are kept as issued, not hashed: nothing here is a secret.
class FakeStaffCredentials : public StaffCredentials {
 public:
  Result<StaffIdentity> authenticate_staff(const std::string& token) override;
  Result<std::vector<Result<StaffIdentity>>> authenticate_staff(
      const std::vector<std::string>& tokens) override;

  // A new token for the staff member, replacing (revoking) the previous one.
  std::string issue(const std::string& pool, const std::string& staff_id);
  // While away, every call fails UNAVAILABLE, as when Redis is unreachable.
  void set_away(bool away);

 private:
  Result<StaffIdentity> known(const std::string& token) const;  // under mutex_

  std::mutex mutex_;
  std::map<std::string, StaffIdentity> by_token_;
  size_t issued_ = 0;
  bool away_ = false;
};

}  // namespace lexroute::testing
