#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "services/redis/audit_outbox.h"
#include "services/redis/keys.h"
#include "tests/support/redis_fixture.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using Stream = AuditOutbox::Stream;

class AuditOutboxTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    watch = std::make_unique<RedisClient>(RedisClient::Options{endpoint(), 1});
    outbox = std::make_unique<AuditOutbox>(redis(), *watch, "relay-a");
  }

  // An entry as lib/prelude.lua's record() writes it.
  void transition(const std::string& task, const std::string& from, const std::string& to) {
    ASSERT_TRUE(redis()
                    .command({"XADD", keys::task_events("default"), "*", "task", task, "firm",
                              "acme", "from", from, "to", to, "at", "1800000000000", "actor",
                              "router", "reason", "offered"})
                    .has_value());
  }
  int64_t outbox_length() { return outbox->length("default", Stream::kTaskEvents).value_or(-1); }

  std::unique_ptr<RedisClient> watch;
  std::unique_ptr<AuditOutbox> outbox;
};

TEST_F(AuditOutboxTest, ClaimedEntriesStayUntilAcknowledged) {
  auto empty = outbox->claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_TRUE(empty->entry_ids.empty());

  transition("t1@default", "QUEUED", "OFFERED");
  auto batch = outbox->claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  ASSERT_EQ(batch->task_events.size(), 1u);
  const v1::TaskEvent& e = batch->task_events[0];
  EXPECT_EQ(e.task_id(), "t1@default");
  EXPECT_EQ(e.firm_id(), "acme");
  EXPECT_EQ(e.pool(), "default");
  EXPECT_EQ(e.from(), v1::TASK_STATUS_QUEUED);
  EXPECT_EQ(e.to(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(e.at().seconds(), 1'800'000'000);
  EXPECT_EQ(e.event_id(), batch->entry_ids[0]);
  EXPECT_TRUE(batch->staff_events.empty());

  // Not acknowledged (the send failed): the same entry comes back first.
  auto again = outbox->claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->entry_ids, batch->entry_ids);

  ASSERT_TRUE(outbox->acknowledge("default", Stream::kTaskEvents, batch->entry_ids).has_value());
  EXPECT_EQ(outbox_length(), 0);
  EXPECT_TRUE(outbox->claim("default", Stream::kTaskEvents, 10)->entry_ids.empty());
}

TEST_F(AuditOutboxTest, AnotherConsumerDoesNotGetEntriesClaimedRecently) {
  transition("t1@default", "QUEUED", "OFFERED");
  ASSERT_EQ(outbox->claim("default", Stream::kTaskEvents, 10)->entry_ids.size(), 1u);
  AuditOutbox other(redis(), *watch, "relay-b");
  auto theirs = other.claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(theirs.has_value());
  EXPECT_TRUE(theirs->entry_ids.empty()) << "relay-a holds it for 30 s";
}

TEST_F(AuditOutboxTest, WaitReturnsAsSoonAsAnEntryArrivesAndTheNextClaimHasIt) {
  ASSERT_TRUE(outbox->claim("default", Stream::kTaskEvents, 10).has_value());
  auto nothing = outbox->wait("default", 50ms, 10);
  ASSERT_TRUE(nothing.has_value()) << nothing.error().message;
  EXPECT_FALSE(*nothing);

  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    transition("t1@default", "QUEUED", "WAITING");
  });
  auto start = std::chrono::steady_clock::now();
  auto arrived = outbox->wait("default", 5000ms, 10);
  auto waited = std::chrono::steady_clock::now() - start;
  writer.join();
  ASSERT_TRUE(arrived.has_value()) << arrived.error().message;
  EXPECT_TRUE(*arrived);
  EXPECT_LT(waited, 4000ms) << "woken by the entry, not by the timeout";
  auto batch = outbox->claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->task_events.size(), 1u);
  EXPECT_EQ(batch->task_events[0].to(), v1::TASK_STATUS_WAITING);
}

TEST_F(AuditOutboxTest, StaffEventsComeFromTheStaffOutbox) {
  ASSERT_TRUE(redis()
                  .command({"XADD", keys::staff_events("default"), "*", "staff", "ana", "vendor",
                            "apex", "kind", "CALLED_IN", "reason", "backlog", "actor", "scaler",
                            "at", "1800000000000"})
                  .has_value());
  auto batch = outbox->claim("default", Stream::kStaffEvents, 10);
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  ASSERT_EQ(batch->staff_events.size(), 1u);
  EXPECT_EQ(batch->staff_events[0].staff_id(), "ana");
  EXPECT_EQ(batch->staff_events[0].kind(), "CALLED_IN");
  EXPECT_TRUE(batch->task_events.empty());
}

TEST_F(AuditOutboxTest, AGroupRedisLostIsCreatedAgain) {
  ASSERT_TRUE(outbox->claim("default", Stream::kTaskEvents, 10).has_value());
  ASSERT_TRUE(redis().command({"FLUSHALL"}).has_value());  // a Redis restarted empty
  transition("t1@default", "QUEUED", "OFFERED");
  // The first claim may find the group gone; the one after creates it again.
  (void)outbox->claim("default", Stream::kTaskEvents, 10);
  auto batch = outbox->claim("default", Stream::kTaskEvents, 10);
  ASSERT_TRUE(batch.has_value()) << batch.error().message;
  EXPECT_EQ(batch->task_events.size(), 1u);
}

}  // namespace
}  // namespace lexroute
