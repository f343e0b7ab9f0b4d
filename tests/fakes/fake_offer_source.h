#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "services/ports/change_signals.h"
#include "services/ports/offer_source.h"

namespace lexroute::testing {

// OfferSource in memory, for the offer feeds' tests: the open offers a test puts up for each
// staff member, told to a feed as the desk tells them (each new offer once, a withdrawal for each
// that left, everything again after `signals` reconnected). Accepted work is left out: how it is
// told is the desk's own rule, tested with the desk.
class FakeOfferSource : public OfferSource {
 public:
  explicit FakeOfferSource(ChangeSignals& signals) : signals_(signals) {}

  Result<StaffIdentity> authenticate(const std::string& staff_token) override;
  void offer_changes(std::span<FeedLook> looks) override;

  // `token` is `who`'s.
  void admit(const std::string& token, const StaffIdentity& who);
  // `offer` is open to `who` from now on, until withdrawn.
  void put_up(const StaffIdentity& who, const v1::Offer& offer);
  void withdraw(const StaffIdentity& who, const std::string& task_id);
  // While away, looks find nothing (events nullopt), as when Redis is unreachable.
  void set_away(bool away);
  // Feeds looked at so far, one per FeedLook.
  size_t looks();

 private:
  using Who = std::pair<std::string, std::string>;  // pool, staff id

  ChangeSignals& signals_;
  std::mutex mutex_;
  std::map<std::string, StaffIdentity> by_token_;
  std::map<Who, std::map<std::string, v1::Offer>> offers_;  // by task id
  bool away_ = false;
  size_t looks_ = 0;
};

}  // namespace lexroute::testing
