#include "services/metrics/exposition.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "services/metrics/metrics.h"

namespace lexroute {
namespace {

TEST(Exposition, ReadsBackWhatTheRegistryServes) {
  Metrics metrics;
  v1::TaskSpec spec;
  spec.set_pool("surge");
  spec.set_kind(v1::TASK_KIND_PRIVILEGE_REVIEW);
  metrics.intake.acknowledged(spec, true);
  metrics.intake.acknowledged(spec, true);
  metrics.intake.acknowledged(spec, false);
  for (int ms : {3, 4, 4}) metrics.intake.answered("SubmitTask", std::chrono::milliseconds(ms));
  PoolSnapshot surge;
  surge.pool = "surge";
  surge.waiting = 7;
  surge.oldest_waiting_seconds = 90.5;
  metrics.pools.publish(surge);

  auto text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  auto samples = parse_exposition(text);
  EXPECT_EQ(sum_of(samples, "lexroute_tasks_submitted_total",
                   {{"pool", "surge"}, {"kind", "privilege-review"}}),
            2);
  EXPECT_EQ(sum_of(samples, "lexroute_intake_duplicate_submissions_total"), 1);
  EXPECT_EQ(sum_of(samples, "lexroute_intake_ack_seconds_count", {{"rpc", "SubmitTask"}}), 3);
  EXPECT_EQ(sum_of(samples, "lexroute_pool_waiting_tasks", {{"pool", "surge"}}), 7);
  EXPECT_EQ(sum_of(samples, "lexroute_pool_waiting_tasks", {{"pool", "default"}}), 0);
  EXPECT_DOUBLE_EQ(sum_of(samples, "lexroute_pool_oldest_waiting_age_seconds"), 90.5);
}

TEST(Exposition, LabelValuesWithEscapesAndMalformedLines) {
  auto samples = parse_exposition(
      "# HELP x y\n"
      "a_total{reason=\"say \\\"no\\\"\",pool=\"p,1\"} 4\n"
      "broken{pool=\"p} 3\n"
      "b 2.5\n"
      "c{} NaN\n"
      "d not-a-number\n");
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].labels.at("reason"), "say \"no\"");
  EXPECT_EQ(samples[0].labels.at("pool"), "p,1");
  EXPECT_EQ(sum_of(samples, "a_total", {{"pool", "p,1"}}), 4);
  EXPECT_EQ(sum_of(samples, "b"), 2.5);
  EXPECT_EQ(sum_of(samples, "c"), 0) << "NaN is left out of sums";
}

}  // namespace
}  // namespace lexroute
