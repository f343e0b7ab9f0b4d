#include "router/scoring.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

const absl::Time kScoringNow = absl::FromUnixSeconds(1'800'000'000);

// Someone exactly as qualified as asked, with the whole shift ahead and nothing in hand.
ScoreInputs fresh_reviewer() {
  ScoreInputs in;
  in.required_skills = 1;
  in.minutes_left_on_shift = 240;
  in.effort_minutes = 30;
  in.capacity = 2;
  return in;
}

TEST(Scoring, EnoughShiftLeftOutweighsEverythingElse) {
  ScoreInputs leaving = fresh_reviewer();
  leaving.minutes_left_on_shift = 10;
  leaving.worked_matter_recently = true;
  ScoreInputs staying = fresh_reviewer();
  staying.proficiency_surplus = 2;
  staying.load = 1;
  auto left = score(leaving, kScoringNow, BalanceStrategy::kLeastLoaded);
  auto stays = score(staying, kScoringNow, BalanceStrategy::kLeastLoaded);
  EXPECT_NEAR(left.shift_fit, 10.0 / 30.0, 1e-9);
  EXPECT_EQ(stays.shift_fit, 1.0);
  EXPECT_GT(stays.score, left.score);
}

TEST(Scoring, AMatterStaysWithWhoKnowsItBeforeQualificationIsMatched) {
  ScoreInputs knows = fresh_reviewer();
  knows.worked_matter_recently = true;
  knows.proficiency_surplus = 2;
  auto known = score(knows, kScoringNow, BalanceStrategy::kLeastLoaded);
  auto exact = score(fresh_reviewer(), kScoringNow, BalanceStrategy::kLeastLoaded);
  EXPECT_EQ(known.affinity, 1.0);
  EXPECT_EQ(known.fit, 0.5);  // two levels over on one skill
  EXPECT_EQ(exact.fit, 1.0);
  EXPECT_GT(known.score, exact.score);
}

TEST(Scoring, WorkWithoutRequiredSkillsFitsEveryone) {
  ScoreInputs in = fresh_reviewer();
  in.required_skills = 0;
  in.proficiency_surplus = 0;
  EXPECT_EQ(score(in, kScoringNow, BalanceStrategy::kLeastLoaded).fit, 1.0);
}

TEST(Scoring, EachBalanceStrategyPrefersItsOwnKindOfRoom) {
  ScoreInputs busy = fresh_reviewer();
  busy.load = 1;
  busy.idle_since = kScoringNow - absl::Hours(3);
  busy.last_offer = kScoringNow - absl::Minutes(6);
  ScoreInputs idle = fresh_reviewer();
  idle.idle_since = kScoringNow - absl::Minutes(30);
  idle.last_offer = kScoringNow - absl::Minutes(3);

  auto least_busy = score(busy, kScoringNow, BalanceStrategy::kLeastLoaded);
  auto least_idle = score(idle, kScoringNow, BalanceStrategy::kLeastLoaded);
  EXPECT_EQ(least_busy.balance, 0.5);
  EXPECT_EQ(least_idle.balance, 1.0);

  // Longest idle: holding work is not idle at all; idle time counts up to an hour.
  EXPECT_EQ(score(busy, kScoringNow, BalanceStrategy::kLongestIdle).balance, 0.0);
  EXPECT_NEAR(score(idle, kScoringNow, BalanceStrategy::kLongestIdle).balance, 0.5, 1e-9);

  // Round robin: whoever was offered work longest ago, whatever they hold.
  auto rr_busy = score(busy, kScoringNow, BalanceStrategy::kRoundRobin);
  auto rr_idle = score(idle, kScoringNow, BalanceStrategy::kRoundRobin);
  EXPECT_NEAR(rr_busy.balance, 0.1, 1e-9);
  EXPECT_NEAR(rr_idle.balance, 0.05, 1e-9);
  EXPECT_GT(rr_busy.score, rr_idle.score);

  ScoreInputs never_offered = fresh_reviewer();
  EXPECT_EQ(score(never_offered, kScoringNow, BalanceStrategy::kRoundRobin).balance, 1.0);
}

}  // namespace
}  // namespace lexroute
