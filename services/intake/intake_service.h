#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <span>
#include <vector>

#include "lexroute/v1/intake.grpc.pb.h"
#include "router/clock.h"
#include "services/intake/submit_queue.h"
#include "services/kafka/routing_backlog.h"
#include "services/metrics/intake_metrics.h"
#include "services/ports/change_signals.h"
#include "services/ports/firm_credentials.h"
#include "services/ports/intake_records.h"
#include "services/ports/pool_listing.h"
#include "services/ports/task_publisher.h"

namespace lexroute {

// gRPC TaskIntake: authenticate the firm, validate, dedupe by idempotency key, produce to
// lexroute.tasks.v1 and answer only after Kafka acknowledged. Keeps nothing between calls.
// SubmitTask is on gRPC's callback API, answered in groups by a SubmitQueue; the rest is
// synchronous. SubmitTasks reads its stream as bytes and parses each message itself
// (request_parsing.h): gRPC would pass a message it cannot parse off as the end of the stream.
class IntakeService final
    : public v1::TaskIntake::WithCallbackMethod_SubmitTask<v1::TaskIntake::Service> {
 public:
  IntakeService(IntakeRecords& records, PoolListing& pools, FirmCredentials& credentials,
                TaskPublisher& publisher, ChangeSignals& signals, const Clock& clock,
                IntakeMetrics* metrics = nullptr, const RoutingBacklog* backlog = nullptr)
      : records_(records),
        pools_(pools),
        credentials_(credentials),
        publisher_(publisher),
        signals_(signals),
        clock_(clock),
        metrics_(metrics),
        backlog_(backlog),
        submits_([this](std::vector<SubmitQueue::Call>& group) { answer_submits(group); },
                 kSubmitThreads, kMaxSubmitGroup) {
    read_submit_tasks_as_bytes();
  }

  // Ends open watch streams so a server shutdown does not wait on them.
  void stop() { stopping_ = true; }

  using WithCallbackMethod_SubmitTask::SubmitTask;  // the synchronous one is never called
  grpc::ServerUnaryReactor* SubmitTask(grpc::CallbackServerContext* context,
                                       const v1::SubmitTaskRequest* request,
                                       v1::SubmitTaskResponse* response) override;
  using WithCallbackMethod_SubmitTask::SubmitTasks;  // the typed one is never called
  grpc::Status SubmitTasks(grpc::ServerContext* context,
                           grpc::ServerReader<grpc::ByteBuffer>* reader,
                           v1::SubmitTasksResponse* response);
  grpc::Status GetTask(grpc::ServerContext* context, const v1::GetTaskRequest* request,
                       v1::Task* response) override;
  grpc::Status CancelTask(grpc::ServerContext* context, const v1::CancelTaskRequest* request,
                          v1::Task* response) override;
  grpc::Status ExplainTask(grpc::ServerContext* context, const v1::GetTaskRequest* request,
                           v1::RoutingDecision* response) override;
  grpc::Status WatchTask(grpc::ServerContext* context, const v1::GetTaskRequest* request,
                         grpc::ServerWriter<v1::Task>* writer) override;
  // WatchTask on any stream of tasks: gRPC's own writer cannot be made outside a call.
  grpc::Status watch(grpc::ServerContext* context, const v1::GetTaskRequest& request,
                     grpc::ServerWriterInterface<v1::Task>* writer);

  // Both submit doors, once the firm is authenticated: everything a submit does, for many at
  // once, with one wait for the publisher's acknowledgements and one write to record the tasks
  // as queued. One answer per submission, in order.
  struct Submission {
    const std::string* firm;
    const v1::SubmitTaskRequest* request;
  };
  std::vector<Result<v1::SubmitTaskResponse>> submit_many(std::span<const Submission> batch);

 private:
  Result<std::string> authenticate(grpc::ServerContext* context);
  void read_submit_tasks_as_bytes();
  // Threads answering unary submits: enough that one group gathers while others wait for Kafka.
  static constexpr size_t kSubmitThreads = 2;
  static constexpr size_t kMaxSubmitGroup = 512;

  struct Prepared {
    v1::TaskSubmitted task;
    bool duplicate = false;     // an earlier submit with the same idempotency key made it
    bool needs_publish = true;  // false when that earlier submit is already in Kafka
  };
  // A task may only name a pool that exists: "default", or one an admin created by adding staff
  // to it or configuring it. Pools are never deleted, so the ones seen are remembered and the
  // list is read again only for a name not seen yet.
  Result<void> check_pool(const std::string& pool);
  // Validates, assigns the id, binds the idempotency key: everything before Kafka.
  // `schemes` are the firm's added payload_ref schemes.
  Result<Prepared> prepare(const std::string& firm, const std::vector<std::string>& schemes,
                           const v1::SubmitTaskRequest& request);
  void answer_submits(std::vector<SubmitQueue::Call>& group);
  Result<v1::Task> own_task(const std::string& firm, const std::string& task_id);

  IntakeRecords& records_;
  PoolListing& pools_;
  FirmCredentials& credentials_;
  TaskPublisher& publisher_;
  ChangeSignals& signals_;
  const Clock& clock_;
  IntakeMetrics* metrics_;  // when given
  // When given, new work is refused while the routers are too far behind (back-pressure).
  const RoutingBacklog* backlog_;
  std::atomic<bool> stopping_{false};
  std::mutex pools_mutex_;
  std::set<std::string> known_pools_;  // guarded by pools_mutex_
  SubmitQueue submits_;                // last: its threads use everything above
};

// What a firm may see of a routing decision: the counts per constraint, the outcome and the
// reason, not which other staff members were considered or their scores.
void strip_for_firm(v1::RoutingDecision& decision);

// The Kafka key of a task: one firm's matter in one pool stays on one partition, in order.
std::string partition_key(const v1::TaskSubmitted& task);

}  // namespace lexroute
