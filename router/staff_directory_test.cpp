#include "router/staff_directory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <set>

namespace lexroute {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

StaffProfile reviewer(std::string id, int review_level, int capacity = 2) {
  StaffProfile p;
  p.id = std::move(id);
  p.pool = "default";
  p.capacity = capacity;
  p.skills = {{"doc-review", review_level}};
  return p;
}

TaskRequirements review_task(int min_level) {
  TaskRequirements t;
  t.pool = "default";
  t.skills = {{"doc-review", min_level}};
  t.firm = "acme";
  t.matter = "m-1";
  t.effort_minutes = 30;
  return t;
}

// The ids of the staff a least-loaded decision ranks, best first.
std::vector<std::string> ranked_ids(const StaffDirectory& dir, const TaskRequirements& task,
                                    absl::Time now, size_t top_k = 5) {
  std::vector<std::string> ids;
  for (auto& p : dir.decide(task, now, BalanceStrategy::kLeastLoaded, top_k).ranked) {
    ids.push_back(std::move(p.staff_id));
  }
  return ids;
}

class StaffDirectoryTest : public ::testing::Test {
 protected:
  void add(StaffProfile p, StaffState s = {Availability::kAvailable, 0}) {
    std::string id = p.id;
    dir.upsert(std::move(p));
    dir.set_state(id, s);
  }
  std::vector<std::string> pick(const TaskRequirements& t) { return ranked_ids(dir, t, kNow, 10); }
  StaffDirectory dir;
};

TEST_F(StaffDirectoryTest, ReservedOffersCountUntilReleasedAndAFullMarkStopsOffers) {
  add(reviewer("ana", 3, /*capacity=*/2));
  dir.reserve("ana", kNow);
  EXPECT_EQ(dir.state("ana")->load, 1);
  EXPECT_EQ(pick(review_task(3)), std::vector<std::string>{"ana"});
  dir.reserve("ana", kNow);
  EXPECT_TRUE(pick(review_task(3)).empty()) << "two offers fill a capacity of two";
  dir.release("ana", kNow);
  EXPECT_EQ(dir.state("ana")->load, 1);
  EXPECT_EQ(pick(review_task(3)), std::vector<std::string>{"ana"});
  dir.release("ana", kNow);
  dir.release("ana", kNow);  // never below zero
  EXPECT_EQ(dir.state("ana")->load, 0);
  dir.mark_full("ana", kNow);
  EXPECT_EQ(dir.state("ana")->load, 2);
  EXPECT_TRUE(pick(review_task(3)).empty());
}

TEST_F(StaffDirectoryTest, SkillBelowMinimumIsNotACandidate) {
  add(reviewer("ana", 2));
  add(reviewer("raj", 3));
  EXPECT_EQ(pick(review_task(3)), std::vector<std::string>{"raj"});
}

TEST_F(StaffDirectoryTest, EveryRequiredSkillMustBeMet) {
  StaffProfile both = reviewer("both", 3);
  both.skills.push_back({"privilege", 4});
  add(both);
  add(reviewer("one", 5));
  TaskRequirements task = review_task(3);
  task.skills.push_back({"privilege", 2});
  EXPECT_EQ(pick(task), std::vector<std::string>{"both"});
}

TEST_F(StaffDirectoryTest, OfflineOnBreakAndFullStaffAreSkipped) {
  add(reviewer("off", 5), {Availability::kOffline, 0});
  add(reviewer("break", 5), {Availability::kOnBreak, 0});
  add(reviewer("full", 5, 2), {Availability::kAvailable, 2});
  add(reviewer("free", 5, 2), {Availability::kAvailable, 1});
  Decision d = dir.decide(review_task(1), kNow, BalanceStrategy::kLeastLoaded);
  ASSERT_EQ(d.ranked.size(), 1u);
  EXPECT_EQ(d.ranked[0].staff_id, "free");
}

TEST_F(StaffDirectoryTest, WhenNobodyCanTakeItEveryoneIsCountedByReason) {
  add(reviewer("off", 5), {Availability::kOffline, 0});
  add(reviewer("break", 5), {Availability::kOnBreak, 0});
  add(reviewer("full", 5, 2), {Availability::kAvailable, 2});
  Decision d = dir.decide(review_task(1), kNow, BalanceStrategy::kLeastLoaded);
  EXPECT_TRUE(d.ranked.empty());
  EXPECT_EQ(d.examined, 3u);
  EXPECT_EQ(d.qualified, 3u);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kAvailable)], 2u);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kCapacity)], 1u);
}

TEST_F(StaffDirectoryTest, OverQualificationWeighsMoreThanLoad) {
  // fit: junior 1.0, senior 0.25 (3 levels above); balance: idle 1.0, half-loaded 0.5.
  // 2*1.0 + 0.5 (busy junior) beats 2*0.25 + 1.0 (idle senior): seniors stay free for work
  // only they can do.
  add(reviewer("busy-junior", 2, 4), {Availability::kAvailable, 2});
  add(reviewer("idle-senior", 5, 4), {Availability::kAvailable, 0});
  add(reviewer("idle-junior", 2, 4), {Availability::kAvailable, 0});
  EXPECT_EQ(pick(review_task(2)),
            (std::vector<std::string>{"idle-junior", "busy-junior", "idle-senior"}));
}

TEST_F(StaffDirectoryTest, LeastLoadedAmongEquals) {
  add(reviewer("half", 3, 4), {Availability::kAvailable, 2});
  add(reviewer("idle", 3, 4), {Availability::kAvailable, 0});
  add(reviewer("quarter", 3, 4), {Availability::kAvailable, 1});
  EXPECT_EQ(pick(review_task(3)), (std::vector<std::string>{"idle", "quarter", "half"}));
}

TEST_F(StaffDirectoryTest, MatterAffinityOutweighsBalance) {
  add(reviewer("knows-it", 3, 4), {Availability::kAvailable, 2});
  add(reviewer("stranger", 3, 4), {Availability::kAvailable, 0});
  dir.note_offer("knows-it", review_task(3), kNow - absl::Minutes(30));
  Decision d = dir.decide(review_task(3), kNow, BalanceStrategy::kLeastLoaded);
  ASSERT_EQ(d.ranked.size(), 2u);
  EXPECT_EQ(d.ranked[0].staff_id, "knows-it");
  EXPECT_EQ(d.ranked[0].affinity, 1.0);
  EXPECT_EQ(d.ranked[1].affinity, 0.0);
}

TEST_F(StaffDirectoryTest, NotEnoughShiftLeftLosesToSomeoneWhoHasIt) {
  // Both work 09:00-17:00 UTC; "leaving" ends at 17:00, "staying" has a late shift to 22:00.
  auto weekly = [](int end_hour) {
    std::vector<WeeklyShift> s;
    for (auto d : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday,
                   absl::Weekday::thursday, absl::Weekday::friday, absl::Weekday::saturday,
                   absl::Weekday::sunday}) {
      s.push_back({d, 9 * 60, end_hour * 60});
    }
    return s;
  };
  StaffProfile leaving = reviewer("leaving", 3);
  leaving.schedule = *Schedule::create("UTC", weekly(17), {});
  StaffProfile staying = reviewer("staying", 5);  // over-qualified, but has the time
  staying.schedule = *Schedule::create("UTC", weekly(22), {});
  add(leaving);
  add(staying);
  TaskRequirements task = review_task(3);
  task.effort_minutes = 120;
  absl::Time ten_to_five =
      absl::FromCivil(absl::CivilMinute(2027, 1, 15, 16, 50), absl::UTCTimeZone());
  Decision d = dir.decide(task, ten_to_five, BalanceStrategy::kLeastLoaded);
  ASSERT_EQ(d.ranked.size(), 2u);
  EXPECT_EQ(d.ranked[0].staff_id, "staying");
  EXPECT_NEAR(d.ranked[1].shift_fit, 10.0 / 120.0, 1e-9);
}

TEST_F(StaffDirectoryTest, RoundRobinPrefersWhoWasOfferedLeastRecently) {
  add(reviewer("a", 3));
  add(reviewer("b", 3));
  dir.note_offer("a", review_task(3) /* same matter for both: no affinity edge */, kNow);
  dir.note_offer("b", review_task(3), kNow - absl::Minutes(40));
  TaskRequirements other = review_task(3);
  other.matter = "m-2";
  Decision d = dir.decide(other, kNow, BalanceStrategy::kRoundRobin);
  ASSERT_EQ(d.ranked.size(), 2u);
  EXPECT_EQ(d.ranked[0].staff_id, "b");
}

TEST_F(StaffDirectoryTest, NobodyQualifiedNamesTheConstraintThatLeftNobody) {
  StaffProfile us = reviewer("us", 4);
  us.region = "us";
  StaffProfile uk = reviewer("uk", 4);
  uk.region = "uk";
  add(us);
  add(uk);
  add(reviewer("junior", 1));
  TaskRequirements task = review_task(3);
  task.allowed_regions = {"eu"};
  Decision d = dir.decide(task, kNow, BalanceStrategy::kLeastLoaded);
  EXPECT_TRUE(d.ranked.empty());
  EXPECT_EQ(d.qualified, 0u);
  ASSERT_TRUE(d.blocking.has_value());
  EXPECT_EQ(*d.blocking, Constraint::kResidency);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kSkills)], 1u);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kResidency)], 2u);
}

TEST_F(StaffDirectoryTest, UnknownSkillBlocksOnSkills) {
  add(reviewer("a", 5));
  TaskRequirements task = review_task(1);
  task.skills = {{"tax-law", 1}};
  Decision d = dir.decide(task, kNow, BalanceStrategy::kLeastLoaded);
  EXPECT_EQ(d.blocking, Constraint::kSkills);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kSkills)], 1u);
}

TEST_F(StaffDirectoryTest, WaitingTaskLearnsWhenTheEarliestShiftStarts) {
  StaffProfile night = reviewer("night", 3);
  night.schedule = *Schedule::create("Asia/Manila", {{absl::Weekday::friday, 22 * 60, 6 * 60}}, {});
  add(night);
  // Friday 12:00 UTC is 20:00 in Manila: two hours before the shift.
  absl::Time noon = absl::FromCivil(absl::CivilMinute(2027, 1, 15, 12, 0), absl::UTCTimeZone());
  Decision d = dir.decide(review_task(3), noon, BalanceStrategy::kLeastLoaded);
  EXPECT_TRUE(d.ranked.empty());
  EXPECT_EQ(d.qualified, 1u);
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kOnShift)], 1u);
  ASSERT_TRUE(d.expected_start.has_value());
  EXPECT_EQ(*d.expected_start, noon + absl::Hours(2));
  EXPECT_EQ(ranked_ids(dir, review_task(3), noon + absl::Hours(2)),
            std::vector<std::string>{"night"});
}

TEST_F(StaffDirectoryTest, StateChangesBetweenDecisionsCount) {
  add(reviewer("a", 3), {Availability::kOffline, 0});
  EXPECT_TRUE(pick(review_task(1)).empty());
  dir.set_state("a", {Availability::kAvailable, 0});
  EXPECT_EQ(pick(review_task(1)), std::vector<std::string>{"a"});
  dir.set_state("a", {Availability::kAvailable, 2});  // full
  Decision d = dir.decide(review_task(1), kNow, BalanceStrategy::kLeastLoaded);
  EXPECT_TRUE(d.ranked.empty());
  EXPECT_EQ(d.removed[static_cast<size_t>(Constraint::kCapacity)], 1u);
  dir.remove("a");
  EXPECT_EQ(dir.decide(review_task(1), kNow, BalanceStrategy::kLeastLoaded).blocking,
            Constraint::kSkills);
  add(reviewer("a", 3));
  EXPECT_EQ(pick(review_task(1)), std::vector<std::string>{"a"});
}

TEST_F(StaffDirectoryTest, ShiftStatusFollowsTheClockBothWays) {
  StaffProfile day = reviewer("day", 3);
  day.schedule = *Schedule::create("UTC", {{absl::Weekday::friday, 9 * 60, 17 * 60}}, {});
  add(day);
  add(reviewer("always", 3), {Availability::kOffline, 0});
  absl::Time friday = absl::FromCivil(absl::CivilMinute(2027, 1, 15, 0, 0), absl::UTCTimeZone());
  for (int hour : {10, 18, 8, 16, 17, 9, 12}) {
    bool on = hour >= 9 && hour < 17;
    EXPECT_EQ(ranked_ids(dir, review_task(1), friday + absl::Hours(hour)).size(), on ? 1u : 0u)
        << "hour " << hour;
  }
}

// Many distinct languages, jurisdictions, vendors and skills, so that some staff do not fit the
// packed per-staff record and take the slow path; walls of every shape. Whenever fewer than
// kEnoughEligible are eligible, every count must match first_lasting_failure() staff by staff.
TEST(StaffDirectoryPacking, CountsMatchTheReferenceChecksForUnpackedStaff) {
  std::mt19937 rng(7);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto name = [](const char* prefix, int i) { return prefix + std::to_string(i); };
  int checked = 0;
  for (int round = 0; round < 40; ++round) {
    StaffDirectory dir;
    std::vector<std::pair<StaffProfile, StaffState>> roster;
    for (int i = 0, n = 5 + pick(60); i < n; ++i) {
      StaffProfile p;
      p.id = name("s", i);
      p.vendor = name("v", pick(round % 2 ? 300 : 3));
      p.region = name("r", pick(round % 3 ? 4 : 300));
      p.capacity = 1 + pick(3);
      p.clearance = pick(4) == 0 ? 300 + pick(3) : pick(5);
      std::set<int> skills;
      for (int k = 0, m = 1 + pick(round % 4 ? 4 : 12); k < m; ++k) skills.insert(pick(10));
      for (int k : skills) p.skills.push_back({name("k", k), 1 + pick(5)});
      for (int l = 0, m = pick(4); l < m; ++l) p.languages.push_back(name("l", pick(40)));
      for (int j = 0, m = pick(3); j < m; ++j) p.jurisdictions.push_back(name("j", pick(40)));
      for (int w = 0, m = pick(3) == 0 ? 1 + pick(2) : 0; w < m; ++w) {
        EthicalWall wall;
        if (pick(2)) wall.firm = name("f", pick(3));
        if (pick(2)) wall.matter = name("m", pick(4));
        if (pick(2)) wall.party = name("p", pick(4));
        p.walls.push_back(wall);
      }
      StaffState s{pick(3) ? Availability::kAvailable : Availability::kOnBreak,
                   pick(p.capacity + 1)};
      dir.upsert(p);
      dir.set_state(p.id, s);
      roster.emplace_back(std::move(p), s);
    }
    for (int n = 0; n < 40; ++n) {
      TaskRequirements t;
      if (pick(5) == 0) t.vendor = name("v", pick(round % 2 ? 300 : 3));
      for (int k = 0, m = 1 + pick(2); k < m; ++k) {
        std::string skill = name("k", pick(11));
        if (t.skills.empty() || t.skills[0].skill != skill)
          t.skills.push_back({skill, 1 + pick(3)});
      }
      if (pick(3) == 0) t.languages.push_back(name("l", pick(41)));
      if (pick(4) == 0) t.jurisdiction = name("j", pick(41));
      t.confidentiality_tier = pick(6) == 0 ? 301 : pick(4);
      if (pick(3) == 0) t.allowed_regions = {name("r", pick(5)), name("r", pick(300))};
      t.firm = name("f", pick(3));
      t.matter = name("m", pick(4));
      if (pick(2)) t.parties.push_back(name("p", pick(4)));
      if (pick(4) == 0) t.excluded_staff.insert(name("s", pick(20)));
      // The state of one staff member changes between decisions.
      auto& [changed, state] = roster[static_cast<size_t>(pick(static_cast<int>(roster.size())))];
      state = {pick(2) ? Availability::kAvailable : Availability::kOffline,
               pick(changed.capacity + 1)};
      dir.set_state(changed.id, state);

      Decision d = dir.decide(t, kNow, BalanceStrategy::kLeastLoaded, 100);
      std::array<size_t, kConstraintCount> removed{};
      size_t qualified = 0, eligible = 0;
      for (const auto& [p, s] : roster) {
        auto failed = first_lasting_failure(p, t);
        bool rarest_held = false;  // the walk skips staff without the rarest required skill
        size_t rarest = SIZE_MAX;
        for (const auto& need : t.skills) {
          size_t holders = 0;
          for (const auto& [o, os] : roster) holders += o.proficiency(need.skill) > 0 ? 1 : 0;
          if (holders < rarest) {
            rarest = holders;
            rarest_held = p.proficiency(need.skill) > 0;
          }
        }
        if (!rarest_held) {
          failed = Constraint::kSkills;
        } else if (!failed) {
          ++qualified;
          if (s.availability != Availability::kAvailable) {
            failed = Constraint::kAvailable;
          } else if (s.load >= p.capacity) {
            failed = Constraint::kCapacity;
          }
        }
        if (failed) {
          ++removed[static_cast<size_t>(*failed)];
        } else {
          ++eligible;
        }
      }
      ASSERT_EQ(d.eligible, std::min(eligible, StaffDirectory::kEnoughEligible))
          << "round " << round;
      ASSERT_EQ(d.ranked.size(), d.eligible);
      if (eligible > 0) continue;  // counts cover the whole bucket only when nobody is eligible
      ++checked;
      ASSERT_EQ(d.removed, removed) << "round " << round << " task " << n;
      ASSERT_EQ(d.qualified, qualified) << "round " << round << " task " << n;
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace lexroute
