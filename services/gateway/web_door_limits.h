#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lexroute {

// Who may hold the worker app's door open, and how much of it (docs/security.md, "The worker
// app"). Connections are anonymous until a request on them proves a session (or signs in);
// anonymous ones are bounded on their own and are the first to go when the door is full, so
// slow or idle strangers cannot keep staff out. Offer feeds are bounded per session (a new one
// replaces the older) and per staff member (a new one replaces their oldest), so no one signed
// in can take the door's feeds from the others. Thread-safe; the door acts on the answers.
class WebDoorLimits {
 public:
  using Connection = uint64_t;

  struct Settings {
    size_t connections = 100'000;  // all of them, signed in or not; the open-file limit lowers it
    size_t anonymous = 1'024;      // not yet signed in
    size_t feeds_per_session = 1;
    size_t feeds_per_staff = 4;
  };
  explicit WebDoorLimits(Settings settings) : settings_(settings) {}

  // A connection was accepted. `admitted` false: close it at once (the door is full of signed-in
  // connections). `evict`: a connection to close to make room, the oldest anonymous one.
  struct Admission {
    bool admitted = true;
    std::optional<Connection> evict;
  };
  Admission admit(Connection id);
  // A request on `id` proved a session: it no longer counts as anonymous.
  void signed_in(Connection id);
  // `id` now carries the offer feed of `staff` for `session`; answers the older feeds to end.
  std::vector<Connection> open_feed(Connection id, const std::string& session,
                                    const std::string& staff);
  // The connection is closed (a feed on it ends with it).
  void closed(Connection id);

  size_t connections();
  size_t anonymous();
  size_t feeds();

 private:
  struct Feed {
    std::string session, staff;
  };

  const Settings settings_;
  std::mutex mutex_;
  std::unordered_map<Connection, bool> open_;  // connection -> signed in
  std::list<Connection> anonymous_;            // oldest first
  std::unordered_map<Connection, std::list<Connection>::iterator> anonymous_at_;
  // Feeds in the order they opened (connection ids grow).
  std::map<Connection, Feed> feeds_;
};

}  // namespace lexroute
