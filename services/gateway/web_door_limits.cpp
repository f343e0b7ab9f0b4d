#include "services/gateway/web_door_limits.h"

#include <algorithm>

namespace lexroute {

WebDoorLimits::Admission WebDoorLimits::admit(Connection id) {
  std::lock_guard lock(mutex_);
  Admission admission;
  bool full = open_.size() >= settings_.connections;
  if ((full || anonymous_.size() >= settings_.anonymous) && !anonymous_.empty()) {
    Connection oldest = anonymous_.front();
    anonymous_.pop_front();
    anonymous_at_.erase(oldest);
    open_.erase(oldest);
    admission.evict = oldest;
    full = open_.size() >= settings_.connections;
  }
  if (full) {
    admission.admitted = false;
    return admission;
  }
  open_[id] = false;
  anonymous_at_[id] = anonymous_.insert(anonymous_.end(), id);
  return admission;
}

void WebDoorLimits::request_in(Connection id) {
  std::lock_guard lock(mutex_);
  auto at = anonymous_at_.find(id);
  if (at == anonymous_at_.end()) return;
  anonymous_.erase(at->second);
  anonymous_at_.erase(at);
}

void WebDoorLimits::request_out(Connection id, bool signed_in) {
  std::lock_guard lock(mutex_);
  auto open = open_.find(id);
  if (open == open_.end()) return;  // evicted or closed meanwhile
  open->second = open->second || signed_in;
  if (!open->second && !anonymous_at_.contains(id)) {
    anonymous_at_[id] = anonymous_.insert(anonymous_.end(), id);
  }
}

std::vector<WebDoorLimits::Connection> WebDoorLimits::open_feed(Connection id,
                                                                const std::string& session,
                                                                const std::string& staff) {
  std::lock_guard lock(mutex_);
  end_feed(id);
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
  if (auto at = anonymous_at_.find(id); at != anonymous_at_.end()) {
    anonymous_.erase(at->second);
    anonymous_at_.erase(at);
  }
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
