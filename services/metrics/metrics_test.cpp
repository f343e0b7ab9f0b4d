// The metric families count what docs/metrics.md says they count.
#include "services/metrics/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "services/metrics/exposition.h"

namespace lexroute {
namespace {

std::vector<MetricSample> scrape(Metrics& m) {
  return parse_exposition(prometheus::TextSerializer().Serialize(m.registry()->Collect()));
}

TaskStep step(v1::TaskStatus from, v1::TaskStatus to, std::string actor, std::string reason) {
  TaskStep s;
  s.pool = "default";
  s.kind = v1::TASK_KIND_TRANSCRIPTION;
  s.from = from;
  s.to = to;
  s.actor = std::move(actor);
  s.reason = std::move(reason);
  s.at_ms = 100'000;
  s.submitted_ms = 40'000;
  s.offered_ms = 90'000;
  s.accepted_ms = 95'000;
  return s;
}

TEST(TaskMetrics, AuditStepsCountAsTheLifeCycleEventsTheyAre) {
  using namespace v1;
  Metrics m;
  m.tasks.step(step(TASK_STATUS_QUEUED, TASK_STATUS_OFFERED, "router", "offered to ana"));
  m.tasks.step(step(TASK_STATUS_OFFERED, TASK_STATUS_WAITING, "staff:ana", "rejected: busy"));
  m.tasks.step(step(TASK_STATUS_OFFERED, TASK_STATUS_WAITING, "router", "offer to ana timed out"));
  m.tasks.step(step(TASK_STATUS_OFFERED, TASK_STATUS_WAITING, "router", "ana went offline"));
  m.tasks.step(step(TASK_STATUS_WAITING, TASK_STATUS_OFFERED, "router", "offered to raj"));
  m.tasks.step(step(TASK_STATUS_OFFERED, TASK_STATUS_ACCEPTED, "staff:raj", "accepted"));
  m.tasks.step(
      step(TASK_STATUS_ACCEPTED, TASK_STATUS_ACCEPTED, "router", "overdue: the deadline passed"));
  m.tasks.step(step(TASK_STATUS_ACCEPTED, TASK_STATUS_COMPLETED, "staff:raj", "done"));
  m.tasks.step(step(TASK_STATUS_WAITING, TASK_STATUS_EXPIRED, "router", "the deadline passed"));
  m.tasks.step(step(TASK_STATUS_QUEUED, TASK_STATUS_CANCELLED, "firm:acme", "no longer needed"));

  auto s = scrape(m);
  std::map<std::string, std::string> kind{{"kind", "transcription"}, {"pool", "default"}};
  EXPECT_EQ(sum_of(s, "lexroute_tasks_offered_total", kind), 2);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_rejected_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_offers_timed_out_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_taken_back_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_accepted_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_completed_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_overdue_total", kind), 2) << "the overdue mark and expiry";
  EXPECT_EQ(sum_of(s, "lexroute_tasks_expired_total", kind), 1);
  EXPECT_EQ(sum_of(s, "lexroute_tasks_cancelled_total", kind), 1);
  // Step latencies from the task record's times: 60 s to each offer, 10 s to accept, 5 s to
  // complete.
  EXPECT_EQ(sum_of(s, "lexroute_task_submit_to_offer_seconds_sum"), 120);
  EXPECT_EQ(sum_of(s, "lexroute_task_offer_to_accept_seconds_sum"), 10);
  EXPECT_EQ(sum_of(s, "lexroute_task_accept_to_complete_seconds_sum"), 5);
  EXPECT_EQ(sum_of(s, "lexroute_task_accept_to_complete_seconds_bucket", {{"le", "2.5"}}), 0);
  EXPECT_EQ(sum_of(s, "lexroute_task_accept_to_complete_seconds_bucket", {{"le", "5"}}), 1);
}

// The relay reads the task record only for the steps that are counted; the others must not
// move any task metric, or skipping their read would lose something.
TEST(TaskMetrics, StepsThatAreNotCountedMoveNoTaskMetric) {
  using namespace v1;
  const std::vector<TaskStep> uncounted{
      step(TASK_STATUS_UNSPECIFIED, TASK_STATUS_QUEUED, "firm:acme", "submitted"),
      step(TASK_STATUS_QUEUED, TASK_STATUS_WAITING, "router", "nobody free"),
      step(TASK_STATUS_QUEUED, TASK_STATUS_UNROUTABLE, "router", "residency eu: 0 of 16"),
      step(TASK_STATUS_ACCEPTED, TASK_STATUS_ACCEPTED, "router", "lease renewed")};
  Metrics m;
  for (const auto& s : uncounted) {
    EXPECT_FALSE(TaskMetrics::counts(s.from, s.to, s.reason)) << s.reason;
    m.tasks.step(s);
  }
  // A counted step creates its series; none may exist.
  std::vector<std::string> moved;
  for (const auto& sample : scrape(m)) {
    if (sample.name.starts_with("lexroute_task")) moved.push_back(sample.name);
  }
  EXPECT_TRUE(moved.empty()) << moved.front();
  EXPECT_TRUE(TaskMetrics::counts(TASK_STATUS_QUEUED, TASK_STATUS_OFFERED, ""));
  EXPECT_TRUE(TaskMetrics::counts(TASK_STATUS_OFFERED, TASK_STATUS_WAITING, "rejected"));
  EXPECT_TRUE(TaskMetrics::counts(TASK_STATUS_ACCEPTED, TASK_STATUS_ACCEPTED, "overdue: x"));
}

TEST(TaskMetrics, AStepBeforeItsRecordedStartIsNotTimed) {
  Metrics m;
  auto s = step(v1::TASK_STATUS_OFFERED, v1::TASK_STATUS_ACCEPTED, "staff:ana", "accepted");
  s.offered_ms = s.at_ms + 5000;  // the record was re-offered before the relay read it
  m.tasks.step(s);
  auto samples = scrape(m);
  EXPECT_EQ(sum_of(samples, "lexroute_tasks_accepted_total"), 1);
  EXPECT_EQ(sum_of(samples, "lexroute_task_offer_to_accept_seconds_count"), 0);
}

TEST(PoolMetrics, StaffSeriesThatNoLongerApplyGoAway) {
  Metrics m;
  PoolSnapshot first;
  first.pool = "default";
  first.staff[{"lpo-manila", "apac", "Asia/Manila", "available"}] = 2;
  first.staff[{"lpo-belfast", "uk", "Europe/London", "offline"}] = 1;
  m.pools.publish(first);
  PoolSnapshot second;
  second.pool = "default";
  second.staff[{"lpo-manila", "apac", "Asia/Manila", "busy"}] = 2;
  m.pools.publish(second);

  auto s = scrape(m);
  EXPECT_EQ(sum_of(s, "lexroute_staff_members", {{"state", "busy"}, {"vendor", "lpo-manila"}}), 2);
  EXPECT_EQ(sum_of(s, "lexroute_staff_members", {{"state", "available"}}), 0);
  EXPECT_EQ(sum_of(s, "lexroute_staff_members_by_time_zone", {{"time_zone", "Europe/London"}}), 0);
  for (const auto& sample : s) {
    if (sample.name != "lexroute_staff_members") continue;
    EXPECT_EQ(sample.labels.at("state"), "busy") << "a stale series is still exported";
  }
}

TEST(RouterMetrics, LagSeriesFollowThePartitionsHeld) {
  Metrics m;
  m.router.consumer_lag("lexroute.tasks.v1", {{0, 5}, {1, 7}});
  m.router.consumer_lag("lexroute.tasks.v1", {{1, 2}});
  auto s = scrape(m);
  EXPECT_EQ(sum_of(s, "lexroute_kafka_consumer_lag", {{"partition", "1"}}), 2);
  for (const auto& sample : s) {
    if (sample.name == "lexroute_kafka_consumer_lag") {
      EXPECT_EQ(sample.labels.at("partition"), "1");
    }
  }
  m.router.data_loss("lexroute.tasks.v1", 3);
  m.router.data_loss("lexroute.tasks.v1", 3);
  m.router.data_loss("lexroute.tasks.v1", 4);
  EXPECT_EQ(sum_of(scrape(m), "lexroute_kafka_consumer_data_loss_total"), 4);
}

TEST(RedisMetrics, ErrorsAreLabelledByRedisErrorWordOnly) {
  EXPECT_EQ(RedisMetrics::error_word("NOSCRIPT No matching script"), "NOSCRIPT");
  EXPECT_EQ(RedisMetrics::error_word("LOADING Redis is loading"), "LOADING");
  EXPECT_EQ(RedisMetrics::error_word("script route_task: user_script:12: oops"), "ERR");
  EXPECT_EQ(RedisMetrics::error_word("WRONGTYPEX_but_with_more"), "ERR");
}

}  // namespace
}  // namespace lexroute
