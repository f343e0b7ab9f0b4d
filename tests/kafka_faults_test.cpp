// Intake when Kafka misbehaves, through librdkafka's mock fault injection: a broker that is
// down, produce requests that fail (retriably or not), a broker that answers late. A firm gets
// UNAVAILABLE with a retry hint, promptly, or a real acknowledgement; never a hang, never a false
// success, and nothing half-written: retrying with the same idempotency key completes the task.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/kafka/embedded_kafka.h"
#include "services/redis/keys.h"
#include "tests/support/dev_node.h"

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
    v1::CreateFirmRequest req;
    req.set_firm_id("acme");
    v1::CreateFirmResponse resp;
    ASSERT_TRUE(dev->admin()->CreateFirm(as(dev->admin_key()).get(), req, &resp).ok());
    key = resp.api_key();
    auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
    ASSERT_TRUE(endpoint.has_value());
    redis = std::make_unique<RedisClient>(RedisClient::Options{*endpoint, 1, 2000ms});
    v1::SubmitTaskResponse warmup;
    ASSERT_TRUE(submit(task("m-warmup"), &warmup).ok()) << "Kafka up: accepted";
  }

  static v1::SubmitTaskRequest task(const std::string& matter, const std::string& key = "") {
    v1::SubmitTaskRequest r;
    r.set_idempotency_key(key);
    auto* s = r.mutable_spec();
    s->set_matter_id(matter);
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill("doc-review");
    sk->set_min_proficiency(3);
    *s->mutable_deadline() = TimeUtil::GetCurrentTime() + TimeUtil::HoursToDuration(24);
    s->set_effort_minutes(20);
    s->set_payload_ref("dms://acme/" + matter + "/doc/7");
    return r;
  }

  grpc::Status submit(const v1::SubmitTaskRequest& r, v1::SubmitTaskResponse* out,
                      grpc::ClientContext* ctx = nullptr) {
    auto own = as(key);
    return dev->intake()->SubmitTask(ctx ? ctx : own.get(), r, out);
  }

  EmbeddedKafka& kafka() { return *dev->node().embedded_kafka(); }

  // Task records in Redis (not their history or exclusions).
  size_t task_records() {
    auto records = redis->command({"KEYS", "lx:{default}:task:*"});
    EXPECT_TRUE(records.has_value());
    size_t n = 0;
    for (const auto& k : records->elements) {
      n += k.str.find(":history") == std::string::npos &&
           k.str.find(":excluded") == std::string::npos;
    }
    return n;
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

}  // namespace
}  // namespace lexroute
