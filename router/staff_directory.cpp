#include "router/staff_directory.h"

#include <algorithm>

namespace lexroute {
namespace {

constexpr size_t kRecentMatters = 8;
constexpr absl::Duration kShiftHorizon = absl::Hours(24 * 14);

// Weights of the score's parts (docs/routing.md): enough shift left matters most, then keeping
// a matter with people who know it, then not over-qualifying, then the pool's balance.
constexpr double kShiftWeight = 8;
constexpr double kAffinityWeight = 3;
constexpr double kFitWeight = 2;
constexpr double kBalanceWeight = 1;

std::string matter_key(const TaskRequirements& task) { return task.firm + "|" + task.matter; }

double hours_since(absl::Time then, absl::Time now) {
  if (then == absl::InfinitePast()) return 1.0;
  return std::clamp(absl::ToDoubleHours(now - then), 0.0, 1.0);
}

}  // namespace

void StaffDirectory::upsert(StaffProfile profile) {
  auto it = by_id_.find(profile.id);
  if (it != by_id_.end()) {
    entries_[it->second].profile = std::move(profile);
    entries_[it->second].removed = false;
    entries_[it->second].shift = {};
  } else {
    by_id_[profile.id] = entries_.size();
    entries_.push_back(Entry{std::move(profile), {}, absl::InfinitePast(), absl::InfinitePast(),
                             {}, false, {}});
  }
  index_dirty_ = true;
}

void StaffDirectory::remove(const std::string& staff_id) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  entries_[it->second].removed = true;
  by_id_.erase(it);
  index_dirty_ = true;
}

void StaffDirectory::set_state(const std::string& staff_id, StaffState state, absl::Time now) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  Entry& e = entries_[it->second];
  if (state.load == 0 && e.state.load > 0) e.idle_since = now;
  e.state = state;
}

void StaffDirectory::note_offer(const std::string& staff_id, const TaskRequirements& task,
                                absl::Time now) {
  auto it = by_id_.find(staff_id);
  if (it == by_id_.end()) return;
  Entry& e = entries_[it->second];
  e.last_offer = now;
  std::string key = matter_key(task);
  std::erase(e.recent_matters, key);
  e.recent_matters.push_front(std::move(key));
  if (e.recent_matters.size() > kRecentMatters) e.recent_matters.pop_back();
}

const StaffState* StaffDirectory::state(const std::string& staff_id) const {
  auto it = by_id_.find(staff_id);
  return it == by_id_.end() ? nullptr : &entries_[it->second].state;
}

const StaffProfile* StaffDirectory::profile(const std::string& staff_id) const {
  auto it = by_id_.find(staff_id);
  return it == by_id_.end() ? nullptr : &entries_[it->second].profile;
}

void StaffDirectory::rebuild_index() const {
  by_skill_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].removed) continue;
    for (const auto& s : entries_[i].profile.skills) {
      by_skill_[s.skill].push_back(static_cast<uint32_t>(i));
    }
  }
  index_dirty_ = false;
}

// Shift status only changes at shift boundaries, so it is computed once per boundary rather
// than through the time-zone database on every decision.
const StaffDirectory::ShiftCache& StaffDirectory::shift_at(const Entry& e, absl::Time now) const {
  ShiftCache& c = e.shift;
  if (now >= c.computed_for && now < c.valid_until) return c;
  c.computed_for = now;
  if (!e.profile.schedule) {
    c.on_shift = true;
    c.shift_end = absl::InfiniteFuture();
    c.valid_until = absl::InfiniteFuture();
    return c;
  }
  const Schedule& s = *e.profile.schedule;
  if (auto end = s.shift_end(now)) {
    c.on_shift = true;
    c.shift_end = *end;
    c.valid_until = *end;
  } else {
    c.on_shift = false;
    auto next = s.next_shift_start(now, kShiftHorizon);
    c.next_start = next.value_or(absl::InfiniteFuture());
    c.valid_until = next.value_or(now + absl::Hours(1));
  }
  return c;
}

ScoreParts StaffDirectory::score(const Entry& e, const TaskRequirements& task, absl::Time now,
                                 BalanceStrategy strategy) const {
  ScoreParts p;
  p.staff_id = e.profile.id;
  p.affinity = std::find(e.recent_matters.begin(), e.recent_matters.end(), matter_key(task)) !=
                       e.recent_matters.end()
                   ? 1.0
                   : 0.0;
  double surplus = 0;
  for (const auto& need : task.skills) {
    surplus += e.profile.proficiency(need.skill) - need.proficiency;
  }
  p.fit = task.skills.empty() ? 1.0 : 1.0 - surplus / (4.0 * static_cast<double>(task.skills.size()));
  const ShiftCache& shift = shift_at(e, now);
  double minutes_left = absl::ToDoubleMinutes(shift.shift_end - now);
  p.shift_fit = task.effort_minutes <= 0 || minutes_left >= task.effort_minutes
                    ? 1.0
                    : std::max(0.0, minutes_left / task.effort_minutes);
  switch (strategy) {
    case BalanceStrategy::kLeastLoaded:
      p.balance = 1.0 - static_cast<double>(e.state.load) / e.profile.capacity;
      break;
    case BalanceStrategy::kLongestIdle:
      p.balance = e.state.load > 0 ? 0.0 : hours_since(e.idle_since, now);
      break;
    case BalanceStrategy::kRoundRobin:
      p.balance = hours_since(e.last_offer, now);
      break;
  }
  p.score = kShiftWeight * p.shift_fit + kAffinityWeight * p.affinity + kFitWeight * p.fit +
            kBalanceWeight * p.balance;
  return p;
}

Decision StaffDirectory::decide(const TaskRequirements& task, absl::Time now,
                                BalanceStrategy strategy, size_t top_k) const {
  if (index_dirty_) rebuild_index();
  Decision d;
  d.pool_staff = by_id_.size();

  // Staff without the rarest required skill are out by the skills constraint; walk the rest.
  const std::vector<uint32_t>* bucket = nullptr;
  for (const auto& need : task.skills) {
    auto it = by_skill_.find(need.skill);
    const std::vector<uint32_t>* b = it == by_skill_.end() ? nullptr : &it->second;
    if (b == nullptr || bucket == nullptr || b->size() < bucket->size()) bucket = b;
    if (b == nullptr) break;
  }
  std::vector<uint32_t> everyone;
  if (task.skills.empty()) {
    for (const auto& [id, i] : by_id_) everyone.push_back(static_cast<uint32_t>(i));
    bucket = &everyone;
  }
  size_t in_bucket = bucket ? bucket->size() : 0;
  d.removed[static_cast<size_t>(Constraint::kSkills)] = d.pool_staff - in_bucket;

  std::vector<ScoreParts> eligible;
  size_t start = in_bucket ? cursor_++ % in_bucket : 0;
  for (size_t n = 0; n < in_bucket; ++n) {
    const Entry& e = entries_[(*bucket)[(start + n) % in_bucket]];
    ++d.examined;
    std::optional<Constraint> failed = first_lasting_failure(e.profile, task);
    if (!failed) {
      ++d.qualified;
      const ShiftCache& shift = shift_at(e, now);
      if (e.state.availability != Availability::kAvailable) {
        failed = Constraint::kAvailable;
      } else if (!shift.on_shift) {
        failed = Constraint::kOnShift;
      } else if (e.state.load >= e.profile.capacity) {
        failed = Constraint::kCapacity;
      }
      absl::Time could_start = shift.on_shift ? now : shift.next_start;
      if (!d.expected_start || could_start < *d.expected_start) d.expected_start = could_start;
    }
    if (failed) {
      ++d.removed[static_cast<size_t>(*failed)];
      continue;
    }
    eligible.push_back(score(e, task, now, strategy));
    if (eligible.size() >= kEnoughEligible) break;
  }
  if (d.qualified == 0) {
    // The constraint, in checking order, after which nobody was left.
    size_t remaining = d.pool_staff;
    for (size_t c = 0; c < kConstraintCount && remaining > 0; ++c) {
      remaining -= std::min(remaining, d.removed[c]);
      if (remaining == 0) d.blocking = static_cast<Constraint>(c);
    }
    if (!d.blocking) d.blocking = Constraint::kSkills;  // an empty pool
  }
  if (d.expected_start && *d.expected_start == absl::InfiniteFuture()) d.expected_start.reset();

  auto better = [](const ScoreParts& a, const ScoreParts& b) {
    return a.score != b.score ? a.score > b.score : a.staff_id < b.staff_id;
  };
  size_t keep = std::min(top_k, eligible.size());
  std::partial_sort(eligible.begin(), eligible.begin() + static_cast<std::ptrdiff_t>(keep),
                    eligible.end(), better);
  d.eligible = eligible.size();
  eligible.resize(keep);
  d.ranked = std::move(eligible);
  return d;
}

std::vector<std::string> StaffDirectory::candidates(const TaskRequirements& task, absl::Time now,
                                                    size_t top_k) const {
  std::vector<std::string> ids;
  for (auto& p : decide(task, now, BalanceStrategy::kLeastLoaded, top_k).ranked) {
    ids.push_back(std::move(p.staff_id));
  }
  return ids;
}

bool StaffDirectory::anyone_has_room() const {
  return std::ranges::any_of(entries_, [](const Entry& e) {
    return !e.removed && e.state.availability == Availability::kAvailable &&
           e.state.load < e.profile.capacity;
  });
}

}  // namespace lexroute
