// PoolViews on a fake roster source and fake change signals: what a lookup writes (nothing),
// and which staff states a refresh reads.
#include "services/router/pool_views.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "services/redis/keys.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_roster_source.h"

namespace lexroute {
namespace {

using testing::FakeChangeSignals;
using testing::FakeRosterSource;

v1::Staff staff_of(const std::string& pool, const std::string& id) {
  v1::Staff s;
  s.set_id(id);
  s.set_pool(pool);
  s.set_capacity(3);
  auto* skill = s.add_skills();
  skill->set_skill("doc-review");
  skill->set_proficiency(3);
  return s;
}

class PoolViewsTest : public ::testing::Test {
 protected:
  bool listed(const std::string& pool) {
    auto names = roster.pools().value();
    return std::find(names.begin(), names.end(), pool) != names.end();
  }
  int load_in_view(const std::string& pool, const std::string& id) {
    const PoolViews::View* view = views.pool(pool);
    const StaffState* state = view ? view->directory.state(id) : nullptr;
    return state ? state->load : -1;
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'796'000'000))};
  FakeRosterSource roster;
  FakeChangeSignals signals;
  PoolViews views{roster, signals, clock};
};

TEST_F(PoolViewsTest, LookingUpAPoolWithoutAViewWritesNothing) {
  EXPECT_EQ(views.pool("p9"), nullptr);
  EXPECT_TRUE(views.all().empty());
  EXPECT_FALSE(listed("p9"));

  views.open("p9");
  EXPECT_NE(views.pool("p9"), nullptr);
  EXPECT_TRUE(listed("p9")) << "a pool the router routes for is listed, so its offsets are found";
}

TEST_F(PoolViewsTest, ARefreshReadsOnlyTheStaffNamedInWakeMessages) {
  roster.upsert(staff_of("p1", "ana"));
  roster.upsert(staff_of("p1", "raj"));
  ASSERT_TRUE(views.refresh_roster(true));
  ASSERT_TRUE(views.refresh_states());  // the first read of a fresh roster is whole
  ASSERT_EQ(load_in_view("p1", "ana"), 0);

  roster.set_state("p1", "ana", {Availability::kAvailable, 2});
  roster.set_state("p1", "raj", {Availability::kAvailable, 1});
  signals.announce(keys::wake_channel("p1"), "load ana");
  ASSERT_TRUE(views.refresh_states());

  EXPECT_EQ(load_in_view("p1", "ana"), 2);
  EXPECT_EQ(load_in_view("p1", "raj"), 0) << "no message named raj";
  ASSERT_TRUE(views.refresh_states(/*force_full=*/true));
  EXPECT_EQ(load_in_view("p1", "raj"), 1);
}

TEST_F(PoolViewsTest, AfterLostWritesEveryPoolIsReadAgain) {
  roster.upsert(staff_of("p1", "ana"));
  ASSERT_TRUE(views.refresh_roster(true));
  ASSERT_TRUE(views.refresh_states());
  roster.set_state("p1", "ana", {Availability::kAvailable, 2});

  views.read_everything_again();
  ASSERT_TRUE(views.refresh_states());

  EXPECT_EQ(load_in_view("p1", "ana"), 2);
}

}  // namespace
}  // namespace lexroute
