#include "services/gateway/worker_desk.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "router/limits.h"
#include "services/redis/keys.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_desk_tasks.h"
#include "tests/fakes/fake_staff_credentials.h"
#include "tests/fakes/fake_staff_presence.h"
#include "tests/fakes/fake_staff_records.h"
#include "tests/support/eventually.h"
#include "tests/support/staff_view.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;
using namespace std::chrono_literals;

constexpr char kDeskPool[] = "desk-pool";
constexpr int64_t kStartMs = 1'800'000'000'000;

v1::OfferActionRequest offer_action(const std::string& task_id, const std::string& reason = "") {
  v1::OfferActionRequest request;
  request.set_task_id(task_id);
  request.set_reason(reason);
  return request;
}

v1::CompleteTaskRequest completion(const std::string& task_id, const std::string& outcome,
                                   const std::string& note = "") {
  v1::CompleteTaskRequest request;
  request.set_task_id(task_id);
  request.set_outcome(outcome);
  request.set_note(note);
  return request;
}

class WorkerDeskTest : public ::testing::Test {
 protected:
  WorkerDeskTest() {
    for (const auto* me : {&ann, &bob}) {
      v1::Staff profile;
      profile.set_id(me->staff_id);
      profile.set_pool(me->pool);
      profile.set_display_name("Reviewer " + me->staff_id);
      profile.set_time_zone("Asia/Manila");
      profile.set_capacity(3);
      staff.add(profile);
    }
  }

  // A new document review on offer to `me`, timing out in ten minutes.
  std::string offer_to(const StaffIdentity& me) {
    v1::TaskSpec review;
    review.set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    return tasks.offer(me.pool, me.staff_id, clock.now_ms() + 600'000, review);
  }
  // A new task of `kind` that `me` has accepted.
  std::string accepted_by(const StaffIdentity& me, v1::TaskKind kind) {
    v1::TaskSpec spec;
    spec.set_kind(kind);
    std::string id = tasks.offer(me.pool, me.staff_id, clock.now_ms() + 600'000, spec);
    EXPECT_TRUE(desk.accept(me, offer_action(id)));
    return id;
  }
  // A new task `me` has accepted.
  std::string accepted_by(const StaffIdentity& me) {
    std::string id = offer_to(me);
    EXPECT_TRUE(desk.accept(me, offer_action(id)));
    return id;
  }
  v1::TaskStatus status_of(const std::string& id) {
    auto task = tasks.task(id);
    return task ? task->status() : v1::TASK_STATUS_UNSPECIFIED;
  }
  // One look of `me`'s feed, which must find the store there.
  std::vector<v1::OfferEvent> look(const StaffIdentity& me, WorkerDesk::FeedState& state) {
    WorkerDesk::FeedLook one{&me, &state, {}};
    desk.offer_changes({&one, 1});
    EXPECT_TRUE(one.events.has_value());
    return one.events.value_or(std::vector<v1::OfferEvent>{});
  }

  ManualClock clock{std::chrono::system_clock::time_point(std::chrono::milliseconds(kStartMs))};
  testing::FakeChangeSignals signals;
  testing::FakeDeskTasks tasks{clock};
  testing::FakeStaffRecords staff{tasks};
  testing::FakeStaffPresence presence{tasks};
  testing::FakeStaffCredentials credentials;
  WorkerDesk desk{tasks, staff, presence, credentials, signals, clock};
  const StaffIdentity ann{kDeskPool, "ann"};
  const StaffIdentity bob{kDeskPool, "bob"};
};

TEST_F(WorkerDeskTest, ATokenNamesItsStaffMemberAndAnUnknownOneIsRefused) {
  std::string token = credentials.issue(kDeskPool, "ann");
  auto me = desk.authenticate(token);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->pool, kDeskPool);
  EXPECT_EQ(me->staff_id, "ann");
  ASSERT_FALSE(desk.authenticate("token-nobody-has"));
  EXPECT_EQ(desk.authenticate("token-nobody-has").error().code, Errc::kUnauthenticated);

  auto many = desk.authenticate(std::vector<std::string>{"", token, "token-nobody-has"});
  ASSERT_TRUE(many);
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0].error().code, Errc::kUnauthenticated);
  ASSERT_TRUE((*many)[1]);
  EXPECT_EQ((*many)[1]->staff_id, "ann");
  EXPECT_EQ((*many)[2].error().code, Errc::kUnauthenticated);
}

TEST_F(WorkerDeskTest, SignInShowsTheCallersOwnProfile) {
  auto signed_in = desk.sign_in(ann);
  ASSERT_TRUE(signed_in) << signed_in.error().message;
  EXPECT_EQ(signed_in->staff_id(), "ann");
  EXPECT_EQ(signed_in->display_name(), "Reviewer ann");
  EXPECT_EQ(signed_in->time_zone(), "Asia/Manila");
  EXPECT_EQ(signed_in->capacity(), 3);

  auto stranger = desk.sign_in({kDeskPool, "carl"});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().code, Errc::kNotFound);
}

TEST_F(WorkerDeskTest, StaffAcceptOnlyTheirOwnOffers) {
  std::string id = offer_to(ann);

  auto by_bob = desk.accept(bob, offer_action(id));
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(id), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(tasks.task(id)->staff_id(), "ann");

  auto by_ann = desk.accept(ann, offer_action(id));
  ASSERT_TRUE(by_ann) << by_ann.error().message;
  EXPECT_EQ(by_ann->id(), id);
  EXPECT_EQ(by_ann->status(), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(by_ann->staff_id(), "ann");
  EXPECT_EQ(status_of(id), v1::TASK_STATUS_ACCEPTED);
}

TEST_F(WorkerDeskTest, ATaskOfAnotherPoolOrNoTaskAtAllIsRefused) {
  std::string elsewhere = tasks.offer("other-pool", "ann", clock.now_ms() + 600'000);
  auto other_pool = desk.accept(ann, offer_action(elsewhere));
  ASSERT_FALSE(other_pool);
  EXPECT_EQ(other_pool.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(elsewhere), v1::TASK_STATUS_OFFERED);

  for (const std::string unknown : {"not-a-task-id", "0190a1b2c3d4-0123456789abcdef@desk-pool"}) {
    auto answer = desk.accept(ann, offer_action(unknown));
    ASSERT_FALSE(answer) << unknown;
    EXPECT_EQ(answer.error().code, Errc::kNotFound) << unknown;
    EXPECT_EQ(answer.error().field, "task_id") << unknown;
  }
}

TEST_F(WorkerDeskTest, AStepTakenAgainIsAnsweredAsTheFirstAndChangesNothing) {
  std::string id = accepted_by(ann);
  auto again = desk.accept(ann, offer_action(id));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status(), v1::TASK_STATUS_ACCEPTED);

  auto done = desk.complete(ann, completion(id, "responsive", "page 3 matters"));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(done->outcome(), "responsive");

  auto retried = desk.complete(ann, completion(id, "privileged"));
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(retried->outcome(), "responsive");
  EXPECT_EQ(tasks.task(id)->history_size(), 3);  // offered, accepted, completed: once each
}

TEST_F(WorkerDeskTest, OnlyTheHolderCompletesAndOnlyAcceptedWork) {
  std::string offered = offer_to(ann);
  auto too_soon = desk.complete(ann, completion(offered, "responsive"));
  ASSERT_FALSE(too_soon);
  EXPECT_EQ(too_soon.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(offered), v1::TASK_STATUS_OFFERED);

  std::string work = accepted_by(ann);
  auto by_bob = desk.complete(bob, completion(work, "responsive"));
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(work), v1::TASK_STATUS_ACCEPTED);
}

TEST_F(WorkerDeskTest, ARejectedOfferGoesBackToRoutingWithItsReason) {
  std::string id = offer_to(ann);
  auto by_bob = desk.reject(bob, offer_action(id, "busy"));
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(id), v1::TASK_STATUS_OFFERED);

  auto rejected = desk.reject(ann, offer_action(id));
  ASSERT_TRUE(rejected) << rejected.error().message;
  EXPECT_EQ(rejected->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(rejected->staff_id(), "");
  ASSERT_GT(rejected->history_size(), 0);
  EXPECT_EQ(rejected->history().rbegin()->reason(), "rejected: no reason given");

  auto again = desk.reject(ann, offer_action(id, "still busy"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->status(), v1::TASK_STATUS_WAITING);
  EXPECT_EQ(again->history_size(), rejected->history_size());

  std::string work = accepted_by(ann);
  auto accepted = desk.reject(ann, offer_action(work, "changed my mind"));
  ASSERT_FALSE(accepted);
  EXPECT_EQ(accepted.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(status_of(work), v1::TASK_STATUS_ACCEPTED);
}

TEST_F(WorkerDeskTest, BadInputNamesTheFieldAndChangesNothing) {
  std::string offered = offer_to(ann);
  std::string work = accepted_by(ann);
  const size_t writes_before = tasks.writes_asked();
  auto expect_refused = [](const auto& answer, const std::string& field) {
    ASSERT_FALSE(answer) << field;
    EXPECT_EQ(answer.error().code, Errc::kInvalidArgument) << field;
    EXPECT_EQ(answer.error().field, field);
  };

  expect_refused(desk.accept(ann, offer_action("")), "task_id");
  expect_refused(desk.accept(ann, offer_action(std::string(300, 'x'))), "task_id");
  expect_refused(desk.reject(ann, offer_action("")), "task_id");
  expect_refused(desk.reject(ann, offer_action(offered, std::string(limits::kReason + 1, 'r'))),
                 "reason");
  expect_refused(desk.complete(ann, completion("", "responsive")), "task_id");
  expect_refused(desk.complete(ann, completion(work, "")), "outcome");
  expect_refused(desk.complete(ann, completion(work, "not a name")), "outcome");
  expect_refused(
      desk.complete(ann, completion(work, "responsive", std::string(limits::kNote + 1, 'n'))),
      "note");
  expect_refused(desk.complete(ann, completion(work, "responsive", "\xff\xfe")), "note");
  v1::SetAvailabilityRequest unspecified;
  expect_refused(desk.set_availability(ann, unspecified), "availability");

  EXPECT_EQ(tasks.writes_asked(), writes_before);
  EXPECT_EQ(status_of(offered), v1::TASK_STATUS_OFFERED);
  EXPECT_EQ(status_of(work), v1::TASK_STATUS_ACCEPTED);
  auto beat = desk.heartbeat(ann);
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->availability(), v1::AVAILABILITY_OFFLINE);
}

TEST_F(WorkerDeskTest, AnOutcomeNotOfTheTasksKindIsRefusedListingTheAllowedOnes) {
  std::string privilege = accepted_by(ann, v1::TASK_KIND_PRIVILEGE_REVIEW);
  std::string billing = accepted_by(ann, v1::TASK_KIND_BILLING);
  const size_t writes_before = tasks.writes_asked();

  for (const std::string outcome : {"banana", "responsive", "Privileged", "done"}) {
    auto refused = desk.complete(ann, completion(privilege, outcome));
    ASSERT_FALSE(refused) << outcome;
    EXPECT_EQ(refused.error().code, Errc::kInvalidArgument) << outcome;
    EXPECT_EQ(refused.error().field, "outcome") << outcome;
    EXPECT_NE(refused.error().message.find("allowed: privileged, not-privileged"),
              std::string::npos)
        << refused.error().message;
  }
  auto not_billing = desk.complete(ann, completion(billing, "privileged"));
  ASSERT_FALSE(not_billing);
  EXPECT_NE(not_billing.error().message.find("allowed: done"), std::string::npos);
  EXPECT_EQ(tasks.writes_asked(), writes_before);
  EXPECT_EQ(status_of(privilege), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(status_of(billing), v1::TASK_STATUS_ACCEPTED);

  auto done = desk.complete(ann, completion(privilege, "not-privileged"));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->outcome(), "not-privileged");
  auto billed = desk.complete(ann, completion(billing, "done"));
  ASSERT_TRUE(billed) << billed.error().message;
  EXPECT_EQ(billed->status(), v1::TASK_STATUS_COMPLETED);
}

TEST_F(WorkerDeskTest, AnotherStaffMembersTaskIsRefusedWithoutAWordAboutItsKind) {
  std::string anns = accepted_by(ann, v1::TASK_KIND_PRIVILEGE_REVIEW);
  auto by_bob = desk.complete(bob, completion(anns, "banana"));
  ASSERT_FALSE(by_bob);
  EXPECT_EQ(by_bob.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(by_bob.error().message.find("privileged"), std::string::npos) << by_bob.error().message;
  EXPECT_EQ(status_of(anns), v1::TASK_STATUS_ACCEPTED);
}

TEST_F(WorkerDeskTest, InAGroupOnlyTheStepWithABadOutcomeIsRefused) {
  std::string anns = accepted_by(ann, v1::TASK_KIND_TRANSCRIPTION);
  std::string bobs = accepted_by(bob, v1::TASK_KIND_TRANSCRIPTION);
  const auto bad = completion(anns, "responsive");
  const auto good = completion(bobs, "done");
  auto answers = desk.take_steps({{&ann, nullptr, &bad}, {&bob, nullptr, &good}});
  ASSERT_EQ(answers.size(), 2u);
  ASSERT_FALSE(answers[0]);
  EXPECT_EQ(answers[0].error().field, "outcome");
  ASSERT_TRUE(answers[1]) << answers[1].error().message;
  EXPECT_EQ(answers[1]->outcome(), "done");
  EXPECT_EQ(status_of(anns), v1::TASK_STATUS_ACCEPTED);
  EXPECT_EQ(status_of(bobs), v1::TASK_STATUS_COMPLETED);
}

TEST_F(WorkerDeskTest, AnOfferCarriesItsKindsOutcomesAndOnlyALinkThatMayBeShown) {
  v1::Task task;
  task.set_id("t-1@desk-pool");
  task.mutable_spec()->set_kind(v1::TASK_KIND_PRIVILEGE_REVIEW);
  task.mutable_spec()->set_title("Custodian email batch 14");
  task.mutable_spec()->set_payload_ref("https://dms.acme.example/m-1/doc/7");
  v1::Offer offer = to_offer(task);
  EXPECT_EQ(
      std::vector<std::string>(offer.allowed_outcomes().begin(), offer.allowed_outcomes().end()),
      (std::vector<std::string>{"privileged", "not-privileged"}));
  EXPECT_EQ(offer.title(), "Custodian email batch 14");
  EXPECT_EQ(offer.payload_ref(), "https://dms.acme.example/m-1/doc/7");

  task.mutable_spec()->set_payload_ref("dms://acme/m-1/doc/7");
  EXPECT_EQ(to_offer(task).payload_ref(), "dms://acme/m-1/doc/7") << "a scheme a firm may add";
  for (const std::string ref :
       {"javascript:alert(document.cookie)", "data:text/html,<b>x", "file:///c:/windows/win.ini",
        "ms-msdt:/id PCWDiagnostic", "search-ms:query=invoice", "vbscript:msgbox"}) {
    task.mutable_spec()->set_payload_ref(ref);
    EXPECT_EQ(to_offer(task).payload_ref(), "") << ref;
  }
}

// Everything a task record holds about others (the firm, the pool, other staff, their reasons,
// the routing candidates and scores) stays out of the view staff are shown.
TEST_F(WorkerDeskTest, TheStaffViewOfAFullyRecordedTaskShowsNothingAboutOthers) {
  v1::Task task;
  task.set_id("0190a1b2c3d4-0123456789abcdef@desk-pool");
  task.set_firm_id("hartley-webb");
  task.set_staff_id("ann");
  task.set_status(v1::TASK_STATUS_COMPLETED);
  task.set_outcome("responsive");
  task.set_overdue(true);
  *task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(kStartMs);
  v1::TaskSpec& spec = *task.mutable_spec();
  spec.set_matter_id("m-7");
  spec.set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  spec.set_priority(7);
  spec.set_effort_minutes(30);
  *spec.mutable_deadline() = TimeUtil::MillisecondsToTimestamp(kStartMs + 3'600'000);
  spec.set_payload_ref("https://dms.example/m-7/doc/1");
  spec.set_pool("desk-pool");
  spec.set_title("Custodian email batch 14");
  spec.set_vendor("vendor-b");
  spec.set_jurisdiction("us-ny");
  spec.add_parties("Globex");
  spec.add_allowed_regions("eu");
  auto* skill = spec.add_required_skills();
  skill->set_skill("doc-review");
  skill->set_min_proficiency(3);
  for (auto [status, actor, reason] :
       {std::tuple{v1::TASK_STATUS_OFFERED, "router", "offered to bob"},
        std::tuple{v1::TASK_STATUS_WAITING, "staff:bob", "rejected: conflict with Globex"},
        std::tuple{v1::TASK_STATUS_OFFERED, "router", "offered to ann"},
        std::tuple{v1::TASK_STATUS_ACCEPTED, "staff:ann", ""},
        std::tuple{v1::TASK_STATUS_COMPLETED, "staff:ann", "responsive"}}) {
    auto* step = task.add_history();
    step->set_status(status);
    step->set_actor(actor);
    step->set_reason(reason);
    *step->mutable_at() = TimeUtil::MillisecondsToTimestamp(kStartMs);
  }
  auto* decision = task.mutable_last_decision();
  decision->set_chosen_staff_id("ann");
  decision->set_reason("2 of 3 staff eligible");
  auto* candidate = decision->add_top_candidates();
  candidate->set_staff_id("bob");
  candidate->set_score(0.9);
  // The walker sees what a whole Task would show, so the check below can fail.
  EXPECT_FALSE(testing::fields_beyond_staff_view(task).empty());

  v1::OfferActionResponse answer;
  *answer.mutable_work() = to_offer(task);
  EXPECT_EQ(testing::fields_beyond_staff_view(answer), std::vector<std::string>{});
  std::string bytes = answer.SerializeAsString();
  for (const std::string secret :
       {"hartley-webb", "bob", "Globex", "conflict", "vendor-b", "us-ny"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(answer.work().title(), "Custodian email batch 14");
  EXPECT_EQ(answer.work().status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(answer.work().outcome(), "responsive");
  EXPECT_TRUE(answer.work().has_completed_at());
  EXPECT_EQ(answer.work().allowed_outcomes_size(), 4);
}

TEST_F(WorkerDeskTest, StepsOfManyStaffAreAnsweredEachInOrder) {
  std::string anns_offer = offer_to(ann);
  std::string bobs_work = accepted_by(bob);
  const auto accept_anns = offer_action(anns_offer);
  const auto no_task = offer_action("");
  const auto complete_bobs = completion(bobs_work, "responsive");

  auto answers = desk.take_steps({{&bob, &accept_anns, nullptr},
                                  {&ann, &no_task, nullptr},
                                  {&ann, &accept_anns, nullptr},
                                  {&bob, nullptr, &complete_bobs}});
  ASSERT_EQ(answers.size(), 4u);
  ASSERT_FALSE(answers[0]);
  EXPECT_EQ(answers[0].error().code, Errc::kFailedPrecondition);
  ASSERT_FALSE(answers[1]);
  EXPECT_EQ(answers[1].error().field, "task_id");
  ASSERT_TRUE(answers[2]) << answers[2].error().message;
  EXPECT_EQ(answers[2]->id(), anns_offer);
  EXPECT_EQ(answers[2]->status(), v1::TASK_STATUS_ACCEPTED);
  ASSERT_TRUE(answers[3]) << answers[3].error().message;
  EXPECT_EQ(answers[3]->id(), bobs_work);
  EXPECT_EQ(answers[3]->status(), v1::TASK_STATUS_COMPLETED);
}

TEST_F(WorkerDeskTest, WhileTheStoreIsAwayEveryValidStepIsUnavailableAndBadInputStillNamed) {
  std::string id = offer_to(ann);
  const auto accept = offer_action(id);
  const auto no_task = offer_action("");
  tasks.set_away(true);
  auto answers = desk.take_steps({{&ann, &accept, nullptr}, {&ann, &no_task, nullptr}});
  ASSERT_EQ(answers.size(), 2u);
  ASSERT_FALSE(answers[0]);
  EXPECT_EQ(answers[0].error().code, Errc::kUnavailable);
  EXPECT_TRUE(is_retriable(answers[0].error().code));
  ASSERT_FALSE(answers[1]);
  EXPECT_EQ(answers[1].error().code, Errc::kInvalidArgument);

  tasks.set_away(false);
  EXPECT_EQ(status_of(id), v1::TASK_STATUS_OFFERED);
}

TEST_F(WorkerDeskTest, AvailabilityIsSetAsAskedAndHeartbeatsShowIt) {
  presence.set_interval(kDeskPool, 7);
  v1::SetAvailabilityRequest request;
  request.set_availability(v1::AVAILABILITY_AVAILABLE);
  auto set = desk.set_availability(ann, request);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->availability(), v1::AVAILABILITY_AVAILABLE);

  auto beats = desk.heartbeats({&ann, &bob});
  ASSERT_EQ(beats.size(), 2u);
  ASSERT_TRUE(beats[0]);
  EXPECT_EQ(beats[0]->availability(), v1::AVAILABILITY_AVAILABLE);
  EXPECT_EQ(beats[0]->interval_seconds(), 7);
  ASSERT_TRUE(beats[1]);
  EXPECT_EQ(beats[1]->availability(), v1::AVAILABILITY_OFFLINE);
  EXPECT_EQ(presence.heard_from(kDeskPool, "ann"), 1);
  EXPECT_EQ(presence.heard_from(kDeskPool, "bob"), 1);

  std::string id = offer_to(ann);
  request.set_availability(v1::AVAILABILITY_ON_BREAK);
  ASSERT_TRUE(desk.set_availability(ann, request));
  auto beat = desk.heartbeat(ann);
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->availability(), v1::AVAILABILITY_ON_BREAK);
  EXPECT_EQ(status_of(id), v1::TASK_STATUS_WAITING);  // someone on a break cannot answer it

  request.set_availability(v1::AVAILABILITY_OFFLINE);
  ASSERT_TRUE(desk.set_availability(ann, request));
  EXPECT_EQ(desk.heartbeat(ann)->availability(), v1::AVAILABILITY_OFFLINE);

  presence.set_away(true);
  auto away = desk.heartbeats({&ann, &bob});
  ASSERT_EQ(away.size(), 2u);
  for (const auto& answer : away) {
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, Errc::kUnavailable);
  }
}

TEST_F(WorkerDeskTest, AFeedShowsEachStaffMemberOnlyTheirOwnOffers) {
  v1::TaskSpec spec;
  spec.set_matter_id("m-7");
  spec.set_kind(v1::TASK_KIND_PRIVILEGE_REVIEW);
  spec.set_priority(6);
  spec.set_effort_minutes(45);
  const int64_t expires_ms = clock.now_ms() + 300'000;
  std::string anns = tasks.offer(kDeskPool, "ann", expires_ms, spec);
  std::string bobs = offer_to(bob);

  WorkerDesk::FeedState anns_feed, bobs_feed;
  auto events = look(ann, anns_feed);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].has_offered());
  const v1::Offer& offer = events[0].offered();
  EXPECT_EQ(offer.task_id(), anns);
  EXPECT_EQ(offer.matter_id(), "m-7");
  EXPECT_EQ(offer.kind(), v1::TASK_KIND_PRIVILEGE_REVIEW);
  EXPECT_EQ(offer.priority(), 6);
  EXPECT_EQ(offer.effort_minutes(), 45);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(offer.offered_at()), kStartMs);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(offer.expires_at()), expires_ms);

  auto theirs = look(bob, bobs_feed);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].offered().task_id(), bobs);

  EXPECT_TRUE(look(ann, anns_feed).empty());  // nothing new
}

TEST_F(WorkerDeskTest, AnOfferAcceptedThroughTheFeedNeedsNoEventAndItsCompletionIsToldAsDone) {
  v1::TaskSpec spec;
  spec.set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  spec.set_title("Custodian email batch 14");
  std::string id = tasks.offer(kDeskPool, "ann", clock.now_ms() + 600'000, spec);
  WorkerDesk::FeedState state;
  ASSERT_EQ(look(ann, state).size(), 1u);

  ASSERT_TRUE(desk.accept(ann, offer_action(id)));
  EXPECT_TRUE(look(ann, state).empty());
  EXPECT_TRUE(state.sent_work.contains(id));
  EXPECT_FALSE(state.sent_offers.contains(id));

  clock.advance(90s);
  ASSERT_TRUE(desk.complete(ann, completion(id, "responsive")));
  auto events = look(ann, state);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].has_done());
  const v1::Offer& done = events[0].done();
  EXPECT_EQ(done.task_id(), id);
  EXPECT_EQ(done.title(), "Custodian email batch 14");
  EXPECT_EQ(done.status(), v1::TASK_STATUS_COMPLETED);
  EXPECT_EQ(done.outcome(), "responsive");
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(done.completed_at()), kStartMs + 90'000);
  EXPECT_TRUE(state.sent_work.empty());
  EXPECT_TRUE(look(ann, state).empty());
}

TEST_F(WorkerDeskTest, ANewFeedIsToldTheCompletionsOfTheLast25HoursAndNoOneElses) {
  std::string old_one = accepted_by(ann);
  ASSERT_TRUE(desk.complete(ann, completion(old_one, "responsive")));
  clock.advance(2h);
  std::string bobs = accepted_by(bob);
  ASSERT_TRUE(desk.complete(bob, completion(bobs, "responsive")));
  clock.advance(24h);  // old_one is 26 h old now
  std::string recent = accepted_by(ann);
  ASSERT_TRUE(desk.complete(ann, completion(recent, "privileged")));
  std::string open = accepted_by(ann);

  WorkerDesk::FeedState state;
  auto events = look(ann, state);
  std::set<std::string> done, accepted;
  for (const auto& event : events) {
    if (event.has_done()) done.insert(event.done().task_id());
    if (event.has_accepted()) accepted.insert(event.accepted().task_id());
  }
  EXPECT_EQ(done, (std::set<std::string>{recent}));
  EXPECT_EQ(accepted, (std::set<std::string>{open}));
  EXPECT_EQ(events.size(), 2u);

  signals.reconnect();
  EXPECT_EQ(look(ann, state).size(), 2u) << "a reconnect tells today's completions again";
}

TEST_F(WorkerDeskTest, EveryFeedEventCarriesTheServersTime) {
  offer_to(ann);
  std::string gone = offer_to(ann);
  WorkerDesk::FeedState state;
  for (const auto& event : look(ann, state)) {
    EXPECT_EQ(TimeUtil::TimestampToMilliseconds(event.server_time()), kStartMs);
  }
  clock.advance(7s);
  tasks.take_back(gone, "cancelled");
  auto events = look(ann, state);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].withdrawn_task_id(), gone);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(events[0].server_time()), kStartMs + 7'000);
}

TEST_F(WorkerDeskTest, OfferAndWorkTakenBackOrTurnedDownAreWithdrawn) {
  std::string taken_offer = offer_to(ann);
  std::string turned_down = offer_to(ann);
  std::string taken_work = accepted_by(ann);
  WorkerDesk::FeedState state;
  ASSERT_EQ(look(ann, state).size(), 3u);

  tasks.take_back(taken_offer, "ann went offline");
  tasks.take_back(taken_work, "ann was silent past the grace period");
  ASSERT_TRUE(desk.reject(ann, offer_action(turned_down, "conflict")));
  auto events = look(ann, state);
  std::set<std::string> withdrawn;
  for (const auto& event : events) {
    EXPECT_EQ(event.event_case(), v1::OfferEvent::kWithdrawnTaskId);
    withdrawn.insert(event.withdrawn_task_id());
  }
  EXPECT_EQ(withdrawn, (std::set<std::string>{taken_offer, turned_down, taken_work}));
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(WorkerDeskTest, ANewFeedIsToldAcceptedWorkAsAccepted) {
  std::string work = accepted_by(ann);
  WorkerDesk::FeedState state;
  auto events = look(ann, state);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(events[0].has_accepted());
  EXPECT_EQ(events[0].accepted().task_id(), work);
  EXPECT_FALSE(events[0].accepted().has_expires_at());
}

TEST_F(WorkerDeskTest, AfterTheSignalsReconnectAFeedIsToldEverythingAgain) {
  std::string offered = offer_to(ann);
  std::string work = accepted_by(ann);
  WorkerDesk::FeedState state;
  state.connection = signals.connections();
  ASSERT_EQ(look(ann, state).size(), 2u);
  ASSERT_TRUE(look(ann, state).empty());

  signals.reconnect();
  auto again = look(ann, state);
  ASSERT_EQ(again.size(), 2u);
  std::set<std::string> told;
  for (const auto& event : again) {
    told.insert(event.has_offered() ? event.offered().task_id() : event.accepted().task_id());
  }
  EXPECT_EQ(told, (std::set<std::string>{offered, work}));
  EXPECT_TRUE(look(ann, state).empty());
}

TEST_F(WorkerDeskTest, WhileTheStoreIsAwayAFeedKeepsWhatItHadAndLaterSendsOnlyWhatIsNew) {
  std::string first = offer_to(ann);
  WorkerDesk::FeedState state;
  ASSERT_EQ(look(ann, state).size(), 1u);
  std::string second = offer_to(ann);

  for (bool records_away : {true, false}) {
    staff.set_away(records_away);
    tasks.set_away(!records_away);
    WorkerDesk::FeedLook one{&ann, &state, {}};
    desk.offer_changes({&one, 1});
    EXPECT_FALSE(one.events.has_value()) << (records_away ? "records away" : "tasks away");
    EXPECT_EQ(state.sent_offers, std::set<std::string>{first});
  }
  staff.set_away(false);
  tasks.set_away(false);

  auto events = look(ann, state);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].offered().task_id(), second);
}

}  // namespace
}  // namespace lexroute
