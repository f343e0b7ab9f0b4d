#include "services/intake/intake_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>

#include "router/limits.h"
#include "router/payload_schemes.h"
#include "router/task_status.h"
#include "router/text.h"
#include "router/validation.h"
#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/request_parsing.h"
#include "services/common/secrets.h"
#include "services/common/task_id.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"

namespace lexroute {

using google::protobuf::util::TimeUtil;

void strip_for_firm(v1::RoutingDecision& decision) { decision.clear_top_candidates(); }

namespace {
void strip_task_for_firm(v1::Task& task) {
  if (task.has_last_decision()) strip_for_firm(*task.mutable_last_decision());
}
}  // namespace

std::string partition_key(const v1::TaskSubmitted& task) {
  return cat(task.spec().pool(), "|", task.firm_id(), "|", task.spec().matter_id());
}

Result<std::string> IntakeService::authenticate(grpc::ServerContext* context) {
  return credentials_.authenticate_firm(bearer_token(*context));
}

Result<void> IntakeService::check_pool(const std::string& pool) {
  if (pool == kDefaultPool) return {};
  {
    std::lock_guard lock(pools_mutex_);
    if (known_pools_.contains(pool)) return {};
  }
  auto listed = pools_.pools();
  if (!listed) return std::unexpected(listed.error());
  std::lock_guard lock(pools_mutex_);
  known_pools_.insert(listed->begin(), listed->end());
  if (known_pools_.contains(pool)) return {};
  std::string names(kDefaultPool);
  size_t named = 1;
  for (const auto& name : known_pools_) {
    if (name == kDefaultPool) continue;
    if (named == limits::kPoolsNamed) {
      names += cat(" and ", known_pools_.size() - named, " more");
      break;
    }
    names += cat(", ", name);
    ++named;
  }
  return fail(Errc::kInvalidArgument,
              cat("no pool ", bounded_quote(pool), " (pools: ", names,
                  "); an admin creates a pool by adding staff to it (UpsertStaff, ImportRoster) "
                  "or with ConfigurePool"),
              "spec.pool");
}

Result<IntakeService::Prepared> IntakeService::prepare(const std::string& firm,
                                                       const std::vector<std::string>& schemes,
                                                       const v1::SubmitTaskRequest& request) {
  v1::TaskSpec spec = request.spec();
  auto valid = validate_task_spec(spec, clock_.now());
  if (!valid) return std::unexpected(valid.error());
  if (auto allowed = check_payload_scheme(spec.payload_ref(), schemes); !allowed) {
    return std::unexpected(allowed.error());
  }
  auto key_ok = validate_idempotency_key(request.idempotency_key());
  if (!key_ok) return std::unexpected(key_ok.error());
  if (auto known = check_pool(spec.pool()); !known) return std::unexpected(known.error());

  int64_t now_ms = clock_.now_ms();
  Prepared p;
  p.task.set_task_id(new_task_id(now_ms, spec.pool()));
  p.task.set_firm_id(firm);
  *p.task.mutable_spec() = spec;
  *p.task.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(now_ms);
  // Fields this version does not know travel with the spec; a record Kafka would refuse is a
  // permanent error, refused before anything is bound or stored.
  size_t record_bytes = partition_key(p.task).size() + p.task.ByteSizeLong();
  if (record_bytes > publisher_.max_record_bytes()) {
    return fail(Errc::kInvalidArgument,
                cat("the task is ", record_bytes, " bytes encoded; Kafka takes at most ",
                    publisher_.max_record_bytes()),
                "spec");
  }
  if (request.idempotency_key().empty()) return p;

  std::string fingerprint = sha256_hex(spec.SerializeAsString());
  auto claim = records_.claim_idempotency_key(firm, request.idempotency_key(), p.task.task_id(),
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
  p.needs_publish = !records_.exists(claim->task_id);
  return p;
}

std::vector<Result<v1::SubmitTaskResponse>> IntakeService::submit_many(
    std::span<const Submission> batch) {
  if (auto refusal = backlog_ ? backlog_->holding_back() : std::nullopt) {
    // Back-pressure: nothing is bound, sent or recorded; the firm retries later.
    std::vector<Result<v1::SubmitTaskResponse>> refused(batch.size(), std::unexpected(*refusal));
    if (metrics_) {
      for (size_t i = 0; i < batch.size(); ++i) metrics_->failed(refusal->code);
    }
    return refused;
  }
  std::vector<Result<Prepared>> prepared;
  prepared.reserve(batch.size());
  std::vector<std::pair<std::string, std::string>> records;
  // The batch indices each record answers: one idempotency key sent twice in one batch binds
  // one task, which is produced once and answers both.
  std::vector<std::vector<size_t>> answered_by;
  std::map<std::string, size_t> record_of_task;
  // A batch usually comes from one firm: one look at its schemes each.
  std::map<std::string, Result<std::vector<std::string>>> schemes;
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string& firm = *batch[i].firm;
    auto known = schemes.find(firm);
    if (known == schemes.end()) {
      known = schemes.emplace(firm, credentials_.payload_schemes(firm)).first;
    }
    if (!known->second) {
      prepared.push_back(std::unexpected(known->second.error()));
      continue;
    }
    prepared.push_back(prepare(firm, *known->second, *batch[i].request));
    if (!prepared[i] || !prepared[i]->needs_publish) continue;
    auto [it, fresh] = record_of_task.try_emplace(prepared[i]->task.task_id(), records.size());
    if (fresh) {
      records.emplace_back(partition_key(prepared[i]->task), prepared[i]->task.SerializeAsString());
      answered_by.push_back({i});
    } else {
      prepared[i]->needs_publish = false;
      answered_by[it->second].push_back(i);
    }
  }
  std::vector<Result<void>> sent = publisher_.send_each(topics::kTasks, records);
  std::vector<const v1::TaskSubmitted*> in_kafka;
  for (size_t k = 0; k < sent.size(); ++k) {
    if (!sent[k]) {
      for (size_t i : answered_by[k]) prepared[i] = std::unexpected(sent[k].error());
    } else {
      in_kafka.push_back(&prepared[answered_by[k].front()]->task);
    }
  }
  // Kafka holds the tasks now; these records only let GetTask answer before the router has seen
  // them, and the router writes the same if this fails. One round trip for the lot: a round
  // trip per task would be most of a bulk call's time (docs/performance.md, "Measured choices").
  if (auto recorded = records_.record_queued(in_kafka); !recorded) {
    LOG_WARN("intake", in_kafka.size(),
             " tasks queued in Kafka but not yet in Redis: ", recorded.error().message);
  }
  std::vector<Result<v1::SubmitTaskResponse>> answers;
  answers.reserve(batch.size());
  for (auto& p : prepared) {
    if (!p) {
      if (metrics_) metrics_->failed(p.error().code);
      answers.push_back(std::unexpected(std::move(p.error())));
      continue;
    }
    if (metrics_) metrics_->acknowledged(p->task.spec(), p->needs_publish);
    v1::SubmitTaskResponse response;
    response.set_task_id(p->task.task_id());
    response.set_duplicate(p->duplicate);
    answers.push_back(std::move(response));
  }
  return answers;
}

void IntakeService::read_submit_tasks_as_bytes() {
  // What the generated WithStreamedUnaryMethod_ classes do, with bytes for the requests. Seen
  // from the server, a client stream is a bidirectional one with a single write.
  MarkMethodStreamed(
      method_index(v1::TaskIntake::service_full_name(), "SubmitTasks"),
      new grpc::internal::ClientStreamingHandler<IntakeService, grpc::ByteBuffer,
                                                 v1::SubmitTasksResponse>(
          [](IntakeService* service, grpc::ServerContext* context,
             grpc::ServerReader<grpc::ByteBuffer>* reader, v1::SubmitTasksResponse* response) {
            return service->SubmitTasks(context, reader, response);
          },
          this));
}

grpc::Status IntakeService::SubmitTasks(grpc::ServerContext* context,
                                        grpc::ServerReader<grpc::ByteBuffer>* reader,
                                        v1::SubmitTasksResponse* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  constexpr size_t kBatch = 512;
  int32_t index = 0;
  bool more = true;
  while (more) {
    // Read a bounded batch; the next is read only after Kafka acknowledged this one, so gRPC's
    // flow control holds a fast client back instead of this process buffering without bound.
    std::vector<v1::SubmitTaskRequest> requests;
    auto batch_started = std::chrono::steady_clock::now();
    for (grpc::ByteBuffer bytes; requests.size() < kBatch;) {
      if (!reader->Read(&bytes)) {
        more = false;
        break;
      }
      // Refused before this batch is submitted; earlier batches are already in Kafka, and a
      // resend with the same idempotency keys finds them.
      auto request = parse_request<v1::SubmitTaskRequest>(bytes);
      if (!request) return to_grpc_status(request.error(), context);
      if (requests.empty()) batch_started = std::chrono::steady_clock::now();
      requests.push_back(std::move(*request));
    }
    std::vector<Submission> batch;
    batch.reserve(requests.size());
    for (const auto& r : requests) batch.push_back({&*firm, &r});
    auto answers = submit_many(batch);
    for (auto& answer : answers) {
      auto* r = response->add_results();
      r->set_index(index++);
      if (!answer) {
        r->set_error_code(errc_name(answer.error().code));
        r->set_error_message(answer.error().message);
        r->set_field(answer.error().field);
        r->set_retry_after_ms(retry_pushback_ms(answer.error()));
        response->set_failed(response->failed() + 1);
        continue;
      }
      r->set_task_id(answer->task_id());
      r->set_duplicate(answer->duplicate());
      response->set_accepted(response->accepted() + 1);
      if (metrics_) {
        metrics_->answered("SubmitTasks", std::chrono::steady_clock::now() - batch_started);
      }
    }
  }
  LOG_INFO("intake", "firm=", *firm, " bulk submit: ", response->accepted(), " accepted, ",
           response->failed(), " failed");
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IntakeService::SubmitTask(grpc::CallbackServerContext* context,
                                                    const v1::SubmitTaskRequest* request,
                                                    v1::SubmitTaskResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  submits_.add({context, request, response, reactor, std::chrono::steady_clock::now()});
  return reactor;
}

void IntakeService::answer_submits(std::vector<SubmitQueue::Call>& group) {
  // A group usually comes from a handful of firms: one key lookup each.
  std::map<std::string, Result<std::string>> firms;
  std::vector<Submission> batch;
  std::vector<SubmitQueue::Call*> caller;  // of each batch entry
  for (auto& call : group) {
    std::string key = bearer_token(*call.context);
    auto it = firms.find(key);
    if (it == firms.end()) it = firms.emplace(key, credentials_.authenticate_firm(key)).first;
    if (!it->second) {
      call.reactor->Finish(to_grpc_status(it->second.error(), call.context));
      continue;
    }
    batch.push_back({&*it->second, call.request});
    caller.push_back(&call);
  }
  auto answers = submit_many(batch);
  for (size_t k = 0; k < answers.size(); ++k) {
    SubmitQueue::Call& call = *caller[k];
    if (!answers[k]) {
      const Error& e = answers[k].error();
      if (!is_retriable(e.code) && e.code != Errc::kInvalidArgument) {
        LOG_WARN("intake", "firm=", *batch[k].firm, " submit failed: ", e.message);
      }
      call.reactor->Finish(to_grpc_status(e, call.context));
      continue;
    }
    if (metrics_) metrics_->answered("SubmitTask", std::chrono::steady_clock::now() - call.started);
    *call.response = std::move(*answers[k]);
    call.reactor->Finish(grpc::Status::OK);
  }
}

Result<v1::Task> IntakeService::own_task(const std::string& firm, const std::string& task_id) {
  if (auto valid = validate_task_id(task_id); !valid) return std::unexpected(valid.error());
  auto task = records_.get(task_id);
  // Another firm's task is indistinguishable from one that does not exist.
  if (task && task->firm_id() != firm) {
    return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  }
  if (task) strip_task_for_firm(*task);
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
  return watch(context, *request, writer);
}

grpc::Status IntakeService::watch(grpc::ServerContext* context, const v1::GetTaskRequest& request,
                                  grpc::ServerWriterInterface<v1::Task>* writer) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  auto task = own_task(*firm, request.task_id());
  if (!task) return to_grpc_status(task.error(), context);
  const std::string channel = keys::task_channel(task->spec().pool(), task->id());
  int sent_steps = -1;
  while (!context->IsCancelled() && !stopping_.load()) {
    uint64_t seen = signals_.generation(channel);
    auto now = own_task(*firm, request.task_id());
    if (now && now->history_size() != sent_steps) {
      sent_steps = now->history_size();
      if (!writer->Write(*now)) return grpc::Status::OK;
      if (is_terminal(now->status())) return grpc::Status::OK;
    }
    // A missed notification costs at most this long: the loop looks again anyway.
    signals_.wait(channel, seen, std::chrono::milliseconds(1000));
  }
  return grpc::Status::OK;
}

grpc::Status IntakeService::CancelTask(grpc::ServerContext* context,
                                       const v1::CancelTaskRequest* request, v1::Task* response) {
  auto firm = authenticate(context);
  if (!firm) return to_grpc_status(firm.error(), context);
  if (auto valid = validate_task_id(request->task_id()); !valid) {
    return to_grpc_status(valid.error(), context);
  }
  if (auto valid = validate_text(request->reason(), limits::kReason, "reason"); !valid) {
    return to_grpc_status(valid.error(), context);
  }
  std::string reason = request->reason().empty() ? "cancelled by firm" : request->reason();
  auto task = records_.cancel(*firm, request->task_id(), reason);
  if (!task) return to_grpc_status(task.error(), context);
  strip_task_for_firm(*task);
  LOG_INFO("intake", "task=", request->task_id(), " firm=", *firm, " cancelled");
  *response = std::move(*task);
  return grpc::Status::OK;
}

}  // namespace lexroute
