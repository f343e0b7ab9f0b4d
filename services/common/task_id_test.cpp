#include "services/common/task_id.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

TEST(TaskId, CarriesItsPool) {
  std::string id = new_task_id(1'800'000'000'000, "surge-7");
  EXPECT_EQ(pool_of_task(id), "surge-7");
  EXPECT_EQ(id.substr(0, 12), "01a3185c5000");
}

TEST(TaskId, ForeignIdsHaveNoPool) {
  EXPECT_EQ(pool_of_task(""), std::nullopt);
  EXPECT_EQ(pool_of_task("not-a-task@default"), std::nullopt);
  EXPECT_EQ(pool_of_task("01a3185c5000-0123456789abcdef@bad/pool"), std::nullopt);
  EXPECT_EQ(pool_of_task("01a3185c5000-0123456789abcdeg@default"), std::nullopt);
}

}  // namespace
}  // namespace lexroute
