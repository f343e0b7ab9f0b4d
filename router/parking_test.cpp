#include "router/parking.h"

#include <gtest/gtest.h>

#include "router/pool_settings.h"
#include "router/task_status.h"
#include "router/waiting_order.h"

namespace lexroute {
namespace {

const absl::Time kParkingNow = absl::FromUnixSeconds(1'800'000'000);

TaskRequirements review(absl::Duration deadline_in, int effort_minutes) {
  TaskRequirements t;
  t.pool = "default";
  t.deadline = kParkingNow + deadline_in;
  t.effort_minutes = effort_minutes;
  return t;
}

TEST(Parking, QualifiedStaffBusyMeansWaitingWithTheCount) {
  Decision d;
  d.pool_staff = 10;
  d.qualified = 3;
  d.expected_start = kParkingNow;
  auto task = review(absl::Hours(8), 30);
  Parking p = park({d, task, kParkingNow, 0, 5});
  EXPECT_EQ(p.status, Parking::Status::kWaiting);
  EXPECT_EQ(p.reason, "all 3 qualified staff in pool default are busy or not signed in");
  EXPECT_FALSE(p.sla_at_risk);
  EXPECT_FALSE(p.expected_start.has_value());
}

TEST(Parking, AShiftThatStartsTooLateForTheDeadlineIsAtRiskAndSaysSo) {
  Decision d;
  d.qualified = 1;
  d.expected_start = kParkingNow + absl::Hours(10);
  auto task = review(absl::Hours(10), 60);
  Parking p = park({d, task, kParkingNow, 0, 5});
  EXPECT_EQ(p.status, Parking::Status::kWaiting);
  EXPECT_EQ(p.expected_start, d.expected_start);
  EXPECT_TRUE(p.sla_at_risk);
  EXPECT_NE(p.reason.find("the earliest shift starts"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("SLA at risk: deadline"), std::string::npos) << p.reason;
}

TEST(Parking, NoShiftInTwoWeeksIsAlwaysAtRisk) {
  Decision d;
  d.qualified = 2;
  auto task = review(absl::Hours(24 * 30), 10);
  Parking p = park({d, task, kParkingNow, 0, 5});
  EXPECT_EQ(p.status, Parking::Status::kWaiting);
  EXPECT_TRUE(p.sla_at_risk);
}

TEST(Parking, NobodyQualifiedIsUnroutableNamingTheConstraint) {
  Decision d;
  d.pool_staff = 16;
  d.blocking = Constraint::kResidency;
  auto task = review(absl::Hours(8), 30);
  task.allowed_regions = {"eu"};
  Parking p = park({d, task, kParkingNow, 0, 5});
  EXPECT_EQ(p.status, Parking::Status::kUnroutable);
  EXPECT_EQ(p.because, "residency");
  EXPECT_NE(p.reason.find("0 of 16 staff in pool default eligible"), std::string::npos) << p.reason;
}

TEST(Parking, EveryOfferSpentIsUnroutableEvenWithQualifiedStaff) {
  Decision d;
  d.qualified = 4;
  d.expected_start = kParkingNow;
  Parking p = park({d, review(absl::Hours(8), 30), kParkingNow, 5, 5});
  EXPECT_EQ(p.status, Parking::Status::kUnroutable);
  EXPECT_EQ(p.because, "max_offer_attempts");
  EXPECT_EQ(p.reason, "offered 5 times; every offer was declined or timed out");
}

TEST(SlaAtRisk, OneRuleWithTheMarginForRouterAndGauges) {
  absl::Time deadline = kParkingNow + absl::Hours(2);
  EXPECT_FALSE(sla_at_risk(kParkingNow, absl::Minutes(90), deadline));  // 30 minutes to spare
  EXPECT_TRUE(sla_at_risk(kParkingNow, absl::Minutes(91), deadline));
  EXPECT_TRUE(sla_at_risk(kParkingNow + absl::Hours(2), absl::Minutes(1), deadline));
}

TEST(WaitingOrder, OlderFirstPriorityOvertakesAndEachSpentOfferRaisesOneLevel) {
  int64_t t = 1'000'000'000;
  EXPECT_LT(waiting_score(t, 0), waiting_score(t + 1, 0));
  EXPECT_EQ(waiting_score(t, 1), waiting_score(t - 10 * 60 * 1000, 0));
  EXPECT_EQ(waiting_score(t, 2, 3), waiting_score(t, 5));
}

TEST(TaskStatusNames, AreTheEnumsWithoutItsPrefixAndRoundTrip) {
  EXPECT_EQ(status_name(v1::TASK_STATUS_QUEUED), "QUEUED");
  EXPECT_EQ(status_name(v1::TASK_STATUS_UNROUTABLE), "UNROUTABLE");
  for (int s = v1::TaskStatus_MIN; s <= v1::TaskStatus_MAX; ++s) {
    auto status = static_cast<v1::TaskStatus>(s);
    EXPECT_EQ(status_from_name(status_name(status)), status);
  }
  EXPECT_EQ(status_from_name("banana"), v1::TASK_STATUS_UNSPECIFIED);
  EXPECT_EQ(status_from_name(""), v1::TASK_STATUS_UNSPECIFIED);
}

TEST(TaskStatusSets, TerminalAndUnassignedAreDisjointAndAcceptedIsNeither) {
  for (auto s : {v1::TASK_STATUS_COMPLETED, v1::TASK_STATUS_CANCELLED, v1::TASK_STATUS_EXPIRED,
                 v1::TASK_STATUS_UNROUTABLE}) {
    EXPECT_TRUE(is_terminal(s));
    EXPECT_FALSE(is_unassigned(s));
  }
  for (auto s : {v1::TASK_STATUS_QUEUED, v1::TASK_STATUS_WAITING, v1::TASK_STATUS_OFFERED}) {
    EXPECT_TRUE(is_unassigned(s));
    EXPECT_FALSE(is_terminal(s));
  }
  EXPECT_FALSE(is_terminal(v1::TASK_STATUS_ACCEPTED));
  EXPECT_FALSE(is_unassigned(v1::TASK_STATUS_ACCEPTED));
}

TEST(PoolSettings, AnUnknownStrategyIsAnErrorNamingIt) {
  EXPECT_EQ(strategy_from_name("round-robin"), BalanceStrategy::kRoundRobin);
  auto unknown = strategy_from_name("fastest-first");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().field, "strategy");
  EXPECT_NE(unknown.error().message.find("'fastest-first'"), std::string::npos);
}

TEST(PoolSettings, AChangeSetsOnlyWhatTheRequestSetsAndChecksEachRange) {
  v1::ConfigurePoolRequest request;
  request.set_strategy(v1::BALANCE_STRATEGY_LONGEST_IDLE);
  request.mutable_accepted_grace_seconds()->set_value(0);
  auto change = settings_change(request);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->strategy, BalanceStrategy::kLongestIdle);
  EXPECT_EQ(change->accepted_grace_seconds, 0);
  EXPECT_FALSE(change->offer_timeout_seconds.has_value());
  EXPECT_FALSE(change->max_offer_attempts.has_value());

  request.set_max_offer_attempts(51);
  auto refused = settings_change(request);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().field, "max_offer_attempts");
  EXPECT_EQ(refused.error().message, "max_offer_attempts must be 1 to 50");

  v1::ConfigurePoolRequest odd;
  odd.set_strategy(static_cast<v1::BalanceStrategy>(42));
  EXPECT_FALSE(settings_change(odd).has_value());
}

}  // namespace
}  // namespace lexroute
