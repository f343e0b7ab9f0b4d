#include "tests/fakes/fake_offer_source.h"

namespace lexroute::testing {

Result<StaffIdentity> FakeOfferSource::authenticate(const std::string& staff_token) {
  std::lock_guard lock(mutex_);
  auto it = by_token_.find(staff_token);
  if (it == by_token_.end()) return fail(Errc::kUnauthenticated, "unknown staff token");
  return it->second;
}

void FakeOfferSource::offer_changes(std::span<FeedLook> looks) {
  std::lock_guard lock(mutex_);
  for (auto& look : looks) {
    ++looks_;
    look.events.reset();
    if (away_) continue;
    FeedState& state = *look.state;
    if (uint64_t c = signals_.connections(); c != state.connection) {
      state.connection = c;
      state.sent_offers.clear();
    }
    const auto& open = offers_[{look.me->pool, look.me->staff_id}];
    std::vector<v1::OfferEvent> events;
    for (const auto& [id, offer] : open) {
      if (!state.sent_offers.insert(id).second) continue;
      *events.emplace_back().mutable_offered() = offer;
    }
    for (auto it = state.sent_offers.begin(); it != state.sent_offers.end();) {
      if (open.contains(*it)) {
        ++it;
        continue;
      }
      events.emplace_back().set_withdrawn_task_id(*it);
      it = state.sent_offers.erase(it);
    }
    look.events = std::move(events);
  }
}

void FakeOfferSource::admit(const std::string& token, const StaffIdentity& who) {
  std::lock_guard lock(mutex_);
  by_token_[token] = who;
}

void FakeOfferSource::put_up(const StaffIdentity& who, const v1::Offer& offer) {
  std::lock_guard lock(mutex_);
  offers_[{who.pool, who.staff_id}][offer.task_id()] = offer;
}

void FakeOfferSource::withdraw(const StaffIdentity& who, const std::string& task_id) {
  std::lock_guard lock(mutex_);
  offers_[{who.pool, who.staff_id}].erase(task_id);
}

void FakeOfferSource::set_away(bool away) {
  std::lock_guard lock(mutex_);
  away_ = away;
}

size_t FakeOfferSource::looks() {
  std::lock_guard lock(mutex_);
  return looks_;
}

}  // namespace lexroute::testing
