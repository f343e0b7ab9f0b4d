#include "router/staff_directory.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

StaffProfile reviewer(std::string id, int review_level, int capacity = 2) {
  return StaffProfile{std::move(id), "default", capacity, {{"doc-review", review_level}}};
}

TaskRequirements review_task(int min_level) {
  return TaskRequirements{"default", {{"doc-review", min_level}}, {}};
}

class StaffDirectoryTest : public ::testing::Test {
 protected:
  void add(StaffProfile p, StaffState s = {Availability::kAvailable, 0}) {
    std::string id = p.id;
    dir.upsert(std::move(p));
    dir.set_state(id, s);
  }
  StaffDirectory dir;
};

TEST_F(StaffDirectoryTest, SkillBelowMinimumIsNotACandidate) {
  add(reviewer("ana", 2));
  add(reviewer("raj", 3));
  EXPECT_EQ(dir.candidates(review_task(3), 10), std::vector<std::string>{"raj"});
}

TEST_F(StaffDirectoryTest, MissingSkillIsNotACandidate) {
  add(StaffProfile{"tom", "default", 2, {{"transcription", 5}}});
  EXPECT_TRUE(dir.candidates(review_task(1), 10).empty());
}

TEST_F(StaffDirectoryTest, EveryRequiredSkillMustBeMet) {
  add(StaffProfile{"both", "default", 2, {{"doc-review", 3}, {"privilege", 4}}});
  add(StaffProfile{"one", "default", 2, {{"doc-review", 5}}});
  TaskRequirements task{"default", {{"doc-review", 3}, {"privilege", 2}}, {}};
  EXPECT_EQ(dir.candidates(task, 10), std::vector<std::string>{"both"});
}

TEST_F(StaffDirectoryTest, OfflineOnBreakAndFullStaffAreSkipped) {
  add(reviewer("off", 5), {Availability::kOffline, 0});
  add(reviewer("break", 5), {Availability::kOnBreak, 0});
  add(reviewer("full", 5, 2), {Availability::kAvailable, 2});
  add(reviewer("free", 5, 2), {Availability::kAvailable, 1});
  EXPECT_EQ(dir.candidates(review_task(1), 10), std::vector<std::string>{"free"});
}

TEST_F(StaffDirectoryTest, OtherPoolAndExcludedStaffAreSkipped) {
  add(StaffProfile{"elsewhere", "surge", 2, {{"doc-review", 5}}});
  add(reviewer("rejected", 5));
  add(reviewer("ok", 5));
  TaskRequirements task = review_task(1);
  task.excluded_staff.insert("rejected");
  EXPECT_EQ(dir.candidates(task, 10), std::vector<std::string>{"ok"});
}

TEST_F(StaffDirectoryTest, LeastLoadedThenLeastOverQualifiedFirst) {
  add(reviewer("busy-junior", 2, 4), {Availability::kAvailable, 2});
  add(reviewer("idle-senior", 5, 4), {Availability::kAvailable, 0});
  add(reviewer("idle-junior", 2, 4), {Availability::kAvailable, 0});
  EXPECT_EQ(dir.candidates(review_task(2), 10),
            (std::vector<std::string>{"idle-junior", "idle-senior", "busy-junior"}));
}

TEST_F(StaffDirectoryTest, LimitCutsTheList) {
  for (int i = 0; i < 20; ++i) add(reviewer("s" + std::to_string(i), 3));
  EXPECT_EQ(dir.candidates(review_task(1), 5).size(), 5u);
}

TEST_F(StaffDirectoryTest, QualifiedCountIgnoresStateButNotSkills) {
  add(reviewer("off", 4), {Availability::kOffline, 0});
  add(reviewer("full", 4, 1), {Availability::kAvailable, 1});
  add(reviewer("junior", 1));
  EXPECT_EQ(dir.count_qualified(review_task(3)), 2u);
  EXPECT_TRUE(dir.candidates(review_task(3), 10).empty());
  EXPECT_TRUE(dir.anyone_has_room()) << "junior has room";
}

TEST_F(StaffDirectoryTest, EligibleAgreesWithCandidates) {
  add(reviewer("a", 3), {Availability::kAvailable, 2});
  add(reviewer("b", 3), {Availability::kAvailable, 1});
  EXPECT_FALSE(dir.eligible("a", review_task(1)));
  EXPECT_TRUE(dir.eligible("b", review_task(1)));
  EXPECT_FALSE(dir.eligible("nobody", review_task(1)));
}

}  // namespace
}  // namespace lexroute
