#include "router/scaling.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

// Monday 2027-01-18 12:00 UTC.
const absl::Time kMondayNoon = absl::FromUnixSeconds(1'800'273'600);

Schedule weekdays_9_to_17(const std::string& zone) {
  std::vector<WeeklyShift> shifts;
  for (auto day : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday,
                   absl::Weekday::thursday, absl::Weekday::friday}) {
    shifts.push_back({day, 9 * 60, 17 * 60});
  }
  return *Schedule::create(zone, shifts, {});
}

ScalingWorker worker(const std::string& id, std::optional<Schedule> schedule = std::nullopt,
                     bool called_in = false) {
  return {id, std::move(schedule), called_in};
}

std::vector<BacklogItem> work(int tasks, int effort, absl::Duration due_in) {
  return std::vector<BacklogItem>(tasks, BacklogItem{kMondayNoon + due_in, effort});
}

TEST(Scaling, WorkingMinutesFollowTheSchedule) {
  ASSERT_EQ(absl::FormatTime("%a %H:%M", kMondayNoon, absl::UTCTimeZone()), "Mon 12:00");
  auto belfast = weekdays_9_to_17("Europe/Belfast");
  EXPECT_DOUBLE_EQ(working_minutes(belfast, kMondayNoon, kMondayNoon + absl::Hours(24)),
                   5 * 60 + 3 * 60);  // rest of Monday, Tuesday 09:00-12:00
  EXPECT_DOUBLE_EQ(working_minutes(std::nullopt, kMondayNoon, kMondayNoon + absl::Hours(2)), 120);
  EXPECT_DOUBLE_EQ(working_minutes(belfast, kMondayNoon, kMondayNoon), 0);
}

TEST(Scaling, EmptyBacklogReleasesCalledInStaffDownToTheMinimum) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.min_active = 2;
  in.active = {worker("m1"), worker("c1", std::nullopt, true), worker("c2", std::nullopt, true)};
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.desired, 2);
  EXPECT_EQ(plan.release.size(), 1u);
  EXPECT_TRUE(plan.call_in.empty());
  EXPECT_NE(plan.reason.find("no backlog"), std::string::npos) << plan.reason;
}

TEST(Scaling, CallsInOnlyWhatTheBacklogNeedsAndOnlyStaffInWorkingHours) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.max_active = 10;
  // 600 minutes due in 2 hours: 0.85 * 120 = 102 minutes per person -> 6 people.
  in.backlog = work(60, 10, absl::Hours(2));
  in.bench = {worker("belfast-1", weekdays_9_to_17("Europe/Belfast")),
              worker("manila-1", weekdays_9_to_17("Asia/Manila"))};  // 20:00 in Manila
  for (int i = 0; i < 6; ++i) in.bench.push_back(worker("any-" + std::to_string(i)));
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.desired, 6);
  EXPECT_FALSE(plan.deadline_at_risk) << plan.reason;
  for (const auto& id : plan.call_in) EXPECT_NE(id, "manila-1") << "not in working hours";
  EXPECT_EQ(plan.call_in.size(), 6u);
  EXPECT_EQ(plan.bench_on_shift, 7);
}

TEST(Scaling, AnImpossibleDeadlineCallsInEveryoneAllowedAndSaysSo) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.backlog = work(1000, 30, absl::Hours(1));
  in.bench = {worker("a"), worker("b"), worker("c")};
  auto plan = plan_scaling(in);
  EXPECT_TRUE(plan.deadline_at_risk);
  EXPECT_EQ(plan.call_in.size(), 3u);
  EXPECT_EQ(plan.desired, 3);
  EXPECT_NE(plan.reason.find("deadline at risk"), std::string::npos) << plan.reason;
}

TEST(Scaling, OverdueWorkIsPlannedAsDueWithinTheHourNotIgnored) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.backlog = work(6, 30, -absl::Hours(3));  // 180 minutes, past due
  in.bench = {worker("a"), worker("b"), worker("c"), worker("d")};
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.desired, 4) << "180 minutes within the hour needs 4 at 51 minutes each";
}

TEST(Scaling, NeverAboveTheMaximum) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.max_active = 3;
  in.active = {worker("m1")};
  in.backlog = work(100, 30, absl::Hours(4));
  for (int i = 0; i < 10; ++i) in.bench.push_back(worker("b" + std::to_string(i)));
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.desired, 3);
  EXPECT_EQ(plan.call_in.size(), 2u);
  EXPECT_NE(plan.reason.find("maximum of 3"), std::string::npos) << plan.reason;
}

TEST(Scaling, KeepsTheMinimumEvenWithLittleWork) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.min_active = 2;
  in.backlog = work(1, 5, absl::Hours(8));
  in.bench = {worker("a"), worker("b"), worker("c")};
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.desired, 2);
  EXPECT_EQ(plan.call_in.size(), 2u);
}

TEST(Scaling, DoesNotFlap) {
  ScalingInput in;
  in.now = kMondayNoon;
  // 3 called-in staff with 102 minutes each by the deadline = 306; 250 minutes of work.
  in.backlog = work(25, 10, absl::Hours(2));
  in.active = {worker("c1", std::nullopt, true), worker("c2", std::nullopt, true),
               worker("c3", std::nullopt, true)};
  // Releasing one leaves 204 < 250 * 1.5: kept, however long ago the call-in was.
  EXPECT_TRUE(plan_scaling(in).release.empty());
  // With much less work, two could go, but not within the cooldown after a call-in.
  in.backlog = work(5, 10, absl::Hours(2));
  in.last_call_in = kMondayNoon - absl::Minutes(10);
  EXPECT_TRUE(plan_scaling(in).release.empty());
  in.last_call_in = kMondayNoon - absl::Minutes(45);
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.release.size(), 2u) << plan.reason;
  EXPECT_EQ(plan.desired, 1);
  // And the one left is enough again: nothing is called in on the next round.
  in.active = {worker("c3", std::nullopt, true)};
  in.bench = {worker("c1"), worker("c2")};
  EXPECT_TRUE(plan_scaling(in).call_in.empty());
}

TEST(Scaling, AtTheEndOfTheSurgeWindowEveryoneCalledInIsReleased) {
  ScalingInput in;
  in.now = kMondayNoon;
  in.surge_end = kMondayNoon - absl::Minutes(1);
  in.min_active = 1;
  in.backlog = work(10, 10, absl::Hours(4));
  in.active = {worker("m1"), worker("c1", std::nullopt, true), worker("c2", std::nullopt, true)};
  auto plan = plan_scaling(in);
  EXPECT_EQ(plan.release.size(), 2u);
  EXPECT_TRUE(plan.call_in.empty());
  EXPECT_NE(plan.reason.find("surge window ended"), std::string::npos);
}

}  // namespace
}  // namespace lexroute
