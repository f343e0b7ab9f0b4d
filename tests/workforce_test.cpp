// The workforce in bulk through the Admin API: roster import with a result per row, ethical walls
// per matter, vendors, pool status. Real gRPC, real redis-server, embedded Kafka.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/support/builders.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

class Workforce : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = std::make_unique<testing::DevNode>(dir.str() + "/data");
    ASSERT_NE(&dev->node(), nullptr);
  }

  v1::ImportRosterResponse import(const std::string& csv, bool dry_run = false) {
    v1::ImportRosterRequest req;
    req.set_format(v1::ROSTER_FORMAT_CSV);
    req.set_content(csv);
    req.set_issue_tokens(true);
    req.set_dry_run(dry_run);
    v1::ImportRosterResponse resp;
    auto st = dev->admin()->ImportRoster(as(dev->admin_key()).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  v1::PoolState pool_state() {
    v1::PoolStatusRequest req;
    req.set_pool("default");
    v1::PoolStatusResponse resp;
    auto st = dev->admin()->PoolStatus(as(dev->admin_key()).get(), req, &resp);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND) return {};  // nobody in it yet
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.pools_size() == 1 ? resp.pools(0) : v1::PoolState{};
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
};

const char* kRoster =
    "id,display_name,vendor,time_zone,region,capacity,skills,shifts\n"
    "mnl-ana,\"Cruz, Ana\",manila-lpo,Asia/Manila,apac,2,doc-review:4,\n"
    "mnl-ben,Ben Santos,manila-lpo,Mars/Olympus,apac,2,doc-review:3,\n"
    "mnl-ana,Ana again,manila-lpo,Asia/Manila,apac,2,doc-review:4,\n"
    "bfs-aoife,Aoife Byrne,belfast-lpo,Europe/Belfast,uk,2,doc-review:3,MON 09:00-17:00\n"
    "bfs-cian,Cian,belfast-lpo,Europe/Belfast,uk,lots,doc-review:3,\n";

TEST_F(Workforce, ARosterImportReportsEveryRefusedRowAndSavesTheRestWhole) {
  auto dry = import(kRoster, /*dry_run=*/true);
  EXPECT_EQ(dry.imported(), 2);
  EXPECT_EQ(pool_state().members(), 0) << "a dry run saves nothing";

  auto resp = import(kRoster);
  EXPECT_EQ(resp.imported(), 2);
  EXPECT_EQ(resp.failed(), 3);
  ASSERT_EQ(resp.rows_size(), 5);
  EXPECT_TRUE(resp.rows(0).imported());
  EXPECT_FALSE(resp.rows(0).staff_token().empty());
  EXPECT_FALSE(resp.rows(1).imported());
  EXPECT_EQ(resp.rows(1).row(), 3);
  EXPECT_NE(resp.rows(1).error().find("Mars/Olympus"), std::string::npos) << resp.rows(1).error();
  EXPECT_NE(resp.rows(2).error().find("already appears on line 2"), std::string::npos);
  EXPECT_TRUE(resp.rows(3).imported());
  EXPECT_EQ(resp.rows(4).field(), "capacity");
  EXPECT_EQ(pool_state().members(), 2) << "only the good rows are in the roster";

  // The imported token works at the gateway.
  v1::SignInResponse me;
  ASSERT_TRUE(
      dev->gateway()->SignIn(as(resp.rows(0).staff_token()).get(), v1::SignInRequest{}, &me).ok());
  EXPECT_EQ(me.display_name(), "Cruz, Ana");
}

TEST_F(Workforce, AMatterWallKeepsWalledStaffOffThatMatterOnly) {
  auto roster = import(kRoster);
  ASSERT_EQ(roster.imported(), 2);
  v1::AddMatterWallRequest wall;
  wall.set_firm_id("acme");
  wall.set_matter_id("acme-v-globex");
  wall.add_staff_ids("mnl-ana");
  wall.add_staff_ids("nobody");
  wall.set_reason("worked for globex");
  v1::AddMatterWallResponse walled;
  auto st = dev->admin()->AddMatterWall(as(dev->admin_key()).get(), wall, &walled);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("nobody"), std::string::npos);
  wall.clear_staff_ids();
  wall.add_staff_ids("mnl-ana");
  ASSERT_TRUE(dev->admin()->AddMatterWall(as(dev->admin_key()).get(), wall, &walled).ok());
  EXPECT_EQ(walled.staff_walled(), 1);

  // ana signs in; aoife (weekday shifts) is off shift or on: either way ana never gets the matter.
  ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), roster.rows(0).staff_token()));
  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &acme_key));
  auto submit = [&](const std::string& matter) {
    auto r = testing::review_task({.matter = matter, .document = "1"});
    r.mutable_spec()->add_allowed_regions("apac");  // ana is the only apac reviewer
    v1::SubmitTaskResponse resp;
    EXPECT_TRUE(dev->intake()->SubmitTask(as(acme_key).get(), r, &resp).ok());
    return resp.task_id();
  };
  auto wait_for = [&](const std::string& id, v1::TaskStatus status) {
    v1::Task t;
    for (int i = 0; i < 200; ++i) {
      v1::GetTaskRequest g;
      g.set_task_id(id);
      if (dev->intake()->GetTask(as(acme_key).get(), g, &t).ok() && t.status() == status) {
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    return t;
  };
  auto walled_off = wait_for(submit("acme-v-globex"), v1::TASK_STATUS_UNROUTABLE);
  EXPECT_EQ(walled_off.status(), v1::TASK_STATUS_UNROUTABLE);
  EXPECT_NE(walled_off.history().rbegin()->reason().find("ethical"), std::string::npos)
      << walled_off.history().rbegin()->reason();
  auto other = wait_for(submit("acme-v-initech"), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(other.status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(other.staff_id(), "mnl-ana");
}

TEST_F(Workforce, VendorsAreListedAndBadOnesRefused) {
  v1::UpsertVendorRequest req;
  req.mutable_vendor()->set_id("manila-lpo");
  req.mutable_vendor()->set_display_name("Manila LPO Inc.");
  req.mutable_vendor()->set_contact("ops@manila-lpo.example");
  v1::Vendor saved;
  ASSERT_TRUE(dev->admin()->UpsertVendor(as(dev->admin_key()).get(), req, &saved).ok());
  req.mutable_vendor()->set_id("bad id!");
  auto st = dev->admin()->UpsertVendor(as(dev->admin_key()).get(), req, &saved);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListVendorsResponse list;
  ASSERT_TRUE(
      dev->admin()->ListVendors(as(dev->admin_key()).get(), v1::ListVendorsRequest{}, &list).ok());
  ASSERT_EQ(list.vendors_size(), 1);
  EXPECT_EQ(list.vendors(0).contact(), "ops@manila-lpo.example");
}

}  // namespace
}  // namespace lexroute
