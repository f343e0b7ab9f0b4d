#include "services/gateway/web_door_limits.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

using Ids = std::vector<WebDoorLimits::Connection>;

TEST(WebDoorLimits, AnonymousConnectionsAreBoundedTheOldestGoingFirst) {
  WebDoorLimits limits({.connections = 100, .anonymous = 3});
  for (WebDoorLimits::Connection id = 1; id <= 3; ++id) {
    auto admission = limits.admit(id);
    EXPECT_TRUE(admission.admitted);
    EXPECT_FALSE(admission.evict.has_value());
  }
  auto fourth = limits.admit(4);
  EXPECT_TRUE(fourth.admitted);
  EXPECT_EQ(fourth.evict, 1u);
  EXPECT_EQ(limits.anonymous(), 3u);
  EXPECT_EQ(limits.connections(), 3u);
}

TEST(WebDoorLimits, AFullDoorEvictsStrangersThenIdleSignedInConnectionsNeverFeeds) {
  WebDoorLimits limits({.connections = 3, .anonymous = 3});
  for (WebDoorLimits::Connection id : {1, 2, 3}) limits.admit(id);
  limits.request_in(1);
  limits.request_out(1, true);  // signed in, idle between requests
  limits.request_in(2);
  EXPECT_EQ(limits.open_feed(2, "s2", "raj"), Ids{});  // a page's feed
  // Full: the stranger on 3 goes first.
  EXPECT_EQ(limits.admit(4).evict, 3u);
  limits.request_in(4);  // its request is being answered
  // No stranger waits: the idle signed-in connection goes (its page opens another).
  EXPECT_EQ(limits.admit(5).evict, 1u);
  limits.request_in(5);
  // Full of a feed and requests being answered: a newcomer is refused, nobody evicted.
  auto refused = limits.admit(6);
  EXPECT_FALSE(refused.admitted);
  EXPECT_FALSE(refused.evict.has_value());
  EXPECT_EQ(limits.connections(), 3u);
  limits.closed(4);
  EXPECT_TRUE(limits.admit(7).admitted);
}

TEST(WebDoorLimits, AConnectionWhoseRequestIsBeingAnsweredIsNeverEvicted) {
  WebDoorLimits limits({.connections = 100, .anonymous = 2});
  limits.admit(1);
  limits.admit(2);
  limits.request_in(1);  // a sign-in, waiting on Redis
  // Strangers come and go; the sign-in in progress stays.
  EXPECT_EQ(limits.admit(3).evict, std::nullopt);
  EXPECT_EQ(limits.admit(4).evict, 2u);
  EXPECT_EQ(limits.admit(5).evict, 3u);
  // Answered but not signed in (a wrong token): anonymous again, as the newest.
  limits.request_out(1, false);
  EXPECT_EQ(limits.admit(6).evict, 4u);
  EXPECT_EQ(limits.admit(7).evict, 5u);
  EXPECT_EQ(limits.admit(8).evict, 1u);
}

TEST(WebDoorLimits, ANewFeedOfTheSameSessionReplacesTheOlder) {
  WebDoorLimits limits({.feeds_per_session = 1, .feeds_per_staff = 4});
  for (WebDoorLimits::Connection id = 1; id <= 3; ++id) limits.admit(id);
  EXPECT_EQ(limits.open_feed(1, "s1", "ana"), Ids{});
  EXPECT_EQ(limits.open_feed(2, "s2", "raj"), Ids{});
  EXPECT_EQ(limits.open_feed(3, "s1", "ana"), Ids{1});
  EXPECT_EQ(limits.feeds(), 2u);
}

TEST(WebDoorLimits, AStaffMemberHoldsAtMostTheirShareOfFeedsTheOldestGoing) {
  WebDoorLimits limits({.feeds_per_session = 1, .feeds_per_staff = 2});
  for (WebDoorLimits::Connection id = 1; id <= 5; ++id) limits.admit(id);
  EXPECT_EQ(limits.open_feed(1, "s1", "ana"), Ids{});
  EXPECT_EQ(limits.open_feed(2, "s2", "ana"), Ids{});
  EXPECT_EQ(limits.open_feed(3, "s9", "raj"), Ids{});
  EXPECT_EQ(limits.open_feed(4, "s3", "ana"), Ids{1});
  EXPECT_EQ(limits.open_feed(5, "s4", "ana"), Ids{2});
  EXPECT_EQ(limits.feeds(), 3u);  // raj's untouched
  limits.closed(4);
  limits.closed(5);
  EXPECT_EQ(limits.feeds(), 1u);
}

}  // namespace
}  // namespace lexroute
