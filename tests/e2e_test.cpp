// The whole slice through the public gRPC API: a firm submits, the router offers, a staff member
// accepts and completes, the firm sees every step. Real redis-server, embedded Kafka, real gRPC.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>

#include "services/kafka/consumer.h"
#include "services/kafka/topics.h"
#include "services/redis/audit_outbox.h"
#include "tests/support/builders.h"
#include "tests/support/dev_node.h"
#include "tests/support/eventually.h"
#include "tests/support/shared_node.h"
#include "tests/support/staff_view.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::TimeUtil;
using testing::as;

// One dev node for the suite; each test has a pool of its own with ana and raj in it. The few
// tests that stop a node start one of their own (own_node()).
class EndToEnd : public testing::SharedNodeTest<EndToEnd> {
 protected:
  EndToEnd() : SharedNodeTest("e2e-") {}

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SharedNodeTest::SetUp());
    if (shared_firm_keys.empty()) {
      ASSERT_NO_FATAL_FAILURE(create_firms());
      shared_firm_keys = {acme_key, globex_key};
    }
    acme_key = shared_firm_keys[0];
    globex_key = shared_firm_keys[1];
    ASSERT_NO_FATAL_FAILURE(add_ana_and_raj());
  }

  // A dev node for this test alone, with the firms and staff SetUp made.
  void own_node() {
    ASSERT_NO_FATAL_FAILURE(start_own_node());
    ASSERT_NO_FATAL_FAILURE(create_firms());
    ASSERT_NO_FATAL_FAILURE(add_ana_and_raj());
  }

  void create_firms() {
    ASSERT_NO_FATAL_FAILURE(acme_key = create_firm("acme"));
    ASSERT_NO_FATAL_FAILURE(globex_key = create_firm("globex"));
  }

  void add_ana_and_raj() {
    ASSERT_NO_FATAL_FAILURE(ana_token = add_staff("ana", "Asia/Manila", {{"doc-review", 4}}, 2));
    ASSERT_NO_FATAL_FAILURE(raj_token =
                                add_staff("raj", "Asia/Kolkata", {{"transcription", 5}}, 2));
  }

  std::string create_firm(const std::string& id) {
    std::string key;
    [&] {
      ASSERT_NO_FATAL_FAILURE(testing::create_firm(*dev->admin(), dev->admin_key(), id, &key));
    }();
    return key;
  }

  std::string add_staff(const std::string& id, const std::string& tz,
                        std::vector<std::pair<std::string, int>> skills, int capacity) {
    v1::UpsertStaffRequest req;
    auto* s = req.mutable_staff();
    s->set_id(id);
    s->set_time_zone(tz);
    s->set_capacity(capacity);
    s->set_pool(pool);
    for (auto& [name, level] : skills) {
      auto* sk = s->add_skills();
      sk->set_skill(name);
      sk->set_proficiency(level);
    }
    req.set_issue_token(true);
    v1::UpsertStaffResponse resp;
    auto st = dev->admin()->UpsertStaff(as(dev->admin_key()).get(), req, &resp);
    [&] { ASSERT_TRUE(st.ok()) << st.error_message(); }();
    return resp.staff_token();
  }

  void set_available(const std::string& token) {
    ASSERT_NO_FATAL_FAILURE(testing::set_available(*dev->gateway(), token));
  }

  v1::SubmitTaskRequest review_task(const std::string& matter = "m-1") const {
    return testing::review_task({.matter = matter, .pool = pool, .priority = 5});
  }

  grpc::Status submit(const std::string& key, const v1::SubmitTaskRequest& r,
                      v1::SubmitTaskResponse* out) {
    return dev->intake()->SubmitTask(as(key).get(), r, out);
  }

  grpc::Status get(const std::string& key, const std::string& id, v1::Task* out) {
    v1::GetTaskRequest r;
    r.set_task_id(id);
    return dev->intake()->GetTask(as(key).get(), r, out);
  }

  v1::Task wait_for(const std::string& id, v1::TaskStatus status) {
    v1::Task t;
    testing::eventually([&] { return get(acme_key, id, &t).ok() && t.status() == status; }, 10s);
    return t;
  }

  static inline std::vector<std::string> shared_firm_keys;  // acme's and globex's
  std::string acme_key, globex_key, ana_token, raj_token;
};

TEST_F(EndToEnd, SubmitOfferAcceptCompleteIsVisibleStepByStep) {
  set_available(ana_token);
  auto gateway = dev->gateway();
  testing::OfferStream offers(*gateway, ana_token);

  v1::SubmitTaskResponse submitted;
  auto s = submit(acme_key, review_task(), &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(submitted.duplicate());

  auto event = offers.next(30s);  // the first consumer-group join takes a few seconds
  ASSERT_TRUE(event.has_value()) << "no offer reached the staff member";
  ASSERT_TRUE(event->has_offered());
  EXPECT_EQ(event->offered().task_id(), submitted.task_id());
  EXPECT_EQ(event->offered().payload_ref(), "https://dms.acme.example/m-1/doc/7");
  EXPECT_EQ(std::vector<std::string>(event->offered().allowed_outcomes().begin(),
                                     event->offered().allowed_outcomes().end()),
            (std::vector<std::string>{"responsive", "not-responsive", "privileged",
                                      "needs-second-level-review"}));
  EXPECT_EQ(event->offered().kind(), v1::TASK_KIND_DOCUMENT_REVIEW);

  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse reply;
  s = gateway->AcceptOffer(as(ana_token).get(), accept, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.work().status(), v1::TASK_STATUS_ACCEPTED);

  v1::CompleteTaskRequest complete;
  complete.set_task_id(submitted.task_id());
  complete.set_outcome("privileged");
  s = gateway->CompleteTask(as(ana_token).get(), complete, &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::Task task;
  ASSERT_TRUE(get(acme_key, submitted.task_id(), &task).ok());
  EXPECT_EQ(task.status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(task.staff_id(), "ana");
  EXPECT_EQ(task.outcome(), "privileged");
  EXPECT_EQ(task.firm_id(), "acme");
  std::vector<v1::TaskStatus> steps;
  for (const auto& h : task.history()) steps.push_back(h.status());
  EXPECT_EQ(steps,
            (std::vector<v1::TaskStatus>{v1::TASK_STATUS_QUEUED, v1::TASK_STATUS_OFFERED,
                                         v1::TASK_STATUS_ACCEPTED, v1::TASK_STATUS_COMPLETED}));
  for (int i = 1; i < task.history_size(); ++i) {
    EXPECT_LE(TimeUtil::TimestampToMilliseconds(task.history(i - 1).at()),
              TimeUtil::TimestampToMilliseconds(task.history(i).at()));
  }
}

// Every answer and event a staff member gets on the gRPC door, walked field by field: nothing
// beyond the staff view (tests/support/staff_view.h), though the task passed through another
// staff member who turned it down with a reason, and the firm and routing left their marks on it.
TEST_F(EndToEnd, StaffAnswersOnTheGrpcDoorCarryOnlyTheStaffView) {
  std::string bob_token;
  ASSERT_NO_FATAL_FAILURE(bob_token = add_staff("bob", "Europe/Belfast", {{"doc-review", 4}}, 2));
  auto gateway = dev->gateway();
  std::vector<std::string> answers_seen;
  auto expect_staff_view = [&](const google::protobuf::Message& answer, const std::string& what) {
    EXPECT_EQ(testing::fields_beyond_staff_view(answer), std::vector<std::string>{}) << what;
    std::string bytes = answer.SerializeAsString();
    for (const std::string other : {"acme", "bob", "Globex", "staff:"}) {
      EXPECT_EQ(bytes.find(other), std::string::npos) << what << " shows " << other;
    }
    answers_seen.push_back(what);
  };

  ASSERT_NO_FATAL_FAILURE(set_available(bob_token));
  testing::OfferStream bobs_offers(*gateway, bob_token);
  v1::SubmitTaskRequest request =
      testing::review_task({.matter = "m-staff-view",
                            .pool = pool,
                            .priority = 6,
                            .payload_ref = "https://dms.example/m-staff-view/doc/1"});
  request.mutable_spec()->set_title("Custodian email batch 14");
  request.mutable_spec()->add_parties("Globex");
  v1::SubmitTaskResponse submitted;
  auto s = submit(acme_key, request, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto bobs = bobs_offers.next(30s);
  ASSERT_TRUE(bobs && bobs->has_offered()) << "no offer reached bob";
  v1::OfferActionRequest reject;
  reject.set_task_id(submitted.task_id());
  reject.set_reason("conflict: I once worked for Globex");
  v1::OfferActionResponse rejected;
  s = gateway->RejectOffer(as(bob_token).get(), reject, &rejected);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(testing::fields_beyond_staff_view(rejected), std::vector<std::string>{});

  // Ana comes on shift and gets the task bob turned down.
  v1::SignInRequest sign_in;
  v1::SignInResponse signed_in;
  s = gateway->SignIn(as(ana_token).get(), sign_in, &signed_in);
  ASSERT_TRUE(s.ok()) << s.error_message();
  expect_staff_view(signed_in, "SignIn");
  v1::SetAvailabilityRequest available;
  available.set_availability(v1::AVAILABILITY_AVAILABLE);
  v1::SetAvailabilityResponse availability;
  ASSERT_TRUE(gateway->SetAvailability(as(ana_token).get(), available, &availability).ok());
  expect_staff_view(availability, "SetAvailability");
  v1::HeartbeatRequest heartbeat;
  v1::HeartbeatResponse beat;
  ASSERT_TRUE(gateway->Heartbeat(as(ana_token).get(), heartbeat, &beat).ok());
  expect_staff_view(beat, "Heartbeat");
  testing::OfferStream anas_offers(*gateway, ana_token);
  auto offered = anas_offers.next(30s);
  ASSERT_TRUE(offered && offered->has_offered()) << "no offer reached ana";
  expect_staff_view(*offered, "StreamOffers offered");
  EXPECT_EQ(offered->offered().title(), "Custodian email batch 14");

  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse accepted;
  s = gateway->AcceptOffer(as(ana_token).get(), accept, &accepted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  expect_staff_view(accepted, "AcceptOffer");
  EXPECT_EQ(accepted.work().status(), v1::TASK_STATUS_ACCEPTED);

  // An outcome of another kind of work is refused, naming the allowed ones, and changes nothing.
  v1::CompleteTaskRequest complete;
  complete.set_task_id(submitted.task_id());
  complete.set_outcome("not-privileged");
  v1::OfferActionResponse completed;
  s = gateway->CompleteTask(as(ana_token).get(), complete, &completed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("needs-second-level-review"), std::string::npos)
      << s.error_message();
  v1::Task task;
  ASSERT_TRUE(get(acme_key, submitted.task_id(), &task).ok());
  EXPECT_EQ(task.status(), v1::TASK_STATUS_ACCEPTED);

  complete.set_outcome("needs-second-level-review");
  complete.set_note("page 3 names Globex");
  s = gateway->CompleteTask(as(ana_token).get(), complete, &completed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  expect_staff_view(completed, "CompleteTask");
  EXPECT_EQ(completed.work().status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(completed.work().outcome(), "needs-second-level-review");
  EXPECT_TRUE(completed.work().has_completed_at());
  // The walk saw the fields a full answer carries, not an empty message.
  for (const std::string field :
       {"lexroute.v1.Offer.title", "lexroute.v1.Offer.payload_ref",
        "lexroute.v1.Offer.allowed_outcomes", "lexroute.v1.Offer.completed_at"}) {
    auto set = testing::set_fields(completed);
    EXPECT_NE(std::find(set.begin(), set.end(), field), set.end()) << field;
  }
  EXPECT_EQ(answers_seen.size(), 6u);
}

TEST_F(EndToEnd, PayloadRefSchemesAreHttpsUnlessTheFirmsAdminAddsSafeOnes) {
  const std::string firm = "schemes-" + pool;
  std::string key;
  ASSERT_NO_FATAL_FAILURE(key = create_firm(firm));
  auto with_ref = [&](const std::string& ref) {
    return testing::review_task({.matter = "m-1", .pool = pool, .payload_ref = ref});
  };
  v1::SubmitTaskResponse submitted;
  auto s = submit(key, with_ref("dms://firm/m-1/doc/1"), &submitted);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("'dms'"), std::string::npos) << s.error_message();

  v1::SetPayloadSchemesRequest set;
  set.set_firm_id(firm);
  set.add_schemes("dms");
  set.add_schemes("javascript");
  v1::SetPayloadSchemesResponse schemes;
  s = dev->admin()->SetPayloadSchemes(as(dev->admin_key()).get(), set, &schemes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("schemes[1]"), std::string::npos) << s.error_message();
  set.set_schemes(1, "ms-msdt");
  s = dev->admin()->SetPayloadSchemes(as(dev->admin_key()).get(), set, &schemes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A refused list changed nothing.
  s = submit(key, with_ref("dms://firm/m-1/doc/1"), &submitted);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  set.mutable_schemes()->RemoveLast();
  s = dev->admin()->SetPayloadSchemes(as(dev->admin_key()).get(), set, &schemes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(std::vector<std::string>(schemes.schemes().begin(), schemes.schemes().end()),
            (std::vector<std::string>{"https", "dms"}));
  s = submit(key, with_ref("dms://firm/m-1/doc/1"), &submitted);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const std::string ref : {"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                                "ms-msdt:/id PCWDiagnostic", "search-ms:query=x"}) {
    s = submit(key, with_ref(ref), &submitted);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << ref;
  }

  v1::SetPayloadSchemesRequest nobody;
  nobody.set_firm_id("no-such-firm");
  s = dev->admin()->SetPayloadSchemes(as(dev->admin_key()).get(), nobody, &schemes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  s = dev->admin()->SetPayloadSchemes(as("not-the-admin-key").get(), set, &schemes);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(EndToEnd, EveryTransitionReachesTheAuditTopicInKafka) {
  set_available(ana_token);
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  ASSERT_EQ(wait_for(submitted.task_id(), v1::TASK_STATUS_OFFERED).status(),
            v1::TASK_STATUS_OFFERED);
  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse reply;
  ASSERT_TRUE(dev->gateway()->AcceptOffer(as(ana_token).get(), accept, &reply).ok());
  v1::CompleteTaskRequest complete;
  complete.set_task_id(submitted.task_id());
  complete.set_outcome("responsive");
  ASSERT_TRUE(dev->gateway()->CompleteTask(as(ana_token).get(), complete, &reply).ok());

  auto consumer = Consumer::create({dev->node().kafka_bootstrap(),
                                    "audit-reader",
                                    std::string(topics::kTaskEvents),
                                    nullptr,
                                    {}});
  ASSERT_TRUE(consumer.has_value()) << consumer.error().message;
  std::vector<v1::TaskEvent> events;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (events.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    for (const auto& r : (*consumer)->poll(100, 200ms)) {
      v1::TaskEvent e;
      ASSERT_TRUE(e.ParseFromString(r.value));
      EXPECT_EQ(r.key, e.task_id()) << "keyed by task, so one task's events stay in order";
      if (e.task_id() == submitted.task_id()) events.push_back(e);
    }
  }
  ASSERT_EQ(events.size(), 4u);
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return TimeUtil::TimestampToMilliseconds(a.at()) < TimeUtil::TimestampToMilliseconds(b.at());
  });
  std::vector<std::tuple<v1::TaskStatus, v1::TaskStatus, std::string>> got;
  for (const auto& e : events) {
    got.emplace_back(e.from(), e.to(), e.actor());
    EXPECT_EQ(e.firm_id(), "acme");
    EXPECT_EQ(e.pool(), pool);
    EXPECT_FALSE(e.event_id().empty());
  }
  EXPECT_EQ(got, (std::vector<std::tuple<v1::TaskStatus, v1::TaskStatus, std::string>>{
                     {v1::TASK_STATUS_UNSPECIFIED, v1::TASK_STATUS_QUEUED, "firm:acme"},
                     {v1::TASK_STATUS_QUEUED, v1::TASK_STATUS_OFFERED, "router"},
                     {v1::TASK_STATUS_OFFERED, v1::TASK_STATUS_ACCEPTED, "staff:ana"},
                     {v1::TASK_STATUS_ACCEPTED, v1::TASK_STATUS_COMPLETED, "staff:ana"}}));

  // Relayed entries leave the outbox.
  auto endpoint = RedisEndpoint::parse(dev->node().redis_address());
  RedisClient redis({*endpoint, 1, 2000ms});
  AuditOutbox outbox(redis, redis, "e2e-test-reader");
  long long left = -1;
  testing::eventually(
      [&] {
        left = outbox.length(pool, AuditOutbox::Stream::kTaskEvents).value_or(-1);
        return left == 0;
      },
      5s);
  EXPECT_EQ(left, 0);
}

TEST_F(EndToEnd, WatchTaskStreamsEveryStatusUntilTheEnd) {
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  v1::GetTaskRequest watch;
  watch.set_task_id(submitted.task_id());

  grpc::ClientContext other_firm;
  other_firm.AddMetadata("authorization", "Bearer " + globex_key);
  auto refused = dev->intake()->WatchTask(&other_firm, watch);
  v1::Task ignored;
  EXPECT_FALSE(refused->Read(&ignored));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + acme_key);
  ctx.set_deadline(std::chrono::system_clock::now() + 60s);
  auto stream = dev->intake()->WatchTask(&ctx, watch);
  std::mutex seen_mutex;
  std::vector<v1::TaskStatus> seen;
  std::thread reader([&] {
    v1::Task t;
    while (stream->Read(&t)) {
      std::lock_guard lock(seen_mutex);
      seen.push_back(t.status());
    }
  });
  auto watcher_saw = [&](v1::TaskStatus status) {
    std::lock_guard lock(seen_mutex);
    return std::find(seen.begin(), seen.end(), status) != seen.end();
  };
  // A watch sends the status it finds first and then each change. The server may start the
  // handler late, so every step waits until the watcher has seen the one before: each is then
  // a separate change the stream must have sent, however quickly the writes would follow.
  EXPECT_TRUE(testing::eventually(
      [&] {
        std::lock_guard lock(seen_mutex);
        return !seen.empty();  // queued or waiting: nobody is available yet
      },
      10s));
  set_available(ana_token);
  ASSERT_EQ(wait_for(submitted.task_id(), v1::TASK_STATUS_OFFERED).status(),
            v1::TASK_STATUS_OFFERED);
  EXPECT_TRUE(testing::eventually([&] { return watcher_saw(v1::TASK_STATUS_OFFERED); }, 10s));
  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse reply;
  ASSERT_TRUE(dev->gateway()->AcceptOffer(as(ana_token).get(), accept, &reply).ok());
  EXPECT_TRUE(testing::eventually([&] { return watcher_saw(v1::TASK_STATUS_ACCEPTED); }, 10s));
  v1::CompleteTaskRequest complete;
  complete.set_task_id(submitted.task_id());
  complete.set_outcome("responsive");
  ASSERT_TRUE(dev->gateway()->CompleteTask(as(ana_token).get(), complete, &reply).ok());
  reader.join();  // the stream ends by itself once the task is final
  EXPECT_TRUE(stream->Finish().ok());
  ASSERT_GE(seen.size(), 4u);
  EXPECT_NE(seen.front(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(seen.back(), v1::TASK_STATUS_COMPLETED);
}

TEST_F(EndToEnd, BulkSubmitGivesAResultPerItemAndOneBadItemSinksNothing) {
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + acme_key);
  v1::SubmitTasksResponse response;
  auto writer = dev->intake()->SubmitTasks(&ctx, &response);
  constexpr int kItems = 1500;
  auto resent = review_task("m-dup");
  resent.set_idempotency_key("bulk-dup");
  for (int i = 0; i < kItems; ++i) {
    auto r = review_task("m-" + std::to_string(i % 9));
    if (i == 10) r.mutable_spec()->mutable_required_skills(0)->set_min_proficiency(7);
    if (i == 700) r.mutable_spec()->clear_payload_ref();
    if (i == 900 || i == 901) r = resent;  // the same request twice: one task
    ASSERT_TRUE(writer->Write(r));
  }
  writer->WritesDone();
  auto s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.accepted(), kItems - 2);
  EXPECT_EQ(response.failed(), 2);
  ASSERT_EQ(response.results_size(), kItems);
  for (int i = 0; i < kItems; ++i) EXPECT_EQ(response.results(i).index(), i);
  EXPECT_EQ(response.results(10).error_code(), "INVALID_ARGUMENT");
  EXPECT_EQ(response.results(10).field(), "spec.required_skills[0].min_proficiency");
  EXPECT_EQ(response.results(700).field(), "spec.payload_ref");
  EXPECT_TRUE(response.results(10).task_id().empty());
  EXPECT_EQ(response.results(901).task_id(), response.results(900).task_id());
  EXPECT_TRUE(response.results(901).duplicate());
  std::set<std::string> ids;
  for (const auto& r : response.results()) {
    if (!r.task_id().empty()) ids.insert(r.task_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kItems - 3));
  v1::Task task;
  EXPECT_TRUE(get(acme_key, response.results(1499).task_id(), &task).ok());
}

TEST_F(EndToEnd, StaffSeeOnlyTheirOwnOffersAndCannotTakeOthers) {
  set_available(ana_token);
  set_available(raj_token);
  auto gateway = dev->gateway();
  testing::OfferStream ana_offers(*gateway, ana_token);
  testing::OfferStream raj_offers(*gateway, raj_token);
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  auto event = ana_offers.next(30s);
  ASSERT_TRUE(event.has_value());
  EXPECT_FALSE(raj_offers.next(1500ms).has_value()) << "raj must not see ana's offer";

  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse reply;
  auto s = gateway->AcceptOffer(as(raj_token).get(), accept, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::Task task;
  ASSERT_TRUE(get(acme_key, submitted.task_id(), &task).ok());
  EXPECT_EQ(task.status(), v1::TASK_STATUS_OFFERED) << "a refused accept changes nothing";
}

TEST_F(EndToEnd, FirmsSeeOnlyTheirOwnTasks) {
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  v1::Task task;
  EXPECT_EQ(get(globex_key, submitted.task_id(), &task).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CancelTaskRequest cancel;
  cancel.set_task_id(submitted.task_id());
  EXPECT_EQ(dev->intake()->CancelTask(as(globex_key).get(), cancel, &task).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(get(acme_key, submitted.task_id(), &task).ok());
  EXPECT_NE(task.status(), v1::TASK_STATUS_CANCELLED);
}

TEST_F(EndToEnd, BadInputIsRefusedWithTheRightCode) {
  v1::SubmitTaskResponse out;
  EXPECT_EQ(submit("", review_task(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(submit("lxf_not-a-key", review_task(), &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  struct Case {
    const char* field;
    std::function<void(v1::SubmitTaskRequest&)> spoil;
  };
  std::vector<Case> cases = {
      {"spec.required_skills", [](auto& r) { r.mutable_spec()->clear_required_skills(); }},
      {"spec.required_skills[0].min_proficiency",
       [](auto& r) { r.mutable_spec()->mutable_required_skills(0)->set_min_proficiency(9); }},
      {"spec.deadline",
       [](auto& r) {
         *r.mutable_spec()->mutable_deadline() =
             TimeUtil::GetCurrentTime() - TimeUtil::HoursToDuration(1);
       }},
      {"spec.matter_id", [](auto& r) { r.mutable_spec()->clear_matter_id(); }},
  };
  for (const auto& c : cases) {
    auto r = review_task();
    c.spoil(r);
    grpc::ClientContext* ctx;
    auto owned = as(acme_key);
    ctx = owned.get();
    auto s = dev->intake()->SubmitTask(ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_NE(s.error_message().find(c.field), std::string::npos) << s.error_message();
    auto trailer = ctx->GetServerTrailingMetadata().find("lexroute-field");
    ASSERT_NE(trailer, ctx->GetServerTrailingMetadata().end());
    EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), c.field);
  }

  v1::CreateFirmRequest empty_firm;
  v1::CreateFirmResponse created;
  EXPECT_EQ(dev->admin()->CreateFirm(as(dev->admin_key()).get(), empty_firm, &created).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  empty_firm.set_firm_id("initech");
  EXPECT_EQ(dev->admin()->CreateFirm(as(acme_key).get(), empty_firm, &created).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "a firm key is not an admin key";

  v1::Task task;
  EXPECT_EQ(get(acme_key, "01a3185c5000-0123456789abcdef@default", &task).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(get(acme_key, "garbage", &task).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(EndToEnd, SameIdempotencyKeySameTaskEvenAfterARestart) {
  ASSERT_NO_FATAL_FAILURE(own_node());
  auto request = review_task();
  request.set_idempotency_key("batch-9/doc-1");
  v1::SubmitTaskResponse first, second, third;
  ASSERT_TRUE(submit(acme_key, request, &first).ok());
  ASSERT_TRUE(submit(acme_key, request, &second).ok());
  EXPECT_EQ(second.task_id(), first.task_id());
  EXPECT_TRUE(second.duplicate());

  auto other = review_task("m-2");
  other.set_idempotency_key("batch-9/doc-1");
  EXPECT_EQ(submit(acme_key, other, &third).error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "the same key for a different task is refused";

  std::string admin_key = dev->admin_key();
  // Stops lexrouted and its redis-server and starts them again; the append-only file stays.
  ASSERT_NO_FATAL_FAILURE(start_own_node());
  ASSERT_TRUE(submit(acme_key, request, &third).ok());
  EXPECT_EQ(third.task_id(), first.task_id());
  EXPECT_TRUE(third.duplicate());
  v1::Task task;
  EXPECT_TRUE(get(acme_key, first.task_id(), &task).ok()) << "the task survived the restart";
}

TEST_F(EndToEnd, TaskNobodyCanDoIsUnroutableWithTheReason) {
  auto r = review_task();
  r.mutable_spec()->mutable_required_skills(0)->set_skill("tax-law");
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, r, &submitted).ok());
  auto task = wait_for(submitted.task_id(), v1::TASK_STATUS_UNROUTABLE);
  ASSERT_EQ(task.status(), v1::TASK_STATUS_UNROUTABLE);
  EXPECT_NE(task.history().rbegin()->reason().find("tax-law>=3"), std::string::npos)
      << task.history().rbegin()->reason();
}

TEST_F(EndToEnd, WaitingWorkIsOfferedWhenSomeoneBecomesAvailable) {
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  auto task = wait_for(submitted.task_id(), v1::TASK_STATUS_WAITING);
  ASSERT_EQ(task.status(), v1::TASK_STATUS_WAITING) << "ana is offline";
  set_available(ana_token);
  task = wait_for(submitted.task_id(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(task.status(), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(task.staff_id(), "ana");
}

TEST_F(EndToEnd, CancelWithdrawsTheOpenOffer) {
  set_available(ana_token);
  auto gateway = dev->gateway();
  testing::OfferStream offers(*gateway, ana_token);
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  ASSERT_TRUE(offers.next(30s).has_value());
  v1::CancelTaskRequest cancel;
  cancel.set_task_id(submitted.task_id());
  v1::Task task;
  ASSERT_TRUE(dev->intake()->CancelTask(as(acme_key).get(), cancel, &task).ok());
  EXPECT_EQ(task.status(), v1::TASK_STATUS_CANCELLED);
  auto withdrawn = offers.next(5s);
  ASSERT_TRUE(withdrawn.has_value());
  EXPECT_EQ(withdrawn->withdrawn_task_id(), submitted.task_id());
}

// One staff member's offer feed read through gRPC's callback API, counting the offers it saw.
class CountingFeed final : public grpc::ClientReadReactor<v1::OfferEvent> {
 public:
  CountingFeed(v1::WorkerGateway::Stub& stub, const std::string& token) {
    context_.AddMetadata("authorization", "Bearer " + token);
    stub.async()->StreamOffers(&context_, &request_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (event_.has_offered()) ++offers;
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard lock(mutex_);
    status_ = status;
    done_ = true;
    ended_.notify_all();
  }
  bool cancel_and_wait() {
    context_.TryCancel();
    return wait(10s).has_value();
  }
  // How the feed ended, or nullopt if it has not within `timeout`.
  std::optional<grpc::Status> wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ended_.wait_for(lock, timeout, [&] { return done_; })) return std::nullopt;
    return status_;
  }
  std::atomic<int> offers{0};

 private:
  grpc::ClientContext context_;
  v1::StreamOffersRequest request_;
  v1::OfferEvent event_;
  std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  grpc::Status status_;
};

std::vector<std::unique_ptr<CountingFeed>> open_feeds(v1::WorkerGateway::Stub& gateway,
                                                      const std::string& token, int count) {
  std::vector<std::unique_ptr<CountingFeed>> feeds;
  for (int i = 0; i < count; ++i) feeds.push_back(std::make_unique<CountingFeed>(gateway, token));
  return feeds;
}

// Waits up to 30 s for every feed to have seen exactly one offer; how many have.
int until_each_saw_one_offer(const std::vector<std::unique_ptr<CountingFeed>>& feeds) {
  auto saw = [&] {
    return std::count_if(feeds.begin(), feeds.end(), [](const auto& f) { return f->offers == 1; });
  };
  testing::eventually([&] { return saw() == static_cast<long>(feeds.size()); }, 30s, 100ms);
  return static_cast<int>(saw());
}

int threads_in_this_process() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// Thousands of staff keep a feed open all day: the gateway must not hold a thread for each
// (a few thousand of them leave the machine switching between threads; docs/performance.md).
TEST_F(EndToEnd, ManyOpenOfferFeedsShareAFewThreadsAndEachGetsTheOffer) {
  constexpr int kFeeds = 400;
  set_available(ana_token);
  auto gateway = dev->gateway();
  int threads_before = threads_in_this_process();
  auto feeds = open_feeds(*gateway, ana_token, kFeeds);

  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  EXPECT_EQ(until_each_saw_one_offer(feeds), kFeeds) << "feeds that got the one offer exactly once";
  int threads_open = threads_in_this_process();
  EXPECT_LT(threads_open - threads_before, kFeeds / 4)
      << threads_before << " threads before, " << threads_open << " with " << kFeeds
      << " feeds open (client and server are this one process)";
  for (auto& f : feeds) EXPECT_TRUE(f->cancel_and_wait());
}

// A node that stops ends every open feed with OK (the app reconnects elsewhere), including feeds
// that were just written to, and its stop returns.
TEST_F(EndToEnd, StoppingTheNodeEndsEveryOpenOfferFeedWithOk) {
  ASSERT_NO_FATAL_FAILURE(own_node());
  constexpr int kFeeds = 200;
  set_available(ana_token);
  auto gateway = dev->gateway();
  auto feeds = open_feeds(*gateway, ana_token, kFeeds);
  v1::SubmitTaskResponse submitted;
  ASSERT_TRUE(submit(acme_key, review_task(), &submitted).ok());
  ASSERT_EQ(until_each_saw_one_offer(feeds), kFeeds)
      << "every feed open and written to before the stop";

  dev->node().stop();
  int ended_ok = 0;
  for (auto& f : feeds) {
    auto status = f->wait(10s);
    ASSERT_TRUE(status.has_value()) << "a feed still open after the node stopped";
    if (status->ok()) ++ended_ok;
  }
  EXPECT_EQ(ended_ok, kFeeds);
}

TEST_F(EndToEnd, HealthServiceSaysServing) {
  // HealthCheckResponse's bytes for HealthCheckRequest{service: ""}, or the call's failure.
  auto check = [&]() -> std::string {
    grpc::GenericStub stub(dev->channel());
    grpc::Slice nothing(std::string{});  // HealthCheckRequest{service: ""} encodes to zero bytes
    grpc::ByteBuffer request(&nothing, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     std::lock_guard lock(m);
                     status = s;
                     done = true;
                     cv.notify_all();
                   });
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, 10s, [&] { return done; })) return "no answer";
    if (!status.ok()) return status.error_message();
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return "unreadable";
    std::string bytes;
    for (auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    return bytes;
  };
  // The whole node is SERVING once the router's group join gave it partitions.
  const std::string serving("\x08\x01", 2);  // HealthCheckResponse{status: SERVING}
  EXPECT_TRUE(testing::eventually([&] { return check() == serving; }, 15s, 100ms)) << check();
}

}  // namespace
}  // namespace lexroute
