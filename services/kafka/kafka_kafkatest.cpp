#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "services/kafka/consumer.h"
#include "services/kafka/embedded_kafka.h"
#include "services/kafka/producer.h"
#include "services/kafka/routing_backlog.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = EmbeddedKafka::start();
    ASSERT_TRUE(k.has_value()) << k.error().message;
    kafka = std::move(*k);
    ASSERT_TRUE(kafka->create_topic("t", 2).has_value());
  }

  std::unique_ptr<Producer> producer(std::chrono::milliseconds timeout = 10000ms) {
    auto p = Producer::create({kafka->bootstrap(), timeout, {}});
    EXPECT_TRUE(p.has_value()) << p.error().message;
    return p ? std::move(*p) : nullptr;
  }

  std::vector<ConsumedRecord> drain(Consumer& c, size_t want) {
    std::vector<ConsumedRecord> got;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
      for (auto& r : c.poll(100, 200ms)) got.push_back(std::move(r));
    }
    return got;
  }

  std::unique_ptr<EmbeddedKafka> kafka;
};

TEST_F(KafkaTest, AcknowledgedRecordsAreConsumedOnce) {
  auto p = producer();
  for (int i = 0; i < 20; ++i) {
    auto sent = p->send("t", "key-" + std::to_string(i % 3), "v" + std::to_string(i));
    ASSERT_TRUE(sent.has_value()) << sent.error().message;
  }
  auto c = Consumer::create({kafka->bootstrap(), "g1", "t", nullptr, {}});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  auto got = drain(**c, 20);
  std::set<std::string> values;
  for (auto& r : got) values.insert(r.value);
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(values.size(), 20u);
}

TEST_F(KafkaTest, AssignmentStartsWhereOurStoreSays) {
  auto p = producer();
  // One key, so all records land on one partition in order.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(p->send("t", "same", std::to_string(i)).has_value());
  int32_t partition = -1;
  {
    auto c = Consumer::create({kafka->bootstrap(), "probe", "t", nullptr, {}});
    ASSERT_TRUE(c.has_value());
    auto got = drain(**c, 10);
    ASSERT_EQ(got.size(), 10u);
    partition = got.front().partition;
  }
  auto from_store = [&](const std::string&, int32_t p_) -> std::optional<int64_t> {
    if (p_ == partition) return 7;
    return std::nullopt;
  };
  auto c = Consumer::create({kafka->bootstrap(), "g2", "t", from_store, {}});
  ASSERT_TRUE(c.has_value());
  auto got = drain(**c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got.front().offset, 7);
  EXPECT_EQ(got.front().value, "7");
}

TEST_F(KafkaTest, StoredPositionsBeyondTheEndAreNotDataLossAndDoNotHoldReadingBack) {
  // A store that remembers positions from another cluster: far past anything this topic holds.
  auto from_elsewhere = [](const std::string&, int32_t) -> std::optional<int64_t> { return 1250; };
  auto c = Consumer::create({kafka->bootstrap(), "g3", "t", from_elsewhere, {}});
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE((*c)->poll(10, 3000ms).empty());  // joins the group; nothing to read yet
  auto p = producer();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(p->send("t", std::to_string(i), "v").has_value());
  auto got = drain(**c, 10);
  EXPECT_EQ(got.size(), 10u);
  EXPECT_EQ((*c)->data_loss_events(), 0u);
}

TEST_F(KafkaTest, UnreadCountsRecordsNotYetPolledBeforeAndAfterJoining) {
  auto p = producer();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(p->send("t", std::to_string(i), "v").has_value());
  auto c = Consumer::create({kafka->bootstrap(), "g4", "t", nullptr, {}});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ((*c)->unread(), std::optional<int64_t>(6));  // not in the group yet
  auto got = drain(**c, 6);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ((*c)->unread(), std::optional<int64_t>(0));
  ASSERT_TRUE(p->send("t", "k", "v").has_value());
  EXPECT_EQ((*c)->unread(), std::optional<int64_t>(1));
}

TEST_F(KafkaTest, BacklogCountsWhatTheRoutersHaveNotTakenAndHoldsBackAtTheLimit) {
  auto p = producer();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(p->send("t", "same", std::to_string(i)).has_value());
  // Looks only when asked here.
  auto backlog = RoutingBacklog::start({kafka->bootstrap(), "routers", "t", 10, 1h, {}});
  ASSERT_TRUE(backlog.has_value()) << backlog.error().message;
  ASSERT_TRUE((*backlog)->look());
  EXPECT_EQ((*backlog)->deepest(), 12);
  auto refusal = (*backlog)->holding_back();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->code, Errc::kResourceExhausted);
  EXPECT_NE(refusal->message.find("12 tasks behind"), std::string::npos) << refusal->message;

  auto unlimited = RoutingBacklog::start({kafka->bootstrap(), "routers", "t", 0, 1h, {}});
  ASSERT_TRUE(unlimited.has_value());
  ASSERT_TRUE((*unlimited)->look());
  EXPECT_EQ((*unlimited)->deepest(), 12);
  EXPECT_FALSE((*unlimited)->holding_back().has_value()) << "limit 0 never holds back";

  // The routers take and commit the records: the backlog drains and intake may go on.
  auto c = Consumer::create({kafka->bootstrap(), "routers", "t", nullptr, {}});
  ASSERT_TRUE(c.has_value());
  auto got = drain(**c, 12);
  ASSERT_EQ(got.size(), 12u);
  (*c)->commit({{got.back().partition, got.back().offset + 1}});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((*backlog)->look(),
         (*backlog)->deepest() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ((*backlog)->deepest(), 0);
  EXPECT_FALSE((*backlog)->holding_back().has_value());
}

TEST_F(KafkaTest, BrokerDownMeansUnavailableNotSuccess) {
  auto p = producer(1500ms);
  ASSERT_TRUE(p->send("t", "k", "before").has_value());
  kafka->set_broker_down(1);
  auto sent = p->send("t", "k", "during");
  ASSERT_FALSE(sent.has_value()) << "a record no broker acknowledged must not count as sent";
  EXPECT_EQ(sent.error().code, Errc::kUnavailable);
  EXPECT_TRUE(is_retriable(sent.error().code));
}

// The operator's properties reach the client: a size limit changes what the producer takes, and
// TLS to a broker that speaks plaintext (the mock) gets nothing acknowledged.
TEST_F(KafkaTest, OperatorPropertiesReachTheProducer) {
  auto small = Producer::create({kafka->bootstrap(), 10000ms, {{"message.max.bytes", "20000"}}});
  ASSERT_TRUE(small.has_value()) << small.error().message;
  EXPECT_LT((*small)->max_record_bytes(), 20000u);
  EXPECT_GT(producer()->max_record_bytes(), 20000u);

  auto tls = Producer::create({kafka->bootstrap(), 1500ms, {{"security.protocol", "ssl"}}});
  ASSERT_TRUE(tls.has_value()) << tls.error().message;
  auto sent = (*tls)->send("t", "k", "over TLS to a plaintext broker");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, Errc::kUnavailable);
  EXPECT_TRUE(producer()->send("t", "k", "plaintext").has_value());
}

}  // namespace
}  // namespace lexroute
