#include "services/redis/script_calls.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>

#include "services/redis/keys.h"
#include "services/redis/scripts.h"

namespace lexroute::script_calls {
namespace {

// How many KEYS and ARGV a script's comment header lists: the highest number in its
// "-- KEYS:" and "-- ARGV:" paragraphs (each runs on over the indented comment lines after it).
struct Header {
  size_t keys = 0, args = 0;
};

size_t highest_listed(const std::string& body, const std::string& label) {
  const size_t start = body.find("\n-- " + label + ":");
  if (start == std::string::npos) return 0;
  size_t end = body.find('\n', start + 1);
  while (end != std::string::npos && body.compare(end + 1, 6, "--    ") == 0) {
    end = body.find('\n', end + 1);
  }
  const std::string paragraph = body.substr(start, end - start);
  static const std::regex kNumbered(R"((?:: |, |--\s+)(\d+) )");
  size_t highest = 0;
  for (auto it = std::sregex_iterator(paragraph.begin(), paragraph.end(), kNumbered);
       it != std::sregex_iterator(); ++it) {
    highest = std::max<size_t>(highest, std::stoul((*it)[1]));
  }
  return highest;
}

Header header_of(const RedisScript& script) {
  const std::string body(script.body());
  return {highest_listed(body, "KEYS"), highest_listed(body, "ARGV")};
}

void expect_matches_header(const RedisClient::ScriptRun& run) {
  ASSERT_NE(run.script, nullptr);
  const Header header = header_of(*run.script);
  ASSERT_GT(header.keys, 0u) << run.script->name() << ": no KEYS in its header";
  EXPECT_EQ(run.keys.size(), header.keys) << run.script->name();
  EXPECT_EQ(run.args.size(), header.args) << run.script->name();
  EXPECT_TRUE(run.reads.empty()) << run.script->name();
}

TEST(ScriptCallsTest, EveryCallPassesAsManyKeysAndArgumentsAsItsScriptsHeaderLists) {
  expect_matches_header(script_run(ClaimIdempotencyKey{}));
  expect_matches_header(script_run(RecordQueued{}));
  expect_matches_header(script_run(RouteTask{}));
  expect_matches_header(script_run(AcceptOffer{}));
  expect_matches_header(script_run(CompleteTask{}));
  expect_matches_header(script_run(RejectOffer{}));
  expect_matches_header(script_run(CancelTask{}));
  expect_matches_header(script_run(ExpireOffer{}));
  expect_matches_header(script_run(PassDeadline{}));
  expect_matches_header(script_run(TakeBackWork{}));
  expect_matches_header(script_run(Heartbeat{}));
  expect_matches_header(script_run(SetAvailability{}));
  expect_matches_header(script_run(LapsePresence{}));
  expect_matches_header(script_run(CallIn{}));
  expect_matches_header(script_run(RenewLease{}));
}

TEST(ScriptCallsTest, TheHeaderCountReadsEveryNumberedEntryAcrossContinuationLines) {
  // route_task.lua's header is the longest: 13 keys and 19 arguments over several lines.
  const Header route = header_of(scripts::route_task());
  EXPECT_EQ(route.keys, 13u);
  EXPECT_EQ(route.args, 19u);
}

// The holder's keys follow the holder as the caller read it: a script names every key it
// touches up front (Redis Cluster), so a wrong holder here would move another person's load.
TEST(ScriptCallsTest, TakeBackNamesTheHoldersKeysAndTheStatusItMustStillHave) {
  auto run = script_run(TakeBackWork{.pool = "p",
                                     .task_id = "t-1",
                                     .holder = "ana",
                                     .now_ms = 5,
                                     .reason = "away",
                                     .waiting_score = 7,
                                     .expected = v1::TASK_STATUS_ACCEPTED,
                                     .lapsed_cutoff_ms = 3});
  ASSERT_EQ(run.keys.size(), 9u);
  EXPECT_EQ(run.keys[0], keys::task("p", "t-1"));
  EXPECT_EQ(run.keys[4], keys::offers("p", "ana"));
  EXPECT_EQ(run.keys[5], keys::accepted("p", "ana"));
  EXPECT_EQ(run.keys[8], keys::lapsed("p"));
  ASSERT_EQ(run.args.size(), 9u);
  EXPECT_EQ(run.args[1], "ana");
  EXPECT_EQ(run.args[4], keys::staff_channel("p", "ana"));
  EXPECT_EQ(run.args[6], "7");
  EXPECT_EQ(run.args[7], "ACCEPTED");
  EXPECT_EQ(run.args[8], "3");
  EXPECT_EQ(script_run(TakeBackWork{.pool = "p"}).args[8], "") << "no cutoff: empty";
}

TEST(ScriptCallsTest, RouteParksAsTheStatusAskedAndPassesNoStoredOffsetAsEmpty) {
  auto run = script_run(RouteTask{.pool = "p",
                                  .task_id = "t-1",
                                  .parked_as = v1::TASK_STATUS_UNROUTABLE,
                                  .expire_at_deadline = true});
  EXPECT_EQ(run.keys[7], keys::offers("p", "")) << "no candidate";
  EXPECT_EQ(run.args[9], "UNROUTABLE");
  EXPECT_EQ(run.args[17], "1");
  EXPECT_EQ(run.args[18], "");
  EXPECT_EQ(script_run(RouteTask{.last_stored_offset = 41}).args[18], "41");
}

}  // namespace
}  // namespace lexroute::script_calls
