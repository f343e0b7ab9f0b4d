#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace lexroute {

// Who may hold the worker app's door open, and how much of it (docs/security.md, "The worker
// app"). Connections are anonymous until a request on them proves a session (or signs in);
// anonymous ones waiting for a request are bounded on their own and are the first to go when
// the door is full, so slow or idle strangers cannot keep staff out. A connection whose request
// is being answered is never evicted: under load, answers take longer, and that must not cost
// staff their requests. Offer feeds are bounded per session (a new one
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

  // A connection was accepted. `admitted` false: close it at once (the door is full of feeds and
  // requests being answered). `evict`: a connection to close to make room: the oldest anonymous
  // one, or when the door is full and there is none, the signed-in one idle the longest
  // (a page's next request opens another).
  struct Admission {
    bool admitted = true;
    std::optional<Connection> evict;
    bool evict_signed_in = false;  // `evict` is an idle signed-in connection
  };
  Admission admit(Connection id);
  // A whole request arrived on `id`: it is being answered, and never evicted while it is.
  void request_in(Connection id);
  // The request on `id` was answered; `signed_in`: it proved a session, so the connection no
  // longer counts as anonymous. An anonymous one waits for its next request as the newest.
  void request_out(Connection id, bool signed_in);
  // `id` now carries the offer feed of `staff` for `session`; answers the older feeds to end.
  std::vector<Connection> open_feed(Connection id, const std::string& session,
                                    const std::string& staff);
  // The connection is closed (a feed on it ends with it).
  void closed(Connection id);

  size_t connections();
  // Anonymous connections waiting for a request (those that can be evicted).
  size_t anonymous();
  size_t feeds();

 private:
  struct Feed {
    std::string session, staff;
  };
  using Waiting = std::list<Connection>;
  // Ends the feed on `id`, if there is one. Under mutex_.
  void end_feed(Connection id);
  // Moves `id` to the end of `list` (null: it waits in none). Under mutex_.
  void wait_in(Connection id, Waiting* list);

  const Settings settings_;
  std::mutex mutex_;
  std::unordered_map<Connection, bool> open_;  // connection -> signed in
  // Connections waiting for a request, oldest first: anonymous ones, and signed-in ones that
  // carry no feed (idle keep-alive).
  Waiting anonymous_, idle_;
  std::unordered_map<Connection, std::pair<Waiting*, Waiting::iterator>> waiting_at_;
  // Open feeds, and their connections by session and by staff member, oldest (lowest id) first:
  // connection ids grow.
  std::unordered_map<Connection, Feed> feeds_;
  std::unordered_map<std::string, std::set<Connection>> by_session_, by_staff_;
};

}  // namespace lexroute
