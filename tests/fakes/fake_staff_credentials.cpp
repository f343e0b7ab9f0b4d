#include "tests/fakes/fake_staff_credentials.h"

namespace lexroute::testing {

Result<StaffIdentity> FakeStaffCredentials::known(const std::string& token) const {
  if (token.empty()) return fail(Errc::kUnauthenticated, "missing staff token");
  auto it = by_token_.find(token);
  if (it == by_token_.end()) return fail(Errc::kUnauthenticated, "unknown staff token");
  return it->second;
}

Result<StaffIdentity> FakeStaffCredentials::authenticate_staff(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (away_) return fail(Errc::kUnavailable, "the credentials are away");
  return known(token);
}

Result<std::vector<Result<StaffIdentity>>> FakeStaffCredentials::authenticate_staff(
    const std::vector<std::string>& tokens) {
  std::lock_guard lock(mutex_);
  if (away_) return fail(Errc::kUnavailable, "the credentials are away");
  std::vector<Result<StaffIdentity>> answers;
  answers.reserve(tokens.size());
  for (const auto& token : tokens) answers.push_back(known(token));
  return answers;
}

std::string FakeStaffCredentials::issue(const std::string& pool, const std::string& staff_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(by_token_, [&](const auto& entry) {
    return entry.second.pool == pool && entry.second.staff_id == staff_id;
  });
  std::string token = "token-" + std::to_string(++issued_) + "-" + staff_id;
  by_token_[token] = {pool, staff_id};
  return token;
}

void FakeStaffCredentials::set_away(bool away) {
  std::lock_guard lock(mutex_);
  away_ = away;
}

}  // namespace lexroute::testing
