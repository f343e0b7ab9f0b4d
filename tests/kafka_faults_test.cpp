// Intake when Kafka misbehaves, through librdkafka's mock fault injection: a broker that is
// down, produce requests that fail (retriably or not), a broker that answers late. A firm gets
// UNAVAILABLE with a retry hint, promptly, or a real acknowledgement; never a hang, never a false
// success, and nothing half-written: retrying with the same idempotency key completes the task.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "services/common/secrets.h"
#include "services/kafka/embedded_kafka.h"
#include "services/metrics/exposition.h"
#include "services/redis/task_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/temp_dir.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

class KafkaFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = std::make_unique<testing::DevNode>(dir.str() + "/data");  // delivery timeout 3 s
    ASSERT_NE(&dev->node(), nullptr);
    ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &key));
    auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
    ASSERT_TRUE(endpoint.has_value());
    redis = std::make_unique<RedisClient>(RedisClient::Options{*endpoint, 1, 2000ms});
    v1::SubmitTaskResponse warmup;
    ASSERT_TRUE(submit(task("m-warmup"), &warmup).ok()) << "Kafka up: accepted";
  }

  static v1::SubmitTaskRequest task(const std::string& matter, const std::string& key = "") {
    return testing::review_task({.matter = matter, .idempotency_key = key});
  }

  grpc::Status submit(const v1::SubmitTaskRequest& r, v1::SubmitTaskResponse* out,
                      grpc::ClientContext* ctx = nullptr) {
    auto own = as(key);
    return dev->intake()->SubmitTask(ctx ? ctx : own.get(), r, out);
  }

  EmbeddedKafka& kafka() { return *dev->node().embedded_kafka(); }

  // Task records in Redis (not their history or exclusions).
  size_t task_records() {
    SystemClock clock;
    auto n = TaskStore(*redis, clock).count_task_records("default");
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n.value_or(0);
  }

  // Submits `r` while Kafka is failing: UNAVAILABLE, with a retry hint, within a bound.
  void expect_unavailable_promptly(const v1::SubmitTaskRequest& r) {
    auto ctx = as(key);
    v1::SubmitTaskResponse out;
    auto started = std::chrono::steady_clock::now();
    auto s = submit(r, &out, ctx.get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 9s) << "it must not hang";
    const auto& trailers = ctx->GetServerTrailingMetadata();
    EXPECT_NE(trailers.find("grpc-retry-pushback-ms"), trailers.end()) << "a retry hint";
    EXPECT_EQ(task_records(), 1u) << "only the warm-up task exists: nothing of the failed submit";
    // Ops see it: a produce error, a failed submission and an UNAVAILABLE answer (docs/metrics.md).
    auto m = parse_exposition(
        prometheus::TextSerializer().Serialize(dev->node().metrics().registry()->Collect()));
    EXPECT_GE(sum_of(m, "lexroute_kafka_produce_errors_total", {{"topic", "lexroute.tasks.v1"}}),
              1);
    EXPECT_EQ(sum_of(m, "lexroute_intake_errors_total", {{"code", "UNAVAILABLE"}}), 1);
    EXPECT_EQ(sum_of(m, "lexroute_grpc_requests_total",
                     {{"method", "/lexroute.v1.TaskIntake/SubmitTask"}, {"code", "UNAVAILABLE"}}),
              1);
  }

  // Once Kafka is well again, a retry with the same key completes the first attempt's task.
  void expect_retry_completes(const v1::SubmitTaskRequest& r) {
    v1::SubmitTaskResponse retried;
    grpc::Status ok;
    for (int i = 0; i < 20; ++i) {  // the producer reconnects within a few seconds
      ok = submit(r, &retried);
      if (ok.ok()) break;
      std::this_thread::sleep_for(500ms);
    }
    ASSERT_TRUE(ok.ok()) << ok.error_message();
    EXPECT_TRUE(retried.duplicate()) << "the retry completes the first attempt's task";
    // The warm-up task and the retried one were each acknowledged once: as submitted when the
    // retry is what put the task into Kafka, as a duplicate when the failed attempt got there.
    auto m = parse_exposition(
        prometheus::TextSerializer().Serialize(dev->node().metrics().registry()->Collect()));
    EXPECT_EQ(sum_of(m, "lexroute_tasks_submitted_total") +
                  sum_of(m, "lexroute_intake_duplicate_submissions_total"),
              2);
    EXPECT_GE(sum_of(m, "lexroute_tasks_submitted_total"), 1);
    v1::GetTaskRequest get;
    get.set_task_id(retried.task_id());
    v1::Task t;
    EXPECT_TRUE(dev->intake()->GetTask(as(key).get(), get, &t).ok());
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
  std::unique_ptr<RedisClient> redis;
  std::string key;
};

TEST_F(KafkaFaults, BrokerDownMeansUnavailableWithARetryHintAndNothingHalfWritten) {
  auto r = task("m-1", "retry-me");
  kafka().set_broker_down(1);
  expect_unavailable_promptly(r);
  kafka().set_broker_up(1);
  expect_retry_completes(r);
}

TEST_F(KafkaFaults, RetriableProduceErrorsBeyondTheDeliveryTimeoutMeanUnavailable) {
  auto r = task("m-1", "retry-me");
  // Far more failures than the producer can retry through in its 3 s delivery timeout.
  kafka().fail_produce_requests(100000, /*fatal=*/false);
  expect_unavailable_promptly(r);
  kafka().clear_produce_failures();
  expect_retry_completes(r);
}

TEST_F(KafkaFaults, AFewRetriableProduceErrorsAreRetriedAndTheSubmitSucceeds) {
  kafka().fail_produce_requests(3, /*fatal=*/false);
  v1::SubmitTaskResponse out;
  auto s = submit(task("m-1"), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(out.task_id().empty());
}

TEST_F(KafkaFaults, AProduceErrorThatMayNotBeRetriedMeansUnavailableAtOnce) {
  auto r = task("m-1", "retry-me");
  kafka().fail_produce_requests(1, /*fatal=*/true);
  expect_unavailable_promptly(r);
  expect_retry_completes(r);
}

TEST_F(KafkaFaults, ABrokerAnsweringLaterThanTheDeliveryTimeoutMeansUnavailable) {
  auto r = task("m-1", "retry-me");
  kafka().set_broker_delay(1, 5000ms);
  expect_unavailable_promptly(r);
  kafka().set_broker_delay(1, 0ms);
  expect_retry_completes(r);
}

TEST_F(KafkaFaults, ASlowButWorkingBrokerOnlySlowsTheAcknowledgement) {
  kafka().set_broker_delay(1, 300ms);
  v1::SubmitTaskResponse out;
  auto started = std::chrono::steady_clock::now();
  auto s = submit(task("m-1"), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "acknowledged only after Kafka";
}

// Back-pressure: an intake whose routers are not taking work holds back once one partition is
// `max_routing_backlog` behind, with a retriable refusal, and takes work again once a router has
// caught up. Every task it acknowledged is routed: none was taken only to be dropped.
TEST(IntakeBackPressure, RefusesNewTasksWhileTheRoutersLagAndTakesThemAgainOnceTheyCatchUp) {
  testing::TempDir dir;
  auto redis = RedisProcess::start({.data_dir = dir.str() + "/redis"});
  ASSERT_TRUE(redis.has_value()) << redis.error().message;
  auto kafka = EmbeddedKafka::start();
  ASSERT_TRUE(kafka.has_value()) << kafka.error().message;
  ASSERT_TRUE((*kafka)->create_lexroute_topics(1).has_value());  // one partition holds them all

  const std::string admin_key = "lxa_backpressure-test";
  Config c = testing::DevNode::dev_config(dir.str() + "/intake");
  c.role = Role::kIntake;
  c.redis = (*redis)->endpoint().to_string();
  c.kafka_brokers = (*kafka)->bootstrap();
  c.admin_key_sha256 = sha256_hex(admin_key);
  c.max_routing_backlog = 3;
  testing::DevNode intake(c);
  ASSERT_NE(&intake.node(), nullptr);
  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*intake.admin(), admin_key, "acme", &acme_key));

  // No router runs yet: the backlog grows with every task until intake refuses.
  std::vector<std::string> acknowledged;
  grpc::Status refused;
  for (int i = 0; i < 100 && refused.ok(); ++i) {
    auto ctx = as(acme_key);
    v1::SubmitTaskResponse out;
    auto s = intake.intake()->SubmitTask(
        ctx.get(), testing::review_task({.matter = "m-" + std::to_string(i)}), &out);
    if (s.ok()) {
      acknowledged.push_back(out.task_id());
    } else {
      refused = s;
      auto pushback = ctx->GetServerTrailingMetadata().find("grpc-retry-pushback-ms");
      EXPECT_NE(pushback, ctx->GetServerTrailingMetadata().end()) << "a retry hint";
    }
    std::this_thread::sleep_for(50ms);  // the backlog is looked at four times a second
  }
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("behind"), std::string::npos) << refused.error_message();
  EXPECT_GE(acknowledged.size(), 3u);

  // A bulk submit's items are refused the same way, each with the unary call's retry hint.
  {
    auto ctx = as(acme_key);
    v1::SubmitTasksResponse bulk;
    auto writer = intake.intake()->SubmitTasks(ctx.get(), &bulk);
    ASSERT_TRUE(writer->Write(testing::review_task({.matter = "m-bulk"})));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    ASSERT_EQ(bulk.results_size(), 1);
    EXPECT_EQ(bulk.results(0).error_code(), "RESOURCE_EXHAUSTED");
    EXPECT_EQ(bulk.results(0).retry_after_ms(), 1000) << "as grpc-retry-pushback-ms says";
  }

  // A router starts, takes the backlog and commits: intake accepts again.
  Config r = testing::DevNode::dev_config(dir.str() + "/router");
  r.role = Role::kRouter;
  r.redis = c.redis;
  r.kafka_brokers = c.kafka_brokers;
  auto router = Node::start(r);
  ASSERT_TRUE(router.has_value()) << router.error().message;
  bool accepted_again = false;
  for (int i = 0; i < 300 && !accepted_again; ++i) {
    v1::SubmitTaskResponse out;
    auto s = intake.intake()->SubmitTask(
        as(acme_key).get(), testing::review_task({.matter = "m-after-" + std::to_string(i)}), &out);
    accepted_again = s.ok();
    if (s.ok()) acknowledged.push_back(out.task_id());
    if (!s.ok()) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(accepted_again) << "the router caught up, so intake takes work again";

  // Every acknowledged task reaches the router (no staff here: it is parked, not lost).
  for (const auto& id : acknowledged) {
    v1::Task t;
    for (int round = 0; round < 100; ++round) {
      v1::GetTaskRequest get;
      get.set_task_id(id);
      ASSERT_TRUE(intake.intake()->GetTask(as(acme_key).get(), get, &t).ok()) << id;
      if (t.status() != v1::TASK_STATUS_QUEUED) break;
      std::this_thread::sleep_for(100ms);
    }
    EXPECT_NE(t.status(), v1::TASK_STATUS_QUEUED) << id << " was never routed";
  }
}

}  // namespace
}  // namespace lexroute
