#include "services/gateway/web_door_limits.h"

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

void WebDoorLimits::signed_in(Connection id) {
  std::lock_guard lock(mutex_);
  auto at = anonymous_at_.find(id);
  if (at == anonymous_at_.end()) return;
  anonymous_.erase(at->second);
  anonymous_at_.erase(at);
  open_[id] = true;
}

std::vector<WebDoorLimits::Connection> WebDoorLimits::open_feed(Connection id,
                                                                const std::string& session,
                                                                const std::string& staff) {
  std::lock_guard lock(mutex_);
  std::vector<Connection> ended;
  size_t same_session = 0, same_staff = 0;
  for (const auto& [other, feed] : feeds_) {
    if (other == id) continue;
    same_session += feed.session == session;
    same_staff += feed.staff == staff;
  }
  // Oldest first: ids grow with each connection.
  for (auto it = feeds_.begin(); it != feeds_.end();) {
    bool session_full =
        it->second.session == session && same_session >= settings_.feeds_per_session;
    bool staff_full = it->second.staff == staff && same_staff >= settings_.feeds_per_staff;
    if (it->first != id && (session_full || staff_full)) {
      same_session -= it->second.session == session;
      same_staff -= it->second.staff == staff;
      ended.push_back(it->first);
      it = feeds_.erase(it);
    } else {
      ++it;
    }
  }
  feeds_[id] = {session, staff};
  return ended;
}

void WebDoorLimits::closed(Connection id) {
  std::lock_guard lock(mutex_);
  if (auto at = anonymous_at_.find(id); at != anonymous_at_.end()) {
    anonymous_.erase(at->second);
    anonymous_at_.erase(at);
  }
  open_.erase(id);
  feeds_.erase(id);
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
