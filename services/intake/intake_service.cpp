#include "services/intake/intake_service.h"

#include <google/protobuf/util/time_util.h>

#include "router/text.h"
#include "router/validation.h"
#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/secrets.h"
#include "services/common/task_id.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"

namespace lexroute {

using google::protobuf::util::TimeUtil;

bool is_final(v1::TaskStatus status) {
  return status == v1::TASK_STATUS_COMPLETED || status == v1::TASK_STATUS_CANCELLED ||
         status == v1::TASK_STATUS_EXPIRED || status == v1::TASK_STATUS_UNROUTABLE;
}

std::string partition_key(const v1::TaskSubmitted& task) {
  return cat(task.spec().pool(), "|", task.firm_id(), "|", task.spec().matter_id());
}

Result<std::string> IntakeService::authenticate(grpc::ServerContext* context) {
  return credentials_.authenticate_firm(bearer_token(*context));
}

Result<void> IntakeService::publish(const v1::TaskSubmitted& task) {
  auto sent = producer_.send(topics::kTasks, partition_key(task), task.SerializeAsString());
  if (!sent) return sent;
  // Kafka holds the task now; this record only lets GetTask answer before the router has
  // seen it. The router writes the same record if this fails.
  auto recorded = tasks_.record_queued(task);
  if (!recorded) {
    LOG_WARN("intake", "task=", task.task_id(),
             " queued in Kafka but not yet in Redis: ", recorded.error().message);
  }
  return {};
}

Result<v1::SubmitTaskResponse> IntakeService::submit(const std::string& firm,
                                                     const v1::SubmitTaskRequest& request) {
  v1::TaskSpec spec = request.spec();
  auto valid = validate_task_spec(spec, clock_.now());
  if (!valid) return std::unexpected(valid.error());
  auto key_ok = validate_idempotency_key(request.idempotency_key());
  if (!key_ok) return std::unexpected(key_ok.error());

  int64_t now_ms = clock_.now_ms();
  v1::TaskSubmitted task;
  task.set_task_id(new_task_id(now_ms, spec.pool()));
  task.set_firm_id(firm);
  *task.mutable_spec() = spec;
  *task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(now_ms);

  v1::SubmitTaskResponse response;
  if (!request.idempotency_key().empty()) {
    std::string fingerprint = sha256_hex(spec.SerializeAsString());
    auto claim = tasks_.claim_idempotency_key(firm, request.idempotency_key(), task.task_id(),
                                              fingerprint, task.SerializeAsString());
    if (!claim) return std::unexpected(claim.error());
    if (!claim->is_new) {
      if (claim->fingerprint != fingerprint) {
        return fail(
            Errc::kFailedPrecondition,
            "idempotency_key was already used for a different task (" + claim->task_id + ")",
            "idempotency_key");
      }
      response.set_task_id(claim->task_id);
      response.set_duplicate(true);
      if (tasks_.exists(claim->task_id)) return response;
      // The first attempt bound the key but may not have reached Kafka: send the very same
      // record again. The router ignores a task id it has already routed.
      if (!task.ParseFromString(claim->record)) {
        return fail(Errc::kInternal, "stored submission for " + claim->task_id + " is corrupt");
      }
    }
  }
  auto published = publish(task);
  if (!published) return std::unexpected(published.error());
  response.set_task_id(task.task_id());
  LOG_DEBUG("intake", "task=", task.task_id(), " firm=", firm, " queued");
  return response;
}

grpc::Status IntakeService::SubmitTask(grpc::ServerContext* context,
                                       const v1::SubmitTaskRequest* request,
                                       v1::SubmitTaskResponse* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto submitted = submit(*firm, *request);
  if (!submitted) {
    if (!is_retriable(submitted.error().code) && submitted.error().code != Errc::kInvalidArgument) {
      LOG_WARN("intake", "firm=", *firm, " submit failed: ", submitted.error().message);
    }
    return to_grpc_status(submitted.error(), context);
  }
  *response = std::move(*submitted);
  return grpc::Status::OK;
}

Result<v1::Task> IntakeService::own_task(const std::string& firm, const std::string& task_id) {
  if (task_id.empty()) return fail(Errc::kInvalidArgument, "task_id is required", "task_id");
  auto task = tasks_.get(task_id);
  // Another firm's task is indistinguishable from one that does not exist.
  if (task && task->firm_id() != firm) {
    return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  }
  return task;
}

grpc::Status IntakeService::GetTask(grpc::ServerContext* context,
                                    const v1::GetTaskRequest* request, v1::Task* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto task = own_task(*firm, request->task_id());
  if (!task) return to_grpc_status(task.error(), context);
  *response = std::move(*task);
  return grpc::Status::OK;
}

grpc::Status IntakeService::ExplainTask(grpc::ServerContext* context,
                                        const v1::GetTaskRequest* request,
                                        v1::RoutingDecision* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto task = own_task(*firm, request->task_id());
  if (!task) return to_grpc_status(task.error(), context);
  if (!task->has_last_decision()) {
    return to_grpc_status({Errc::kFailedPrecondition,
                           "task " + request->task_id() + " has not been routed yet", ""},
                          context);
  }
  *response = task->last_decision();
  return grpc::Status::OK;
}

grpc::Status IntakeService::WatchTask(grpc::ServerContext* context,
                                      const v1::GetTaskRequest* request,
                                      grpc::ServerWriter<v1::Task>* writer) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto task = own_task(*firm, request->task_id());
  if (!task) return to_grpc_status(task.error(), context);
  const std::string channel = keys::task_channel(task->spec().pool(), task->id());
  int sent_steps = -1;
  while (!context->IsCancelled() && !stopping_.load()) {
    uint64_t seen = notifier_.generation(channel);
    auto now = own_task(*firm, request->task_id());
    if (now && now->history_size() != sent_steps) {
      sent_steps = now->history_size();
      if (!writer->Write(*now)) return grpc::Status::OK;
      if (is_final(now->status())) return grpc::Status::OK;
    }
    // A missed notification costs at most this long: the loop looks again anyway.
    notifier_.wait(channel, seen, std::chrono::milliseconds(1000));
  }
  return grpc::Status::OK;
}

grpc::Status IntakeService::CancelTask(grpc::ServerContext* context,
                                       const v1::CancelTaskRequest* request, v1::Task* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  if (request->task_id().empty()) {
    return to_grpc_status({Errc::kInvalidArgument, "task_id is required", "task_id"}, context);
  }
  if (request->reason().size() > 500) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "reason must be at most 500 characters", "reason"}, context);
  }
  std::string reason = request->reason().empty() ? "cancelled by firm" : request->reason();
  auto task = tasks_.cancel(*firm, request->task_id(), reason);
  if (!task) return to_grpc_status(task.error(), context);
  LOG_INFO("intake", "task=", request->task_id(), " firm=", *firm, " cancelled");
  *response = std::move(*task);
  return grpc::Status::OK;
}

}  // namespace lexroute
