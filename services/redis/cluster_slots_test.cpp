#include "services/redis/cluster_slots.h"

#include <gtest/gtest.h>

#include "services/redis/keys.h"
#include "services/redis/redis_client.h"

namespace lexroute {
namespace {

RedisReply text(std::string s) { return {RedisReply::Type::kString, 0, std::move(s), {}}; }
RedisReply number(long long n) { return {RedisReply::Type::kInteger, n, {}, {}}; }
RedisReply list(std::vector<RedisReply> items) {
  return {RedisReply::Type::kArray, 0, {}, std::move(items)};
}

TEST(KeySlot, IsTheClusterSpecsCrc16) {
  // The specification's own check value: CRC16("123456789") = 0x31C3.
  EXPECT_EQ(key_slot("123456789"), 0x31C3);
  EXPECT_EQ(key_slot("foo"), 12182);  // CLUSTER KEYSLOT foo
  EXPECT_EQ(key_slot(""), 0);
}

TEST(KeySlot, HashTagsPutAPoolsKeysInOneSlot) {
  EXPECT_EQ(key_slot(keys::task("billing", "t1")), key_slot(keys::waiting("billing")));
  EXPECT_EQ(key_slot(keys::wake_channel("billing")), key_slot("billing"));
  // A firm's idempotency keys share a slot (the claim script touches one at a time anyway).
  EXPECT_EQ(key_slot(keys::idempotency("acme", "k")), key_slot(keys::idempotency("acme", "j")));
  // The first {...} counts; an empty one does not make a tag.
  EXPECT_EQ(key_slot("a{b}{c}"), key_slot("b"));
  EXPECT_EQ(key_slot("{}x"), key_slot("{}x"));
  EXPECT_NE(key_slot("{}x"), key_slot(""));
  EXPECT_EQ(key_slot("x{y"), key_slot("x{y"));
  EXPECT_NE(key_slot("x{y"), key_slot("y"));
}

TEST(RoutingKey, FirstKeyOfTheCommandsLexrouteSends) {
  using V = std::vector<std::string>;
  EXPECT_EQ(routing_key(V{"HGETALL", "k"}), "k");
  EXPECT_EQ(routing_key(V{"EVALSHA", "sha", "2", "k1", "k2", "arg"}), "k1");
  EXPECT_EQ(routing_key(V{"evalsha", "sha", "0", "arg"}), std::nullopt);
  EXPECT_EQ(routing_key(V{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"}),
            "s");
  EXPECT_EQ(routing_key(V{"XGROUP", "CREATE", "s", "g", "0"}), "s");
  EXPECT_EQ(routing_key(V{"SPUBLISH", "ch", "m"}), "ch");
  for (const char* keyless : {"PING", "WAIT", "SCAN", "MULTI", "EXEC"}) {
    EXPECT_EQ(routing_key(V{keyless, "0"}), std::nullopt) << keyless;
  }
}

TEST(SlotMap, FromClusterShardsTakesHealthyMastersOnly) {
  auto node = [](const char* ip, long long port, const char* role, const char* health) {
    return list({text("id"), text("x"), text("port"), number(port), text("ip"), text(ip),
                 text("role"), text(role), text("health"), text(health)});
  };
  RedisReply shards = list({
      list({text("slots"), list({number(0), number(5460)}), text("nodes"),
            list({node("10.0.0.2", 7002, "master", "online"),
                  node("10.0.0.5", 7005, "replica", "online")})}),
      list({text("slots"), list({number(5461), number(10922), number(16000), number(16383)}),
            text("nodes"), list({node("10.0.0.1", 7001, "master", "online")})}),
      list({text("slots"), list({number(10923), number(15999)}), text("nodes"),
            list({node("10.0.0.3", 7003, "master", "failed")})}),
  });
  auto map = slot_map_from_shards(shards, {"10.0.0.9", 7000});
  ASSERT_TRUE(map.has_value()) << map.error().message;
  ASSERT_EQ(map->masters.size(), 2u);
  EXPECT_EQ(map->masters[0].to_string(), "10.0.0.1:7001") << "in address order";
  EXPECT_EQ(map->master_of(0)->to_string(), "10.0.0.2:7002");
  EXPECT_EQ(map->master_of(16383)->to_string(), "10.0.0.1:7001");
  EXPECT_EQ(map->master_of(11000), nullptr) << "a failed master serves nothing";
  EXPECT_FALSE(map->covers_every_slot());
}

TEST(SlotMap, FromClusterSlots) {
  RedisReply slots = list({
      list({number(0), number(8191), list({text(""), number(7001), text("id1")}),
            list({text("127.0.0.1"), number(7004), text("id4")})}),
      list({number(8192), number(16383), list({text("127.0.0.1"), number(7002), text("id2")})}),
  });
  auto map = slot_map_from_slots(slots, {"127.0.0.1", 7002});
  ASSERT_TRUE(map.has_value()) << map.error().message;
  EXPECT_EQ(map->master_of(0)->to_string(), "127.0.0.1:7001") << "an empty ip: the one asked";
  EXPECT_EQ(map->master_of(9000)->to_string(), "127.0.0.1:7002");
  EXPECT_TRUE(map->covers_every_slot());
}

}  // namespace
}  // namespace lexroute
