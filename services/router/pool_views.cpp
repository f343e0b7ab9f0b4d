#include "services/router/pool_views.h"

#include <algorithm>
#include <vector>

#include "router/roster.h"
#include "services/common/log.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr auto kRosterCheckEvery = 250ms;
// A safety net under the change notifications, not the main way states arrive.
constexpr auto kFullStateRefreshEvery = 10s;

}  // namespace

const PoolViews::View* PoolViews::pool(const std::string& name) const {
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : &it->second;
}

PoolViews::View& PoolViews::open(const std::string& name) {
  auto it = views_.find(name);
  if (it != views_.end()) return it->second;
  if (auto listed = staff_.register_pool(name); !listed) {
    LOG_WARN("router", "pool=", name, " not listed: ", listed.error().message);
  }
  return views_[name];
}

Result<void> PoolViews::refresh_roster(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_roster_check_ < kRosterCheckEvery) return {};
  last_roster_check_ = now;
  auto names = staff_.pools();
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) {
    View& view = views_[name];
    auto version = staff_.roster_version(name);
    if (!version) return std::unexpected(version.error());
    if (*version == view.roster_version) continue;
    auto roster = staff_.roster(name);
    if (!roster) return std::unexpected(roster.error());
    auto settings = staff_.settings(name);
    if (!settings && settings.error().code != Errc::kInternal) {
      return std::unexpected(settings.error());
    }
    if (!settings) {
      // Stored settings this router cannot read: it keeps routing the pool as it did.
      LOG_ERROR("router", "pool=", name, " roster v", *version,
                " not loaded: ", settings.error().message);
      view.roster_version = *version;
      continue;
    }
    StaffDirectory fresh;
    for (const auto& s : *roster) {
      auto profile = profile_from(s);
      if (!profile) {
        // Admin validated it on the way in; a record that no longer parses is skipped, loudly.
        LOG_ERROR("router", "pool=", name, " staff=", s.id(),
                  " unusable: ", profile.error().message);
        continue;
      }
      fresh.upsert(std::move(*profile));
    }
    view.directory = std::move(fresh);
    view.roster_version = *version;
    view.settings = *settings;
    view.needs_full_refresh = true;  // the fresh directory knows no states yet
    LOG_INFO("router", "pool=", name, " roster v", *version, ": ", view.directory.size(), " staff");
  }
  return {};
}

Result<void> PoolViews::refresh_states(bool force_full) {
  absl::Time now = absl::FromChrono(clock_.now());
  auto steady_now = std::chrono::steady_clock::now();
  for (auto& [name, view] : views_) {
    bool complete = false;
    auto messages = signals_.take_wake_messages(keys::wake_channel(name), &complete);
    bool full = force_full || !complete || view.needs_full_refresh ||
                steady_now - view.last_full_refresh >= kFullStateRefreshEvery;
    if (full) {
      auto states = staff_.states(name);
      if (!states) return std::unexpected(states.error());
      for (const auto& [id, state] : *states) view.directory.set_state(id, state, now);
      view.needs_full_refresh = false;
      view.last_full_refresh = steady_now;
      continue;
    }
    std::vector<std::string> changed;
    for (const auto& m : messages) {
      auto space = m.find(' ');
      if (space != std::string::npos) changed.push_back(m.substr(space + 1));
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    auto states = staff_.states(name, changed);
    if (!states) {
      view.needs_full_refresh = true;  // these changes are not applied: catch up in full
      return std::unexpected(states.error());
    }
    for (const auto& [id, state] : *states) view.directory.set_state(id, state, now);
  }
  return {};
}

void PoolViews::read_everything_again() {
  for (auto& [name, view] : views_) {
    view.roster_version = -1;
    view.needs_full_refresh = true;
  }
}

}  // namespace lexroute
