// Sixty random rosters (5 to 124 staff) and 3,600 random tasks against them: whoever the
// directory offers satisfies every hard constraint, and when it says nobody is eligible,
// checking every staff member by brute force agrees.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "router/staff_directory.h"

namespace lexroute {
namespace {

constexpr const char* kZones[] = {"Asia/Manila", "Asia/Kolkata", "Europe/London",
                                  "America/New_York", "UTC"};
constexpr const char* kRegions[] = {"us", "eu", "uk", "apac"};
constexpr const char* kLanguages[] = {"en", "es", "fr", "de"};

class RandomWorld {
 public:
  explicit RandomWorld(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  StaffProfile staff(int i) {
    StaffProfile s;
    s.id = "s" + std::to_string(i);
    s.pool = "default";
    s.vendor = "v" + std::to_string(pick(3));
    s.region = kRegions[pick(4)];
    s.capacity = 1 + pick(3);
    std::set<int> skills;
    for (int k = 0, n = 1 + pick(3); k < n; ++k) skills.insert(pick(6));
    for (int k : skills) s.skills.push_back({"skill-" + std::to_string(k), 1 + pick(5)});
    for (int l = 0; l < 4; ++l) {
      if (chance(0.4)) s.languages.push_back(kLanguages[l]);
    }
    if (chance(0.3)) s.jurisdictions.push_back("us-ny");
    s.clearance = pick(5);
    if (chance(0.15)) s.walls.push_back({"firm-" + std::to_string(pick(3)), "", ""});
    if (chance(0.15)) s.walls.push_back({"", "", "party-" + std::to_string(pick(4))});
    if (chance(0.7)) {
      std::vector<WeeklyShift> shifts;
      int start = pick(24) * 60;
      for (int d = 0; d < 7; ++d) {
        if (chance(0.7)) {
          shifts.push_back({static_cast<absl::Weekday>(d), start, (start + 8 * 60 - 1) % 1440 + 1});
        }
      }
      auto schedule = Schedule::create(kZones[pick(5)], shifts, {});
      EXPECT_TRUE(schedule.has_value());
      if (schedule) s.schedule = std::move(*schedule);
    }
    return s;
  }

  StaffState state(const StaffProfile& s) {
    StaffState st;
    st.availability = chance(0.7) ? Availability::kAvailable : Availability::kOffline;
    st.load = pick(s.capacity + 1);
    return st;
  }

  TaskRequirements task() {
    TaskRequirements t;
    t.pool = "default";
    if (chance(0.1)) t.vendor = "v" + std::to_string(pick(3));
    t.skills.push_back({"skill-" + std::to_string(pick(6)), 1 + pick(4)});
    if (chance(0.3)) {
      std::string second = "skill-" + std::to_string(pick(6));
      if (second != t.skills[0].skill) t.skills.push_back({second, 1 + pick(3)});
    }
    if (chance(0.3)) t.languages.push_back(kLanguages[pick(4)]);
    if (chance(0.1)) t.jurisdiction = "us-ny";
    t.confidentiality_tier = pick(4);
    if (chance(0.4)) t.allowed_regions = {kRegions[pick(4)], kRegions[pick(4)]};
    t.firm = "firm-" + std::to_string(pick(3));
    t.matter = "m-" + std::to_string(pick(5));
    if (chance(0.3)) t.parties.push_back("party-" + std::to_string(pick(4)));
    t.effort_minutes = 15 + pick(120);
    return t;
  }

  absl::Time moment() {
    return absl::FromUnixSeconds(1'800'000'000) + absl::Minutes(pick(7 * 24 * 60));
  }

 private:
  std::mt19937 rng_;
};

// The rules restated from the issue, independently of constraints.cpp, so a mistake there
// cannot hide behind the same mistake here.
bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::count(v.begin(), v.end(), x) > 0;
}

bool qualified_by_brute_force(const StaffProfile& p, const TaskRequirements& t) {
  if (!t.vendor.empty() && p.vendor != t.vendor) return false;
  for (const auto& need : t.skills) {
    bool ok = false;
    for (const auto& s : p.skills)
      ok = ok || (s.skill == need.skill && s.proficiency >= need.proficiency);
    if (!ok) return false;
  }
  for (const auto& l : t.languages) {
    if (!has(p.languages, l)) return false;
  }
  if (!t.jurisdiction.empty() && !has(p.jurisdictions, t.jurisdiction)) return false;
  if (p.clearance < t.confidentiality_tier) return false;
  if (!t.allowed_regions.empty() && !has(t.allowed_regions, p.region)) return false;
  for (const auto& w : p.walls) {
    if (!w.firm.empty() && w.firm == t.firm && w.matter.empty() && w.party.empty()) return false;
    if (!w.party.empty() && w.firm.empty() && w.matter.empty() && has(t.parties, w.party)) {
      return false;
    }
  }
  return !t.excluded_staff.contains(p.id);
}

bool eligible_by_brute_force(const StaffProfile& p, const StaffState& s, const TaskRequirements& t,
                             absl::Time now) {
  if (!qualified_by_brute_force(p, t)) return false;
  if (s.availability != Availability::kAvailable) return false;
  if (p.schedule && !p.schedule->on_shift(now)) return false;
  return s.load < p.capacity;
}

TEST(StaffDirectoryProperty, OffersOnlyEligibleStaffAndAgreesWithBruteForce) {
  int decisions = 0, found = 0, nobody = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    RandomWorld world(seed);
    StaffDirectory dir;
    std::vector<std::pair<StaffProfile, StaffState>> roster;
    int size = 5 + world.pick(120);
    for (int i = 0; i < size; ++i) {
      StaffProfile p = world.staff(i);
      StaffState s = world.state(p);
      dir.upsert(p);
      dir.set_state(p.id, s);
      roster.emplace_back(std::move(p), s);
    }
    for (int n = 0; n < 60; ++n) {
      TaskRequirements task = world.task();
      absl::Time now = world.moment();
      Decision d = dir.decide(task, now, BalanceStrategy::kLeastLoaded, 5);
      ++decisions;
      std::set<std::string> eligible;
      size_t qualified = 0;
      for (const auto& [p, s] : roster) {
        if (qualified_by_brute_force(p, task)) ++qualified;
        if (eligible_by_brute_force(p, s, task, now)) eligible.insert(p.id);
      }
      for (const auto& c : d.ranked) {
        ASSERT_TRUE(eligible.contains(c.staff_id))
            << "seed " << seed << ": offered " << c.staff_id << " who fails a hard constraint";
      }
      ASSERT_EQ(d.ranked.empty(), eligible.empty())
          << "seed " << seed << ": directory and brute force disagree on whether anyone can";
      if (d.ranked.empty()) {
        ++nobody;
        ASSERT_EQ(d.qualified, qualified) << "seed " << seed;
        ASSERT_EQ(d.qualified == 0, d.blocking.has_value()) << "seed " << seed;
        if (eligible.size() < StaffDirectory::kEnoughEligible) {
          // Examined everyone: the counts cover the whole pool.
          size_t removed = 0;
          for (size_t c : d.removed) removed += c;
          ASSERT_EQ(removed, roster.size()) << "seed " << seed;
        }
      } else {
        ++found;
        if (eligible.size() <= 5) {
          ASSERT_EQ(d.ranked.size(), eligible.size());
        }
      }
    }
  }
  // Both kinds of outcome must have been exercised for the property to mean anything.
  EXPECT_GT(found, decisions / 10);
  EXPECT_GT(nobody, decisions / 10);
}

}  // namespace
}  // namespace lexroute
