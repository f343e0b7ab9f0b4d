#include "services/intake/intake_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

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

Result<IntakeService::Prepared> IntakeService::prepare(const std::string& firm,
                                                       const v1::SubmitTaskRequest& request) {
  v1::TaskSpec spec = request.spec();
  auto valid = validate_task_spec(spec, clock_.now());
  if (!valid) return std::unexpected(valid.error());
  auto key_ok = validate_idempotency_key(request.idempotency_key());
  if (!key_ok) return std::unexpected(key_ok.error());

  int64_t now_ms = clock_.now_ms();
  Prepared p;
  p.task.set_task_id(new_task_id(now_ms, spec.pool()));
  p.task.set_firm_id(firm);
  *p.task.mutable_spec() = spec;
  *p.task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(now_ms);
  if (request.idempotency_key().empty()) return p;

  std::string fingerprint = sha256_hex(spec.SerializeAsString());
  auto claim = tasks_.claim_idempotency_key(firm, request.idempotency_key(), p.task.task_id(),
                                            fingerprint, p.task.SerializeAsString());
  if (!claim) return std::unexpected(claim.error());
  if (claim->is_new) return p;
  if (claim->fingerprint != fingerprint) {
    return fail(Errc::kFailedPrecondition,
                "idempotency_key was already used for a different task (" + claim->task_id + ")",
                "idempotency_key");
  }
  p.duplicate = true;
  // The first attempt bound the key but may not have reached Kafka: send the very same record
  // again. The router ignores a task id it has already routed.
  if (!p.task.ParseFromString(claim->record)) {
    return fail(Errc::kInternal, "stored submission for " + claim->task_id + " is corrupt");
  }
  p.needs_publish = !tasks_.exists(claim->task_id);
  return p;
}

void IntakeService::queued(const v1::TaskSubmitted& task) {
  // Kafka holds the task now; this record only lets GetTask answer before the router has seen
  // it. The router writes the same record if this fails.
  auto recorded = tasks_.record_queued(task);
  if (!recorded) {
    LOG_WARN("intake", "task=", task.task_id(),
             " queued in Kafka but not yet in Redis: ", recorded.error().message);
  }
}

Result<v1::SubmitTaskResponse> IntakeService::submit(const std::string& firm,
                                                     const v1::SubmitTaskRequest& request) {
  auto p = prepare(firm, request);
  if (!p) return std::unexpected(p.error());
  if (p->needs_publish) {
    auto sent = producer_.send(topics::kTasks, partition_key(p->task), p->task.SerializeAsString());
    if (!sent) return std::unexpected(sent.error());
    queued(p->task);
  }
  if (metrics_) metrics_->acknowledged(p->task.spec(), p->needs_publish);
  v1::SubmitTaskResponse response;
  response.set_task_id(p->task.task_id());
  response.set_duplicate(p->duplicate);
  return response;
}

grpc::Status IntakeService::SubmitTasks(grpc::ServerContext* context,
                                        grpc::ServerReader<v1::SubmitTaskRequest>* reader,
                                        v1::SubmitTasksResponse* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  constexpr size_t kBatch = 512;
  auto batch_started = std::chrono::steady_clock::now();
  int32_t index = 0;
  bool more = true;
  while (more) {
    // Read a bounded batch; the next is read only after Kafka acknowledged this one, so gRPC's
    // flow control holds a fast client back instead of this process buffering without bound.
    std::vector<std::pair<int32_t, Prepared>> ready;
    std::vector<std::pair<std::string, std::string>> records;
    std::vector<size_t> record_of;  // ready[] index of each record
    v1::SubmitTaskRequest request;
    for (size_t n = 0; n < kBatch; ++n) {
      if (!reader->Read(&request)) {
        more = false;
        break;
      }
      int32_t i = index++;
      if (n == 0) batch_started = std::chrono::steady_clock::now();
      auto p = prepare(*firm, request);
      if (!p) {
        if (metrics_) metrics_->failed(p.error().code);
        auto* r = response->add_results();
        r->set_index(i);
        r->set_error_code(errc_name(p.error().code));
        r->set_error_message(p.error().message);
        r->set_field(p.error().field);
        continue;
      }
      if (p->needs_publish) {
        records.emplace_back(partition_key(p->task), p->task.SerializeAsString());
        record_of.push_back(ready.size());
      }
      ready.emplace_back(i, std::move(*p));
    }
    std::vector<Result<void>> sent = producer_.send_each(topics::kTasks, records);
    std::vector<const Error*> failure(ready.size(), nullptr);
    std::vector<const v1::TaskSubmitted*> in_kafka;
    for (size_t k = 0; k < sent.size(); ++k) {
      if (!sent[k]) {
        failure[record_of[k]] = &sent[k].error();
      } else {
        in_kafka.push_back(&ready[record_of[k]].second.task);
      }
    }
    // One round trip for the batch: a round trip per task was most of a bulk call's time.
    if (auto recorded = tasks_.record_queued(in_kafka); !recorded) {
      LOG_WARN("intake", in_kafka.size(),
               " tasks queued in Kafka but not yet in Redis: ", recorded.error().message);
    }
    for (size_t k = 0; k < ready.size(); ++k) {
      auto* r = response->add_results();
      r->set_index(ready[k].first);
      if (failure[k] != nullptr) {
        if (metrics_) metrics_->failed(failure[k]->code);
        r->set_error_code(errc_name(failure[k]->code));
        r->set_error_message(failure[k]->message);
      } else {
        r->set_task_id(ready[k].second.task.task_id());
        r->set_duplicate(ready[k].second.duplicate);
        if (metrics_) {
          metrics_->acknowledged(ready[k].second.task.spec(), ready[k].second.needs_publish);
          metrics_->answered("SubmitTasks", std::chrono::steady_clock::now() - batch_started);
        }
      }
    }
  }
  std::sort(response->mutable_results()->begin(), response->mutable_results()->end(),
            [](const auto& a, const auto& b) { return a.index() < b.index(); });
  for (const auto& r : response->results()) {
    if (r.error_code().empty()) {
      response->set_accepted(response->accepted() + 1);
    } else {
      response->set_failed(response->failed() + 1);
    }
  }
  LOG_INFO("intake", "firm=", *firm, " bulk submit: ", response->accepted(), " accepted, ",
           response->failed(), " failed");
  return grpc::Status::OK;
}

grpc::Status IntakeService::SubmitTask(grpc::ServerContext* context,
                                       const v1::SubmitTaskRequest* request,
                                       v1::SubmitTaskResponse* response) {
  auto started = std::chrono::steady_clock::now();
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto submitted = submit(*firm, *request);
  if (metrics_ && !submitted) metrics_->failed(submitted.error().code);
  if (metrics_ && submitted)
    metrics_->answered("SubmitTask", std::chrono::steady_clock::now() - started);
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

grpc::Status IntakeService::GetTask(grpc::ServerContext* context, const v1::GetTaskRequest* request,
                                    v1::Task* response) {
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
    return to_grpc_status(
        {Errc::kFailedPrecondition, "task " + request->task_id() + " has not been routed yet", ""},
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
