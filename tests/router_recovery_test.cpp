// A router that stops and comes back (or a new one in its place) resumes from the offsets stored
// in Redis with its results, and a replay of records already routed never offers twice or books
// capacity twice. Kafka and Redis here outlive the lexrouted nodes, as in a deployment.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/kafka/embedded_kafka.h"
#include "services/redis/staff_store.h"
#include "services/redis/task_store.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

constexpr int kReplayTasks = 120;
const std::vector<std::string> kRecoveryStaff = {"ana", "ben", "carla"};

class RouterRecovery : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisProcess::start({.data_dir = dir.str() + "/redis"});
    ASSERT_TRUE(redis.has_value()) << redis.error().message;
    redis_process = std::move(*redis);
    auto kafka = EmbeddedKafka::start();
    ASSERT_TRUE(kafka.has_value()) << kafka.error().message;
    kafka_cluster = std::move(*kafka);
    ASSERT_TRUE(kafka_cluster->create_lexroute_topics(4).has_value());
    redis_client =
        std::make_unique<RedisClient>(RedisClient::Options{redis_process->endpoint(), 2, 2000ms});
  }

  std::unique_ptr<testing::DevNode> node(const std::string& group) {
    Config c = testing::DevNode::dev_config(dir.str() + "/node");
    c.redis = redis_process->endpoint().to_string();
    c.kafka_brokers = kafka_cluster->bootstrap();
    c.router_group = group;
    return std::make_unique<testing::DevNode>(c);
  }

  // Waits until every task has left QUEUED; returns their histories.
  std::map<std::string, v1::Task> settled(testing::DevNode& dev, const std::string& key,
                                          const std::vector<std::string>& ids) {
    std::map<std::string, v1::Task> out;
    for (int round = 0; round < 300 && out.size() < ids.size(); ++round) {
      for (const auto& id : ids) {
        if (out.contains(id)) continue;
        v1::GetTaskRequest r;
        r.set_task_id(id);
        v1::Task t;
        if (dev.intake()->GetTask(as(key).get(), r, &t).ok() &&
            t.status() == v1::TASK_STATUS_OFFERED) {
          out[id] = t;
        }
      }
      if (out.size() < ids.size()) std::this_thread::sleep_for(100ms);
    }
    return out;
  }

  std::string submit(testing::DevNode& dev, const std::string& key, int i) {
    v1::SubmitTaskResponse resp;
    auto st = dev.intake()->SubmitTask(
        as(key).get(), testing::numbered_review_task(i, 7, std::chrono::hours(8)), &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.task_id();
  }

  int load_of(const std::string& staff) {
    auto states = StaffStore(*redis_client).states("default", {staff});
    return states && states->contains(staff) ? states->at(staff).load : -1;
  }

  testing::TempDir dir;
  std::unique_ptr<RedisProcess> redis_process;
  std::unique_ptr<EmbeddedKafka> kafka_cluster;
  std::unique_ptr<RedisClient> redis_client;
};

TEST_F(RouterRecovery, ANewRouterResumesFromStoredOffsetsAndReplaysWithoutDoubleOffers) {
  std::string api_key;
  std::vector<std::string> ids;
  {
    auto first = node("routers-a");
    ASSERT_NO_FATAL_FAILURE(
        testing::create_firm(*first->admin(), first->admin_key(), "acme", &api_key));
    // Nobody heartbeats here, and sanitizer builds can take past the 60 s presence timeout.
    v1::ConfigurePoolRequest cfg;
    cfg.set_pool("default");
    cfg.set_presence_timeout_seconds(604800);
    v1::ConfigurePoolResponse configured;
    ASSERT_TRUE(first->admin()->ConfigurePool(as(first->admin_key()).get(), cfg, &configured).ok());
    for (const auto& id : kRecoveryStaff) {
      v1::UpsertStaffResponse resp;
      ASSERT_TRUE(first->admin()
                      ->UpsertStaff(as(first->admin_key()).get(),
                                    testing::reviewer({.id = id, .capacity = 60}), &resp)
                      .ok());
      ASSERT_NO_FATAL_FAILURE(testing::set_available(*first->gateway(), resp.staff_token()));
    }
    for (int i = 0; i < kReplayTasks; ++i) ids.push_back(submit(*first, api_key, i));
    ASSERT_EQ(settled(*first, api_key, ids).size(), ids.size());
    EXPECT_EQ(first->node().router()->consumed(), static_cast<uint64_t>(kReplayTasks));
  }

  // A router in a group that never committed anything starts where Redis says: nothing to read.
  {
    auto second = node("routers-b");
    ids.push_back(submit(*second, api_key, kReplayTasks));
    for (int i = 0; i < 150 && second->node().router()->consumed() == 0; ++i) {
      std::this_thread::sleep_for(100ms);  // the mock cluster's first group join takes ~3 s
    }
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(second->node().router()->consumed(), 1u)
        << "the new router must read only the new record, not those Redis has results for";
  }

  // Redis forgot how far routing got (as after losing its last writes): the next router replays
  // every record, recognises each task as routed, and offers none of them again.
  SystemClock clock;
  TaskStore task_store(*redis_client, clock);
  auto stored = task_store.stored_offsets("default");
  ASSERT_TRUE(stored.has_value() && !stored->empty());
  std::vector<std::string> fields;
  for (const auto& [field, next] : *stored) fields.push_back(field);
  ASSERT_TRUE(task_store.forget_offsets("default", fields).has_value());
  auto third = node("routers-c");
  for (int i = 0; i < 150 && third->node().router()->consumed() < kReplayTasks + 1; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(third->node().router()->consumed(), static_cast<uint64_t>(kReplayTasks + 1))
      << "replayed";
  EXPECT_EQ(third->node().router()->routed(), 0u) << "a replay must not route again";

  auto tasks = settled(*third, api_key, ids);
  ASSERT_EQ(tasks.size(), ids.size());
  std::map<std::string, int> offered_to;
  for (const auto& [id, t] : tasks) {
    int offers = 0;
    for (const auto& h : t.history()) offers += h.status() == v1::TASK_STATUS_OFFERED;
    EXPECT_EQ(offers, 1) << id << " was offered " << offers << " times";
    ++offered_to[t.staff_id()];
  }
  for (const auto& staff : kRecoveryStaff) {
    EXPECT_EQ(load_of(staff), offered_to[staff]) << staff << "'s load disagrees with the offers";
  }
}

}  // namespace
}  // namespace lexroute
