// What the API refuses at the door, through the public gRPC API of one shared `lexrouted dev`:
// out-of-range timestamps, huge ids, tasks Kafka cannot take, pools nobody created, rosters that
// are not UTF-8. Each is INVALID_ARGUMENT naming the field, stores nothing, and leaves every
// other call working. Also what a firm may see of a routing decision, and one idempotency key
// sent twice in one stream.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "router/text.h"
#include "services/kafka/consumer.h"
#include "services/kafka/topics.h"
#include "services/redis/redis_client.h"
#include "services/redis/task_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

class InputLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new testing::TempDir();
    dev = new testing::DevNode(dir->str() + "/data");
    key = new std::string();
    ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", key));
    auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
    ASSERT_TRUE(endpoint.has_value());
    redis = new RedisClient(RedisClient::Options{*endpoint, 1, 2000ms});
  }

  static void TearDownTestSuite() {
    delete redis;
    delete key;
    delete dev;
    delete dir;
  }

  static v1::SubmitTaskRequest review_task(const std::string& matter = "m-1") {
    return testing::review_task({.matter = matter});
  }

  // Submits `r` and expects INVALID_ARGUMENT naming `field`, with a short message, and nothing
  // stored; returns the message.
  static std::string expect_refused(const v1::SubmitTaskRequest& r, const std::string& field) {
    size_t before = task_records();
    auto ctx = as(*key);
    v1::SubmitTaskResponse out;
    auto s = dev->intake()->SubmitTask(ctx.get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    auto trailer = ctx->GetServerTrailingMetadata().find("lexroute-field");
    EXPECT_NE(trailer, ctx->GetServerTrailingMetadata().end()) << field;
    if (trailer != ctx->GetServerTrailingMetadata().end()) {
      EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), field);
    }
    EXPECT_LT(s.error_message().size(), 600u) << field;
    EXPECT_EQ(task_records(), before) << "nothing of a refused task is stored";
    return s.error_message();
  }

  // Task records in Redis, over every pool.
  static size_t task_records() {
    SystemClock clock;
    auto n = TaskStore(*redis, clock).count_task_records("*");
    EXPECT_TRUE(n.has_value()) << n.error().message;
    return n.value_or(0);
  }

  static std::string add_staff(const std::string& id, const std::string& pool) {
    v1::UpsertStaffRequest req;
    auto* s = req.mutable_staff();
    s->set_id(id);
    s->set_time_zone("Asia/Manila");
    s->set_capacity(2);
    s->set_pool(pool);
    auto* sk = s->add_skills();
    sk->set_skill("doc-review");
    sk->set_proficiency(4);
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    auto st = dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.staff_token();
  }

  static testing::TempDir* dir;
  static testing::DevNode* dev;
  static std::string* key;
  static RedisClient* redis;
};

testing::TempDir* InputLimits::dir = nullptr;
testing::DevNode* InputLimits::dev = nullptr;
std::string* InputLimits::key = nullptr;
RedisClient* InputLimits::redis = nullptr;

TEST_F(InputLimits, TimestampsWithNanosOutOfRangeAreRefused) {
  for (int nanos : {2'000'000'000, -1}) {
    auto r = review_task();
    r.mutable_spec()->mutable_deadline()->set_nanos(nanos);
    expect_refused(r, "spec.deadline");
  }
  v1::ConfigurePoolRequest pool;
  pool.set_pool("default");
  pool.mutable_scaling()->set_max_active(5);
  *pool.mutable_scaling()->mutable_surge_start() = TimeUtil::GetCurrentTime();
  pool.mutable_scaling()->mutable_surge_start()->set_nanos(-1);
  v1::ConfigurePoolResponse configured;
  auto s = dev->admin()->ConfigurePool(as(dev->admin_key()).get(), pool, &configured);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("scaling.surge_start"), std::string::npos) << s.error_message();

  v1::SubmitTaskResponse ok;
  EXPECT_TRUE(dev->intake()->SubmitTask(as(*key).get(), review_task(), &ok).ok())
      << "other calls keep working";
}

TEST_F(InputLimits, HugeIdsAreRefusedWithAShortMessage) {
  const std::string huge(100'000, 'x');
  v1::GetTaskRequest get;
  get.set_task_id(huge);
  v1::Task task;
  auto s = dev->intake()->GetTask(as(*key).get(), get, &task);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message().substr(0, 200);
  EXPECT_LT(s.error_message().size(), 300u);

  v1::CancelTaskRequest cancel;
  cancel.set_task_id(huge);
  s = dev->intake()->CancelTask(as(*key).get(), cancel, &task);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message().substr(0, 200);
  EXPECT_LT(s.error_message().size(), 300u);

  v1::UpsertStaffRequest staff;
  staff.mutable_staff()->set_id("zed");
  staff.mutable_staff()->set_capacity(1);
  staff.mutable_staff()->set_time_zone(huge);
  v1::UpsertStaffResponse saved;
  s = dev->admin()->UpsertStaff(as(dev->admin_key()).get(), staff, &saved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message().substr(0, 200);
  EXPECT_LT(s.error_message().size(), 300u);
}

TEST_F(InputLimits, ATaskTooLargeForKafkaIsAPermanentError) {
  // The known fields are bounded; fields this version does not know still travel with the spec.
  auto r = review_task();
  r.mutable_spec()
      ->GetReflection()
      ->MutableUnknownFields(r.mutable_spec())
      ->AddLengthDelimited(1000, std::string(1'200'000, 'u'));
  std::string message = expect_refused(r, "spec");
  EXPECT_NE(message.find("Kafka"), std::string::npos) << message;
}

TEST_F(InputLimits, AnUnknownPoolIsRefusedNamingThePoolsThatExist) {
  add_staff("lit-ana", "litigation");
  auto r = review_task();
  r.mutable_spec()->set_pool("made-up");
  std::string message = expect_refused(r, "spec.pool");
  EXPECT_NE(message.find("default"), std::string::npos) << message;
  EXPECT_NE(message.find("litigation"), std::string::npos) << message;

  v1::PoolStatusRequest status;
  v1::PoolStatusResponse pools;
  ASSERT_TRUE(dev->admin()->PoolStatus(as(dev->admin_key()).get(), status, &pools).ok());
  for (const auto& p : pools.pools()) EXPECT_NE(p.pool(), "made-up");

  r.mutable_spec()->set_pool("litigation");
  v1::SubmitTaskResponse ok;
  auto s = dev->intake()->SubmitTask(as(*key).get(), r, &ok);
  EXPECT_TRUE(s.ok()) << "a pool with staff exists: " << s.error_message();
}

TEST_F(InputLimits, ARosterCellThatIsNotUtf8RefusesTheRowAndTheAnswerStaysReadable) {
  v1::ImportRosterRequest req;
  req.set_format(v1::ROSTER_FORMAT_CSV);
  req.set_issue_tokens(true);
  req.set_content(
      "id,display_name,time_zone,capacity,skills\n"
      "csv-ana,Ana \xc3,Asia/Manila,2,doc-review:3\n"
      "\xff\xfe-bea,Bea,Asia/Manila,2,doc-review:3\n"
      "csv-carla,Carla,Asia/Manila,2,doc-review:3\n");
  v1::ImportRosterResponse resp;
  auto s = dev->admin()->ImportRoster(as(dev->admin_key()).get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.imported(), 1);
  EXPECT_EQ(resp.failed(), 2);
  ASSERT_EQ(resp.rows_size(), 3);
  EXPECT_FALSE(resp.rows(0).imported());
  EXPECT_EQ(resp.rows(0).field(), "display_name");
  EXPECT_TRUE(resp.rows(0).staff_token().empty()) << "no token for a refused row";
  EXPECT_FALSE(resp.rows(1).imported());
  EXPECT_EQ(resp.rows(1).field(), "id");
  for (const auto& row : resp.rows()) {
    EXPECT_TRUE(is_valid_utf8(row.staff_id()));
    EXPECT_TRUE(is_valid_utf8(row.error()));
  }
  EXPECT_TRUE(resp.rows(2).imported());
}

TEST_F(InputLimits, OneIdempotencyKeyTwiceInOneStreamIsProducedOnce) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + *key);
  v1::SubmitTasksResponse response;
  auto writer = dev->intake()->SubmitTasks(&ctx, &response);
  auto r = review_task("m-stream");
  r.set_idempotency_key("same-key-in-one-stream");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer->Write(r));
  writer->WritesDone();
  auto s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.results_size(), 5);
  const std::string id = response.results(0).task_id();
  EXPECT_FALSE(response.results(0).duplicate());
  for (int i = 1; i < 5; ++i) {
    EXPECT_EQ(response.results(i).task_id(), id);
    EXPECT_TRUE(response.results(i).duplicate());
  }

  auto consumer = Consumer::create(
      {dev->node().kafka_bootstrap(), "stream-reader", std::string(topics::kTasks), nullptr, {}});
  ASSERT_TRUE(consumer.has_value()) << consumer.error().message;
  int copies = 0;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  std::optional<std::chrono::steady_clock::time_point> settle;
  while (std::chrono::steady_clock::now() < (settle ? *settle : deadline)) {
    for (const auto& record : (*consumer)->poll(500, 200ms)) {
      v1::TaskSubmitted task;
      ASSERT_TRUE(task.ParseFromString(record.value));
      if (task.task_id() != id) continue;
      ++copies;
      if (!settle) settle = std::chrono::steady_clock::now() + 2s;  // any later copy is close by
    }
  }
  EXPECT_EQ(copies, 1) << "one task, one record in Kafka";
}

TEST_F(InputLimits, FirmsSeeWhyButNotWhichOtherStaffWereConsidered) {
  // A pool of its own: tasks earlier tests left waiting in "default" would take ana's room first.
  std::string token = add_staff("ana", "explained");
  ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), token));

  v1::SubmitTaskResponse submitted;
  auto request = review_task("m-explain");
  request.mutable_spec()->set_pool("explained");
  ASSERT_TRUE(dev->intake()->SubmitTask(as(*key).get(), request, &submitted).ok());
  v1::GetTaskRequest get;
  get.set_task_id(submitted.task_id());
  v1::Task task;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(dev->intake()->GetTask(as(*key).get(), get, &task).ok());
    if (task.status() == v1::TASK_STATUS_OFFERED) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(task.status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(task.last_decision().top_candidates_size(), 0);
  v1::RoutingDecision decision;
  ASSERT_TRUE(dev->intake()->ExplainTask(as(*key).get(), get, &decision).ok());
  EXPECT_EQ(decision.top_candidates_size(), 0) << "other staff's ids and scores are not for firms";
  EXPECT_EQ(decision.outcome(), "OFFERED");
  EXPECT_GT(decision.staff_considered(), 0) << "the counts stay";
}

}  // namespace
}  // namespace lexroute
