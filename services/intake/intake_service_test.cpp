// IntakeService's own rules, on the in-memory fakes of its ports: what a submit binds, publishes
// and records, what a firm may see and cancel, and what is refused before anything is written.
#include "services/intake/intake_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/test/default_reactor_test_peer.h>
#include <grpcpp/test/server_context_test_spouse.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <string>

#include "router/limits.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_firm_credentials.h"
#include "tests/fakes/fake_intake_records.h"
#include "tests/fakes/fake_pool_listing.h"
#include "tests/fakes/fake_task_publisher.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;
using testing::FakeChangeSignals;
using testing::FakeFirmCredentials;
using testing::FakeIntakeRecords;
using testing::FakePoolListing;
using testing::FakeTaskPublisher;

const std::chrono::system_clock::time_point kIntakeOpens =
    std::chrono::system_clock::time_point(std::chrono::seconds(1'796'000'000));

// A document review due a day after `now`.
struct Review {
  std::string matter = "m-1";
  std::string pool;  // the default pool when empty
  std::string idempotency_key;
};
v1::SubmitTaskRequest review(std::chrono::system_clock::time_point now, const Review& r = {}) {
  v1::SubmitTaskRequest request;
  request.set_idempotency_key(r.idempotency_key);
  v1::TaskSpec& spec = *request.mutable_spec();
  spec.set_matter_id(r.matter);
  spec.set_pool(r.pool);
  spec.set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  auto* skill = spec.add_required_skills();
  skill->set_skill("doc-review");
  skill->set_min_proficiency(3);
  *spec.mutable_deadline() = TimeUtil::TimeTToTimestamp(
      std::chrono::system_clock::to_time_t(now + std::chrono::hours(24)));
  spec.set_effort_minutes(20);
  spec.set_payload_ref("https://dms.acme.example/" + r.matter + "/doc/7");
  return request;
}

// A unary call's server side, as gRPC would hand it to the service: the firm's key in the
// authorization header, and the trailers the answer adds.
class UnaryCall {
 public:
  explicit UnaryCall(const std::string& api_key) {
    if (!api_key.empty()) spouse_.AddClientMetadata("authorization", "Bearer " + api_key);
  }
  grpc::ServerContext* context() { return &context_; }
  std::string trailer(const std::string& name) const {
    auto trailers = spouse_.GetTrailingMetadata();
    auto it = trailers.find(name);
    return it == trailers.end() ? "" : it->second;
  }

 private:
  grpc::ServerContext context_;
  grpc::testing::ServerContextTestSpouse spouse_{&context_};
};

// A watch stream as the service sees it: each task written, and what the test does on each
// write; `reading` false is a client that went away.
class WatchStream : public grpc::ServerWriterInterface<v1::Task> {
 public:
  std::vector<v1::Task> written;
  std::function<void()> on_write;
  bool reading = true;

  void SendInitialMetadata() override {}
  bool Write(const v1::Task& task, grpc::WriteOptions) override {
    written.push_back(task);
    if (on_write) on_write();
    return reading;
  }
};

class IntakeServiceTest : public ::testing::Test {
 protected:
  Result<v1::SubmitTaskResponse> submit(const std::string& firm,
                                        const v1::SubmitTaskRequest& request) {
    IntakeService::Submission submission{&firm, &request};
    auto answers = intake_.submit_many(std::span(&submission, 1));
    EXPECT_EQ(answers.size(), 1u);
    return answers.at(0);
  }
  // A task of `firm` recorded QUEUED; asserts it was accepted.
  std::string submitted_task(const std::string& firm, const Review& r = {}) {
    auto answer = submit(firm, review(clock_.now(), r));
    EXPECT_TRUE(answer.has_value()) << answer.error().message;
    return answer ? answer->task_id() : "";
  }
  v1::TaskSubmitted published(size_t i) {
    v1::TaskSubmitted task;
    EXPECT_TRUE(task.ParseFromString(publisher_.published().at(i).value));
    return task;
  }
  v1::TaskStatus stored_status(const std::string& task_id) {
    auto task = records_.get(task_id);
    return task ? task->status() : v1::TASK_STATUS_UNSPECIFIED;
  }

  ManualClock clock_{kIntakeOpens};
  FakeIntakeRecords records_{clock_};
  FakePoolListing pools_;
  FakeFirmCredentials credentials_;
  FakeTaskPublisher publisher_;
  FakeChangeSignals signals_;
  IntakeService intake_{records_, pools_, credentials_, publisher_, signals_, clock_};
  const std::string acme_ = "acme";
  const std::string globex_ = "globex";
  const std::string acme_key_ = credentials_.issue(acme_);
  const std::string globex_key_ = credentials_.issue(globex_);
};

// --- submitting ---

TEST_F(IntakeServiceTest, SubmitPublishesTheTaskOnceAndRecordsItQueued) {
  auto answer = submit(acme_, review(clock_.now()));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_FALSE(answer->duplicate());

  ASSERT_EQ(publisher_.published().size(), 1u);
  EXPECT_EQ(publisher_.published()[0].topic, topics::kTasks);
  EXPECT_EQ(publisher_.published()[0].key, "default|acme|m-1");
  v1::TaskSubmitted task = published(0);
  EXPECT_EQ(task.task_id(), answer->task_id());
  EXPECT_EQ(task.firm_id(), acme_);
  EXPECT_EQ(task.spec().pool(), "default");
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(task.submitted_at()), clock_.now_ms());

  EXPECT_EQ(records_.queued(), std::vector<std::string>{answer->task_id()});
  EXPECT_EQ(stored_status(answer->task_id()), v1::TASK_STATUS_QUEUED);
}

TEST_F(IntakeServiceTest, APayloadRefSchemeOtherThanHttpsNeedsTheFirmsAdmin) {
  v1::SubmitTaskRequest dms = review(clock_.now());
  dms.mutable_spec()->set_payload_ref("dms://acme/m-1/doc/7");
  auto refused = submit(acme_, dms);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(refused.error().field, "spec.payload_ref");
  EXPECT_NE(refused.error().message.find("'dms'"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(publisher_.published().empty());
  EXPECT_TRUE(records_.queued().empty());
  EXPECT_EQ(records_.writes(), 0u);

  credentials_.set_payload_schemes(acme_, {"dms"});
  auto taken = submit(acme_, dms);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(published(0).spec().payload_ref(), "dms://acme/m-1/doc/7");
  // Another firm's list is not this one's.
  auto of_globex = submit(globex_, dms);
  ASSERT_FALSE(of_globex);
  EXPECT_EQ(of_globex.error().field, "spec.payload_ref");
}

TEST_F(IntakeServiceTest, ADangerousPayloadRefIsRefusedWhateverTheFirmsList) {
  // A list no admin could have set through the API (written by hand, or by an older version).
  credentials_.set_payload_schemes(acme_, {"javascript", "data", "file", "ms-msdt", "search-ms"});
  for (const std::string ref :
       {"javascript:alert(document.cookie)", "JavaScript:alert(1)", "data:text/html,<script>x",
        "file:///c:/windows/win.ini", "ms-msdt:/id PCWDiagnostic", "search-ms:query=x",
        "vbscript:msgbox(1)"}) {
    v1::SubmitTaskRequest request = review(clock_.now());
    request.mutable_spec()->set_payload_ref(ref);
    auto refused = submit(acme_, request);
    ASSERT_FALSE(refused) << ref;
    EXPECT_EQ(refused.error().code, Errc::kInvalidArgument) << ref;
    EXPECT_EQ(refused.error().field, "spec.payload_ref") << ref;
  }
  EXPECT_TRUE(publisher_.published().empty());
  EXPECT_EQ(records_.writes(), 0u);
}

TEST_F(IntakeServiceTest, ATitleTravelsWithTheTaskAndABadOneIsRefused) {
  v1::SubmitTaskRequest titled = review(clock_.now());
  titled.mutable_spec()->set_title("Custodian email batch 14");
  auto taken = submit(acme_, titled);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(published(0).spec().title(), "Custodian email batch 14");

  titled.mutable_spec()->set_title("batch 14\n2026-12-06 INFO forged");
  auto refused = submit(acme_, titled);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "spec.title");
  EXPECT_EQ(publisher_.published().size(), 1u);
}

TEST_F(IntakeServiceTest, TheSameKeyAndRequestAnswerTheFirstTaskAndPublishNothingNew) {
  auto first = submit(acme_, review(clock_.now(), {.idempotency_key = "k-1"}));
  ASSERT_TRUE(first) << first.error().message;
  // The same request sent again later: the deadline is unchanged, only the clock moved.
  v1::SubmitTaskRequest again = review(clock_.now(), {.idempotency_key = "k-1"});
  clock_.advance(std::chrono::seconds(5));

  auto second = submit(acme_, again);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->task_id(), first->task_id());
  EXPECT_TRUE(second->duplicate());
  EXPECT_EQ(publisher_.published().size(), 1u);
  EXPECT_EQ(records_.queued().size(), 1u);
}

TEST_F(IntakeServiceTest, TheSameKeyWithADifferentRequestIsRefusedNamingTheKey) {
  std::string first = submitted_task(acme_, {.idempotency_key = "k-1"});

  auto second = submit(acme_, review(clock_.now(), {.matter = "m-2", .idempotency_key = "k-1"}));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(second.error().field, "idempotency_key");
  EXPECT_NE(second.error().message.find(first), std::string::npos) << second.error().message;
  EXPECT_EQ(publisher_.published().size(), 1u);
  EXPECT_EQ(records_.queued().size(), 1u);
}

TEST_F(IntakeServiceTest, IdempotencyKeysAreEachFirmsOwn) {
  std::string of_acme = submitted_task(acme_, {.idempotency_key = "k-1"});
  std::string of_globex = submitted_task(globex_, {.idempotency_key = "k-1"});

  EXPECT_NE(of_acme, of_globex);
  EXPECT_EQ(publisher_.published().size(), 2u);
}

TEST_F(IntakeServiceTest, AFailedPublishIsRetriableAndNothingIsRecordedQueued) {
  publisher_.fail_with(Error{Errc::kUnavailable, "no broker answered", ""});

  auto answer = submit(acme_, review(clock_.now(), {.idempotency_key = "k-1"}));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Errc::kUnavailable);
  EXPECT_TRUE(is_retriable(answer.error().code));
  EXPECT_TRUE(publisher_.published().empty());
  EXPECT_TRUE(records_.queued().empty());
  // The key stays bound to the task that was not sent, for the retry to send the same one.
  EXPECT_EQ(records_.writes(), 1u);
}

TEST_F(IntakeServiceTest, ARetryAfterAFailedPublishSendsTheFirstAttemptsRecord) {
  v1::SubmitTaskRequest request = review(clock_.now(), {.idempotency_key = "k-1"});
  const int64_t first_attempt_ms = clock_.now_ms();
  publisher_.fail_with(Error{Errc::kUnavailable, "no broker answered", ""});
  ASSERT_FALSE(submit(acme_, request));
  publisher_.fail_with(std::nullopt);
  clock_.advance(std::chrono::seconds(5));

  auto retry = submit(acme_, request);
  ASSERT_TRUE(retry) << retry.error().message;
  // The key was bound by the first attempt, which is what makes this one a duplicate.
  EXPECT_TRUE(retry->duplicate());
  ASSERT_EQ(publisher_.published().size(), 1u);
  EXPECT_EQ(published(0).task_id(), retry->task_id());
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(published(0).submitted_at()), first_attempt_ms);
  EXPECT_EQ(records_.queued(), std::vector<std::string>{retry->task_id()});

  // Once it is recorded, a third attempt finds it there and sends nothing.
  auto third = submit(acme_, request);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->task_id(), retry->task_id());
  EXPECT_EQ(publisher_.published().size(), 1u);
}

TEST_F(IntakeServiceTest, OneKeyTwiceInOneBatchIsPublishedOnceAndAnswersBoth) {
  v1::SubmitTaskRequest request = review(clock_.now(), {.idempotency_key = "k-1"});
  std::vector<IntakeService::Submission> batch = {{&acme_, &request}, {&acme_, &request}};

  auto answers = intake_.submit_many(batch);
  ASSERT_EQ(answers.size(), 2u);
  ASSERT_TRUE(answers[0]) << answers[0].error().message;
  ASSERT_TRUE(answers[1]) << answers[1].error().message;
  EXPECT_EQ(answers[0]->task_id(), answers[1]->task_id());
  EXPECT_FALSE(answers[0]->duplicate());
  EXPECT_TRUE(answers[1]->duplicate());
  EXPECT_EQ(publisher_.published().size(), 1u);
  EXPECT_EQ(records_.queued().size(), 1u);
}

TEST_F(IntakeServiceTest, BadInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::string field;
    v1::SubmitTaskRequest request;
  };
  std::vector<Case> cases = {
      {"spec.matter_id", review(clock_.now(), {.matter = ""})},
      {"spec.deadline", review(clock_.now() - std::chrono::hours(48))},
      {"idempotency_key", review(clock_.now(), {.idempotency_key = "has a space"})},
      {"idempotency_key",
       review(clock_.now(), {.idempotency_key = std::string(limits::kIdempotencyKey + 1, 'k')})},
      {"spec.pool", review(clock_.now(), {.pool = "no-such-pool"})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    auto answer = submit(acme_, c.request);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(answer.error().field, c.field);
  }
  EXPECT_EQ(records_.writes(), 0u);
  EXPECT_TRUE(publisher_.published().empty());
}

TEST_F(IntakeServiceTest, AnUnknownPoolIsRefusedNamingThePoolsThatExist) {
  pools_.add("tax");

  auto answer = submit(acme_, review(clock_.now(), {.pool = "ip"}));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().field, "spec.pool");
  EXPECT_NE(answer.error().message.find("(pools: default, tax)"), std::string::npos)
      << answer.error().message;

  EXPECT_TRUE(submit(acme_, review(clock_.now(), {.pool = "tax"})));
}

TEST_F(IntakeServiceTest, PoolsAreListedOnlyForANameNotSeenYet) {
  pools_.add("tax");

  submitted_task(acme_);
  EXPECT_EQ(pools_.reads(), 0u);  // the default pool always exists
  submitted_task(acme_, {.pool = "tax"});
  submitted_task(acme_, {.pool = "tax"});
  EXPECT_EQ(pools_.reads(), 1u);
  // A pool created after the list was read is found by reading it again.
  pools_.add("ip");
  submitted_task(acme_, {.pool = "ip"});
  EXPECT_EQ(pools_.reads(), 2u);
}

TEST_F(IntakeServiceTest, ATaskThePublisherCouldNeverTakeIsRefusedBeforeTheKeyIsBound) {
  FakeTaskPublisher small_records(64);
  IntakeService intake(records_, pools_, credentials_, small_records, signals_, clock_);
  v1::SubmitTaskRequest request = review(clock_.now(), {.idempotency_key = "k-1"});
  IntakeService::Submission submission{&acme_, &request};

  auto answers = intake.submit_many(std::span(&submission, 1));
  ASSERT_EQ(answers.size(), 1u);
  ASSERT_FALSE(answers[0]);
  EXPECT_EQ(answers[0].error().code, Errc::kInvalidArgument);
  EXPECT_FALSE(is_retriable(answers[0].error().code));
  EXPECT_EQ(answers[0].error().field, "spec");
  EXPECT_EQ(records_.writes(), 0u);
  EXPECT_TRUE(small_records.published().empty());
}

TEST_F(IntakeServiceTest, ASubmitIsAnsweredOnceInKafkaEvenIfRecordingItQueuedFails) {
  records_.fail_recording(Error{Errc::kUnavailable, "store down", ""});

  auto answer = submit(acme_, review(clock_.now()));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(publisher_.published().size(), 1u);
  // The router writes the record when it reads the task from Kafka.
  EXPECT_FALSE(records_.exists(answer->task_id()));
}

TEST_F(IntakeServiceTest, AKeyThatCannotBeBoundFailsTheSubmitRetriablyAndPublishesNothing) {
  records_.fail_claims(Error{Errc::kUnavailable, "store down", ""});

  auto answer = submit(acme_, review(clock_.now(), {.idempotency_key = "k-1"}));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Errc::kUnavailable);
  EXPECT_TRUE(publisher_.published().empty());
}

// --- reading and cancelling ---

TEST_F(IntakeServiceTest, AFirmCannotSeeAnotherFirmsTask) {
  std::string task_id = submitted_task(acme_);
  v1::GetTaskRequest request;
  request.set_task_id(task_id);

  UnaryCall own(acme_key_);
  v1::Task seen;
  ASSERT_TRUE(intake_.GetTask(own.context(), &request, &seen).ok());
  EXPECT_EQ(seen.id(), task_id);

  // Answered exactly as a task that does not exist.
  UnaryCall other(globex_key_);
  grpc::Status status = intake_.GetTask(other.context(), &request, &seen);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "task_id: no task " + task_id);
  EXPECT_EQ(other.trailer("lexroute-field"), "task_id");

  UnaryCall explain(globex_key_);
  v1::RoutingDecision decision;
  EXPECT_EQ(intake_.ExplainTask(explain.context(), &request, &decision).error_code(),
            grpc::StatusCode::NOT_FOUND);
  UnaryCall watch(globex_key_);
  WatchStream stream;
  EXPECT_EQ(intake_.watch(watch.context(), request, &stream).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(stream.written.empty());
}

TEST_F(IntakeServiceTest, AFirmCannotCancelAnotherFirmsTask) {
  std::string task_id = submitted_task(acme_);
  size_t writes = records_.writes();
  v1::CancelTaskRequest request;
  request.set_task_id(task_id);

  UnaryCall other(globex_key_);
  v1::Task answer;
  grpc::Status status = intake_.CancelTask(other.context(), &request, &answer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "task_id: no task " + task_id);
  EXPECT_EQ(stored_status(task_id), v1::TASK_STATUS_QUEUED);
  EXPECT_EQ(records_.writes(), writes);
}

TEST_F(IntakeServiceTest, CancelEndsTheTaskOnceWithTheFirmsReasonOrADefault) {
  std::string with_reason = submitted_task(acme_, {.matter = "m-1"});
  std::string without = submitted_task(acme_, {.matter = "m-2"});
  v1::CancelTaskRequest request;
  request.set_task_id(with_reason);
  request.set_reason("matter settled");

  UnaryCall call(acme_key_);
  v1::Task answer;
  ASSERT_TRUE(intake_.CancelTask(call.context(), &request, &answer).ok());
  EXPECT_EQ(answer.status(), v1::TASK_STATUS_CANCELLED);
  ASSERT_GT(answer.history_size(), 0);
  EXPECT_EQ(answer.history(answer.history_size() - 1).reason(), "matter settled");
  EXPECT_EQ(answer.history(answer.history_size() - 1).actor(), "firm:acme");

  UnaryCall again(acme_key_);
  grpc::Status status = intake_.CancelTask(again.context(), &request, &answer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("already CANCELLED"), std::string::npos)
      << status.error_message();

  v1::CancelTaskRequest no_reason;
  no_reason.set_task_id(without);
  UnaryCall plain(acme_key_);
  ASSERT_TRUE(intake_.CancelTask(plain.context(), &no_reason, &answer).ok());
  EXPECT_EQ(answer.history(answer.history_size() - 1).reason(), "cancelled by firm");
}

TEST_F(IntakeServiceTest, ACancelWithAnOverlongReasonNamesTheFieldAndChangesNothing) {
  std::string task_id = submitted_task(acme_);
  size_t writes = records_.writes();
  v1::CancelTaskRequest request;
  request.set_task_id(task_id);
  request.set_reason(std::string(limits::kReason + 1, 'r'));

  UnaryCall call(acme_key_);
  v1::Task answer;
  grpc::Status status = intake_.CancelTask(call.context(), &request, &answer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call.trailer("lexroute-field"), "reason");
  EXPECT_EQ(stored_status(task_id), v1::TASK_STATUS_QUEUED);
  EXPECT_EQ(records_.writes(), writes);
}

TEST_F(IntakeServiceTest, AFirmSeesWhyItsTaskWasRoutedButNotTheOtherCandidates) {
  v1::Task routed;
  routed.set_id("t-routed");
  routed.set_firm_id(acme_);
  routed.set_status(v1::TASK_STATUS_WAITING);
  routed.mutable_last_decision()->set_outcome("WAITING");
  routed.mutable_last_decision()->set_reason("no reviewer on shift");
  routed.mutable_last_decision()->add_top_candidates()->set_staff_id("s-7");
  records_.put(routed);
  v1::GetTaskRequest request;
  request.set_task_id("t-routed");

  UnaryCall get(acme_key_);
  v1::Task task;
  ASSERT_TRUE(intake_.GetTask(get.context(), &request, &task).ok());
  EXPECT_EQ(task.last_decision().reason(), "no reviewer on shift");
  EXPECT_EQ(task.last_decision().top_candidates_size(), 0);

  UnaryCall explain(acme_key_);
  v1::RoutingDecision decision;
  ASSERT_TRUE(intake_.ExplainTask(explain.context(), &request, &decision).ok());
  EXPECT_EQ(decision.outcome(), "WAITING");
  EXPECT_EQ(decision.top_candidates_size(), 0);
}

TEST_F(IntakeServiceTest, ATaskNotRoutedYetHasNothingToExplain) {
  v1::GetTaskRequest request;
  request.set_task_id(submitted_task(acme_));

  UnaryCall call(acme_key_);
  v1::RoutingDecision decision;
  EXPECT_EQ(intake_.ExplainTask(call.context(), &request, &decision).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// --- watching ---

TEST_F(IntakeServiceTest, AWatchSendsEachChangeAndEndsWithTheTask) {
  std::string task_id = submitted_task(acme_);
  v1::GetTaskRequest request;
  request.set_task_id(task_id);
  WatchStream stream;
  stream.on_write = [&] {
    if (stream.written.size() != 1) return;
    ASSERT_TRUE(records_.cancel(acme_, task_id, "matter settled"));
    signals_.announce(keys::task_channel("default", task_id));
  };

  UnaryCall call(acme_key_);
  EXPECT_TRUE(intake_.watch(call.context(), request, &stream).ok());
  ASSERT_EQ(stream.written.size(), 2u);
  EXPECT_EQ(stream.written[0].status(), v1::TASK_STATUS_QUEUED);
  EXPECT_EQ(stream.written[1].status(), v1::TASK_STATUS_CANCELLED);
}

TEST_F(IntakeServiceTest, AWatchEndsWhenTheClientGoesAwayOrTheServiceStops) {
  v1::GetTaskRequest request;
  request.set_task_id(submitted_task(acme_));

  WatchStream gone;
  gone.reading = false;
  UnaryCall first(acme_key_);
  EXPECT_TRUE(intake_.watch(first.context(), request, &gone).ok());
  EXPECT_EQ(gone.written.size(), 1u);

  WatchStream open;
  open.on_write = [&] {
    intake_.stop();
    signals_.announce(keys::task_channel("default", request.task_id()));  // no waiting out a second
  };
  UnaryCall second(acme_key_);
  EXPECT_TRUE(intake_.watch(second.context(), request, &open).ok());
  EXPECT_EQ(open.written.size(), 1u);
}

// --- the door ---

TEST_F(IntakeServiceTest, CallsWithoutAKnownFirmKeyAreRefused) {
  std::string task_id = submitted_task(acme_);
  v1::GetTaskRequest request;
  request.set_task_id(task_id);
  v1::Task task;
  for (std::string key : {std::string(), std::string("lxk_not_issued")}) {
    SCOPED_TRACE(key);
    UnaryCall call(key);
    EXPECT_EQ(intake_.GetTask(call.context(), &request, &task).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_F(IntakeServiceTest, SubmitTaskRefusesACallWithoutAFirmKey) {
  // Declared before the service, so the service's threads are joined before the call is gone.
  grpc::CallbackServerContext context;
  std::promise<grpc::Status> finished;
  grpc::testing::DefaultReactorTestPeer peer(
      &context, [&](grpc::Status status) { finished.set_value(std::move(status)); });
  v1::SubmitTaskRequest request = review(clock_.now());
  v1::SubmitTaskResponse response;
  IntakeService intake(records_, pools_, credentials_, publisher_, signals_, clock_);

  // Answered on the service's own threads; the test peer hands the status over.
  intake.SubmitTask(&context, &request, &response);
  auto answered = finished.get_future();
  ASSERT_EQ(answered.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(answered.get().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(publisher_.published().empty());
  EXPECT_EQ(records_.writes(), 0u);
}

}  // namespace
}  // namespace lexroute
