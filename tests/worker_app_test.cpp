// The worker app's JSON API over real HTTP (cpp-httplib's client) on a dev node: the session
// cookie, the CSRF defence, credentials refused in URLs, protobuf JSON in and out, the offer
// feed as Server-Sent Events. Browser-level behaviour is in tests/browser.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/shared_node.h"
#include "tests/support/staff_view.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using testing::as;

// One dev node for the suite; each test has a pool of its own with ana in it. The tests that
// stop a node start one of their own (own_node()).
class WorkerApp : public testing::SharedNodeTest<WorkerApp> {
 protected:
  WorkerApp() : SharedNodeTest("worker-app-") {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SharedNodeTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(populate());
  }

  // A dev node for this test alone, with what SetUp made.
  void own_node() {
    ASSERT_NO_FATAL_FAILURE(start_own_node());
    ASSERT_NO_FATAL_FAILURE(populate());
  }

  void populate() {
    ASSERT_FALSE(dev->node().http_address().empty());
    v1::UpsertStaffRequest req;
    req.mutable_staff()->set_id("ana");
    req.mutable_staff()->set_display_name("Ana Cruz");
    req.mutable_staff()->set_time_zone("Asia/Manila");
    req.mutable_staff()->set_capacity(2);
    req.mutable_staff()->set_pool(pool);
    auto* skill = req.mutable_staff()->add_skills();
    skill->set_skill("transcription");
    skill->set_proficiency(4);
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    ASSERT_TRUE(dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp).ok());
    token = resp.staff_token();
    http = std::make_unique<httplib::Client>("http://" + dev->node().http_address());
    http->set_read_timeout(10, 0);
  }

  // Signs in; fills `cookie` (name=value) and `csrf`.
  void sign_in() {
    auto res =
        http->Post("/api/v1/sign-in", "{\"staffToken\":\"" + token + "\"}", "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    std::string set_cookie = res->get_header_value("Set-Cookie");
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("Path=/"), std::string::npos) << set_cookie;
    EXPECT_EQ(set_cookie.find(token), std::string::npos) << "the cookie must not carry the token";
    cookie = set_cookie.substr(0, set_cookie.find(';'));
    v1::WebSignInResponse answer;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(res->body, &answer).ok());
    EXPECT_EQ(answer.staff().staff_id(), "ana");
    EXPECT_EQ(answer.staff().time_zone(), "Asia/Manila");
    csrf = answer.csrf_token();
    EXPECT_FALSE(csrf.empty());
  }

  httplib::Result post(const std::string& path, const std::string& body, bool with_csrf = true) {
    httplib::Headers headers{{"Cookie", cookie}};
    if (with_csrf) headers.emplace("X-CSRF-Token", csrf);
    return http->Post(path, headers, body, "application/json");
  }

  std::unique_ptr<httplib::Client> http;
  std::string token, cookie, csrf;
};

TEST_F(WorkerApp, SignInGivesAnHttpOnlyCookieAndActionsNeedTheCsrfToken) {
  sign_in();
  auto refused =
      post("/api/v1/availability", R"({"availability":"AVAILABILITY_AVAILABLE"})", false);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_NE(refused->body.find("\"field\":\"X-CSRF-Token\""), std::string::npos) << refused->body;
  auto beat = post("/api/v1/heartbeat", "");
  ASSERT_TRUE(beat);
  EXPECT_NE(beat->body.find("AVAILABILITY_OFFLINE"), std::string::npos) << "still offline";

  auto set = post("/api/v1/availability", R"({"availability":"AVAILABILITY_AVAILABLE"})");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200) << set->body;
  beat = post("/api/v1/heartbeat", "");
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->status, 200) << beat->body;
  v1::HeartbeatResponse heartbeat;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(beat->body, &heartbeat).ok());
  EXPECT_EQ(heartbeat.availability(), v1::AVAILABILITY_AVAILABLE);
  EXPECT_GT(heartbeat.interval_seconds(), 0);
}

TEST_F(WorkerApp, BadInputNamesTheFieldAndChangesNothing) {
  sign_in();
  auto bad = post("/api/v1/availability", R"({"availability":"AVAILABILITY_UNSPECIFIED"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"field\":\"availability\""), std::string::npos) << bad->body;
  bad = post("/api/v1/tasks/complete", R"({"taskId":"t-1","outcome":"no spaces allowed"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"field\":\"outcome\""), std::string::npos) << bad->body;
  bad = post("/api/v1/offers/accept", "not json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("\"field\":\"body\""), std::string::npos) << bad->body;
  auto unknown = post("/api/v1/offers/accept", R"({"taskId":"nope"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  auto beat = post("/api/v1/heartbeat", "");
  ASSERT_TRUE(beat);
  EXPECT_NE(beat->body.find("AVAILABILITY_OFFLINE"), std::string::npos) << beat->body;
}

TEST_F(WorkerApp, TheTokenIsRefusedInAUrlAndAWrongOneGetsNoSession) {
  auto in_url = http->Get("/api/v1/me?token=" + token);
  ASSERT_TRUE(in_url);
  EXPECT_EQ(in_url->status, 400);
  EXPECT_NE(in_url->body.find("\"field\":\"token\""), std::string::npos) << in_url->body;
  auto wrong = http->Post("/api/v1/sign-in", R"({"staffToken":"lxs_wrong"})", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  auto form =
      http->Post("/api/v1/sign-in", "staffToken=" + token, "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415) << "a cross-site form cannot sign anyone in";
  auto me = http->Get("/api/v1/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
}

TEST_F(WorkerApp, SignOutEndsTheSessionAndANewTokenEndsOldSessions) {
  sign_in();
  auto me = http->Get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  auto out = post("/api/v1/sign-out", "");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  me = http->Get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);

  sign_in();
  v1::UpsertStaffRequest reissue;
  reissue.mutable_staff()->set_id("ana");
  reissue.mutable_staff()->set_time_zone("Asia/Manila");
  reissue.mutable_staff()->set_capacity(2);
  reissue.mutable_staff()->set_pool(pool);
  reissue.set_issue_token(true);
  v1::UpsertStaffResponse resp;
  ASSERT_TRUE(dev->admin()->UpsertStaff(as(dev->admin_key()).get(), reissue, &resp).ok());
  me = http->Get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401) << "the old token's sessions ended with it";
}

TEST_F(WorkerApp, ThePageIsServedWithAStrictContentSecurityPolicy) {
  auto page = http->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  auto script = http->Get("/app.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto missing = http->Get("/secrets.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

// Every JSON body and feed event the worker app's door sends a staff member, read strictly as
// its message (an unknown field fails the read) and walked field by field: nothing beyond the
// staff view (tests/support/staff_view.h), though another staff member turned the task down with
// a reason first.
TEST_F(WorkerApp, EveryAnswerAndFeedEventCarriesOnlyTheStaffView) {
  const std::string firm = "app-" + pool;
  std::string firm_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), firm, &firm_key));
  v1::UpsertStaffRequest bob;
  bob.mutable_staff()->set_id("bob");
  bob.mutable_staff()->set_time_zone("Europe/Belfast");
  bob.mutable_staff()->set_capacity(2);
  bob.mutable_staff()->set_pool(pool);
  auto* skill = bob.mutable_staff()->add_skills();
  skill->set_skill("transcription");
  skill->set_proficiency(4);
  bob.set_issue_token(true);
  v1::UpsertStaffResponse added;
  ASSERT_TRUE(dev->admin()->UpsertStaff(as(dev->admin_key()).get(), bob, &added).ok());
  const std::string reason = "conflict: I once worked for Globex";
  size_t bodies_checked = 0;
  auto expect_staff_view = [&](const std::string& body, google::protobuf::Message&& answer,
                               const std::string& what) {
    auto read = google::protobuf::util::JsonStringToMessage(body, &answer);
    ASSERT_TRUE(read.ok()) << what << ": " << read.message() << " in " << body;
    EXPECT_EQ(testing::fields_beyond_staff_view(answer), std::vector<std::string>{}) << what;
    for (const std::string& other : {firm, std::string("bob"), std::string("Globex")}) {
      EXPECT_EQ(body.find(other), std::string::npos) << what << " shows " << other << ": " << body;
    }
    ++bodies_checked;
  };

  ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), added.staff_token()));
  testing::OfferStream bobs_offers(*dev->gateway(), added.staff_token());
  v1::SubmitTaskRequest submit;
  auto* spec = submit.mutable_spec();
  spec->set_matter_id("m-view");
  spec->set_pool(pool);
  spec->set_kind(v1::TASK_KIND_TRANSCRIPTION);
  spec->set_priority(4);
  spec->set_effort_minutes(15);
  spec->set_title("Deposition audio, day 2");
  *spec->mutable_deadline() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                              google::protobuf::util::TimeUtil::HoursToDuration(24);
  spec->set_payload_ref("https://dms.example/m-view/audio/2");
  spec->add_parties("Globex");
  auto* needs = spec->add_required_skills();
  needs->set_skill("transcription");
  needs->set_min_proficiency(3);
  v1::SubmitTaskResponse submitted;
  auto status = dev->intake()->SubmitTask(as(firm_key).get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto bobs = bobs_offers.next(60s);
  ASSERT_TRUE(bobs && bobs->has_offered()) << "no offer reached bob";
  v1::OfferActionRequest reject;
  reject.set_task_id(submitted.task_id());
  reject.set_reason(reason);
  v1::OfferActionResponse rejected;
  status = dev->gateway()->RejectOffer(as(added.staff_token()).get(), reject, &rejected);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // Ana, in the app.
  auto signed_in =
      http->Post("/api/v1/sign-in", "{\"staffToken\":\"" + token + "\"}", "application/json");
  ASSERT_TRUE(signed_in);
  ASSERT_EQ(signed_in->status, 200) << signed_in->body;
  expect_staff_view(signed_in->body, v1::WebSignInResponse(), "sign-in");
  std::string set_cookie = signed_in->get_header_value("Set-Cookie");
  cookie = set_cookie.substr(0, set_cookie.find(';'));
  v1::WebSignInResponse web;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(signed_in->body, &web).ok());
  csrf = web.csrf_token();
  auto me = http->Get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  expect_staff_view(me->body, v1::SignInResponse(), "me");
  auto set = post("/api/v1/availability", R"({"availability":"AVAILABILITY_AVAILABLE"})");
  ASSERT_TRUE(set);
  expect_staff_view(set->body, v1::SetAvailabilityResponse(), "availability");
  auto beat = post("/api/v1/heartbeat", "");
  ASSERT_TRUE(beat);
  expect_staff_view(beat->body, v1::HeartbeatResponse(), "heartbeat");

  std::mutex mutex;
  std::string received;
  std::atomic<bool> done{false};
  auto seen = [&](const std::string& text) {
    std::lock_guard lock(mutex);
    return received.find(text) != std::string::npos;
  };
  std::thread reader([&, address = dev->node().http_address(), with = cookie] {
    httplib::Client feed("http://" + address);
    feed.set_read_timeout(60, 0);
    feed.Get("/api/v1/offers/stream", {{"Cookie", with}}, [&](const char* data, size_t size) {
      std::lock_guard lock(mutex);
      received.append(data, size);
      return !done.load();
    });
  });
  struct Join {
    std::thread& thread;
    std::atomic<bool>& done;
    ~Join() {
      done = true;
      thread.join();
    }
  } join{reader, done};
  std::string offered = "\"offered\":{\"taskId\":\"" + submitted.task_id() + "\"";
  ASSERT_TRUE(testing::eventually([&] { return seen(offered); }, 60s)) << received;

  auto accepted = post("/api/v1/offers/accept", "{\"taskId\":\"" + submitted.task_id() + "\"}");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  expect_staff_view(accepted->body, v1::OfferActionResponse(), "accept");
  auto wrong = post("/api/v1/tasks/complete",
                    "{\"taskId\":\"" + submitted.task_id() + "\",\"outcome\":\"responsive\"}");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 400) << wrong->body;
  EXPECT_NE(wrong->body.find("\"field\":\"outcome\""), std::string::npos) << wrong->body;
  EXPECT_NE(wrong->body.find("allowed: done"), std::string::npos) << wrong->body;
  auto completed = post("/api/v1/tasks/complete",
                        "{\"taskId\":\"" + submitted.task_id() + "\",\"outcome\":\"done\"}");
  ASSERT_TRUE(completed);
  ASSERT_EQ(completed->status, 200) << completed->body;
  expect_staff_view(completed->body, v1::OfferActionResponse(), "complete");
  v1::OfferActionResponse work;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(completed->body, &work).ok());
  EXPECT_EQ(work.work().title(), "Deposition audio, day 2");
  EXPECT_EQ(work.work().outcome(), "done");
  EXPECT_EQ(std::vector<std::string>(work.work().allowed_outcomes().begin(),
                                     work.work().allowed_outcomes().end()),
            std::vector<std::string>{"done"});

  std::string events;
  {
    std::lock_guard lock(mutex);
    events = received;
  }
  std::istringstream lines(events);
  size_t event_count = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("data: ") || line == "data: {}") continue;
    expect_staff_view(line.substr(6), v1::OfferEvent(), "feed event " + line);
    ++event_count;
  }
  EXPECT_GE(event_count, 1u);
  EXPECT_EQ(bodies_checked, 6 + event_count);
}

TEST_F(WorkerApp, TheOfferFeedSendsOffersWithTheirExpiryAndEndsWhenTheNodeStops) {
  ASSERT_NO_FATAL_FAILURE(own_node());
  std::string acme_key;
  ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &acme_key));
  sign_in();
  auto set = post("/api/v1/availability", R"({"availability":"AVAILABILITY_AVAILABLE"})");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;

  std::mutex mutex;
  std::string received;
  auto seen = [&](const std::string& text) {
    std::lock_guard lock(mutex);
    return received.find(text) != std::string::npos;
  };
  std::thread reader([&] {
    httplib::Client feed("http://" + dev->node().http_address());
    feed.set_read_timeout(120, 0);
    feed.Get("/api/v1/offers/stream", {{"Cookie", cookie}}, [&](const char* data, size_t size) {
      std::lock_guard lock(mutex);
      received.append(data, size);
      return true;
    });
  });
  EXPECT_TRUE(testing::eventually([&] { return seen("event: synced"); }, 10s));

  v1::SubmitTaskRequest submit;
  auto* spec = submit.mutable_spec();
  spec->set_matter_id("m-1");
  spec->set_pool(pool);
  spec->set_kind(v1::TASK_KIND_TRANSCRIPTION);
  spec->set_priority(3);
  spec->set_effort_minutes(15);
  *spec->mutable_deadline() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                              google::protobuf::util::TimeUtil::HoursToDuration(24);
  spec->set_payload_ref("https://dms.acme.example/m-1/audio/3");
  auto* skill = spec->add_required_skills();
  skill->set_skill("transcription");
  skill->set_min_proficiency(3);
  v1::SubmitTaskResponse submitted;
  auto status = dev->intake()->SubmitTask(as(acme_key).get(), submit, &submitted);
  EXPECT_TRUE(status.ok()) << status.error_message();
  // The first consumer-group join of the embedded Kafka takes a few seconds.
  std::string offer = "data: {\"offered\":{\"taskId\":\"" + submitted.task_id() + "\"";
  EXPECT_TRUE(testing::eventually([&] { return seen(offer); }, 60s)) << received;
  EXPECT_TRUE(seen("\"expiresAt\":\"")) << received;
  EXPECT_TRUE(seen("\"kind\":\"TASK_KIND_TRANSCRIPTION\"")) << received;

  auto started = std::chrono::steady_clock::now();
  dev->node().stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "an open feed held up the stop";
}

TEST_F(WorkerApp, AnOpenFeedEndsSoonAfterItsSessionEnds) {
  ASSERT_NO_FATAL_FAILURE(own_node());
  sign_in();
  std::atomic<bool> synced{false}, ended{false};
  std::thread reader([&] {
    httplib::Client feed("http://" + dev->node().http_address());
    feed.set_read_timeout(120, 0);
    feed.Get("/api/v1/offers/stream", {{"Cookie", cookie}}, [&](const char* data, size_t size) {
      if (std::string_view(data, size).find("event: synced") != std::string_view::npos) {
        synced = true;
      }
      return true;
    });
    ended = true;
  });
  EXPECT_TRUE(testing::eventually([&] { return synced.load(); }, 30s));
  auto out = post("/api/v1/sign-out", "");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  auto signed_out = std::chrono::steady_clock::now();
  while (!ended && std::chrono::steady_clock::now() - signed_out < 60s) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(ended.load()) << "the feed outlived its session by a minute";
  EXPECT_LT(std::chrono::steady_clock::now() - signed_out, 30s);
  dev->node().stop();
  reader.join();
}

}  // namespace
}  // namespace lexroute
