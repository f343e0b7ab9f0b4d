#include "services/gateway/web_door_limits.h"

#include <algorithm>

namespace lexroute {

WebDoorLimits::Admission WebDoorLimits::admit(Connection id) {
  std::lock_guard lock(mutex_);
  Admission admission;
  bool full = open_.size() >= settings_.connections;
  Waiting* from = nullptr;
  if ((full || anonymous_.size() >= settings_.anonymous) && !anonymous_.empty()) {
    from = &anonymous_;
  } else if (full && !idle_.empty()) {
    from = &idle_;
  }
  if (from) {
    Connection oldest = from->front();
    wait_in(oldest, nullptr);
    open_.erase(oldest);
    admission.evict = oldest;
    admission.evict_signed_in = from == &idle_;
    full = open_.size() >= settings_.connections;
  }
  if (full) {
    admission.admitted = false;
    return admission;
  }
  open_[id] = false;
  wait_in(id, &anonymous_);
  return admission;
}

void WebDoorLimits::wait_in(Connection id, Waiting* list) {
  if (auto at = waiting_at_.find(id); at != waiting_at_.end()) {
    at->second.first->erase(at->second.second);
    waiting_at_.erase(at);
  }
  if (list) waiting_at_[id] = {list, list->insert(list->end(), id)};
}

void WebDoorLimits::request_in(Connection id) {
  std::lock_guard lock(mutex_);
  wait_in(id, nullptr);
}

void WebDoorLimits::request_out(Connection id, bool signed_in) {
  std::lock_guard lock(mutex_);
  auto open = open_.find(id);
  if (open == open_.end() || feeds_.contains(id)) return;  // evicted, closed, or a feed now
  open->second = open->second || signed_in;
  wait_in(id, open->second ? &idle_ : &anonymous_);
}

std::vector<WebDoorLimits::Connection> WebDoorLimits::open_feed(Connection id,
                                                                const std::string& session,
                                                                const std::string& staff) {
  std::lock_guard lock(mutex_);
  end_feed(id);
  wait_in(id, nullptr);  // a feed is never idle
  if (auto open = open_.find(id); open != open_.end()) open->second = true;
  std::vector<Connection> ended;
  // Ends the oldest feeds under `key` until one more fits in `limit`.
  auto make_room = [&](std::unordered_map<std::string, std::set<Connection>>& index,
                       const std::string& key, size_t limit) {
    for (;;) {
      auto held = index.find(key);
      if (held == index.end() || held->second.size() < std::max<size_t>(limit, 1)) return;
      Connection oldest = *held->second.begin();
      end_feed(oldest);
      ended.push_back(oldest);
    }
  };
  make_room(by_session_, session, settings_.feeds_per_session);
  make_room(by_staff_, staff, settings_.feeds_per_staff);
  feeds_[id] = {session, staff};
  by_session_[session].insert(id);
  by_staff_[staff].insert(id);
  return ended;
}

void WebDoorLimits::end_feed(Connection id) {
  auto feed = feeds_.find(id);
  if (feed == feeds_.end()) return;
  auto forget = [id](std::unordered_map<std::string, std::set<Connection>>& index,
                     const std::string& key) {
    auto held = index.find(key);
    held->second.erase(id);
    if (held->second.empty()) index.erase(held);
  };
  forget(by_session_, feed->second.session);
  forget(by_staff_, feed->second.staff);
  feeds_.erase(feed);
}

void WebDoorLimits::closed(Connection id) {
  std::lock_guard lock(mutex_);
  wait_in(id, nullptr);
  open_.erase(id);
  end_feed(id);
}

size_t WebDoorLimits::connections() {
  std::lock_guard lock(mutex_);
  return open_.size();
}

size_t WebDoorLimits::anonymous() {
  std::lock_guard lock(mutex_);
  return anonymous_.size();
}

size_t WebDoorLimits::feeds() {
  std::lock_guard lock(mutex_);
  return feeds_.size();
}

}  // namespace lexroute
