#include "loadtest/submitter.h"

#include <google/protobuf/util/time_util.h>

#include <thread>

#include "cli/client.h"

namespace lexroute::loadtest {
namespace {

using google::protobuf::util::TimeUtil;
using Clock = std::chrono::steady_clock;

// Open loop: at most this many calls waiting for an answer; beyond it the load tester itself is
// the bottleneck, and it says so (not_sent) rather than queueing without bound.
constexpr int64_t kMaxInFlight = 20000;

void authorize_firm(grpc::ClientContext& ctx, const std::string& key) {
  cli::authorize(ctx, key, std::chrono::seconds(60));
}

}  // namespace

Submitter::Submitter(Options options, Ledger& ledger, LatencyLog& acks)
    : options_(std::move(options)), ledger_(ledger), acks_(acks) {
  for (size_t i = 0; i < std::max<size_t>(options_.channels, 1); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("lexroute.loadtest.channel", static_cast<int>(i));
    stubs_.push_back(
        v1::TaskIntake::NewStub(cli::open_channel(options_.server, options_.security, args)));
  }
}

v1::SubmitTaskRequest Submitter::task(uint64_t seq) const {
  v1::SubmitTaskRequest r;
  auto* s = r.mutable_spec();
  s->set_matter_id("load-" + std::to_string(seq % 100));
  s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  auto* skill = s->add_required_skills();
  skill->set_skill("doc-review");
  skill->set_min_proficiency(2);
  s->set_priority(static_cast<int>(seq % 10));
  *s->mutable_deadline() = TimeUtil::GetCurrentTime() + TimeUtil::HoursToDuration(24);
  s->set_effort_minutes(10);
  s->set_payload_ref(Ledger::payload_ref(seq));
  s->set_pool(options_.pool);
  return r;
}

bool Submitter::warm_up(const std::function<bool()>& offered, std::chrono::seconds limit) {
  v1::SubmitTaskRequest request = task(0);
  request.mutable_spec()->set_payload_ref(kWarmUpRef);
  grpc::ClientContext ctx;
  authorize_firm(ctx, key(0));
  v1::SubmitTaskResponse response;
  grpc::Status s = stub(0).SubmitTask(&ctx, request, &response);
  if (!s.ok()) {
    record_error(s);
    return false;
  }
  auto until = Clock::now() + limit;
  while (!offered()) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

void Submitter::record_error(const grpc::Status& s) {
  std::lock_guard lock(errors_mutex_);
  ++errors_[cli::describe(s).substr(0, 80)];
}

std::map<std::string, uint64_t> Submitter::errors() const {
  std::lock_guard lock(errors_mutex_);
  return errors_;
}

void Submitter::run(SteadyTime until) {
  if (options_.mode == Mode::kBulk) {
    std::vector<std::thread> threads;
    for (int i = 0; i < options_.concurrency; ++i)
      threads.emplace_back([=, this] { bulk(i, until); });
    for (auto& t : threads) t.join();
  } else if (options_.rate > 0) {
    open_loop(until);
  } else {
    closed_loop(until);
  }
}

void Submitter::wait_for_answers() const {
  while (in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

bool Submitter::send_next(size_t stub_index, std::function<void()> then) {
  struct Call {
    grpc::ClientContext ctx;
    v1::SubmitTaskRequest request;
    v1::SubmitTaskResponse response;
    SteadyTime sent;
  };
  auto* call = new Call();
  call->sent = Clock::now();
  auto seq = ledger_.next(call->sent);
  if (!seq) {
    delete call;
    return false;
  }
  authorize_firm(call->ctx, key(*seq));
  call->request = task(*seq);
  ++in_flight_;
  stub(stub_index)
      .async()
      ->SubmitTask(&call->ctx, &call->request, &call->response,
                   [this, call, then = std::move(then)](grpc::Status s) {
                     auto now = Clock::now();
                     if (s.ok()) {
                       acks_.add(now, now - call->sent);
                       ++acknowledged_;
                     } else {
                       record_error(s);
                     }
                     delete call;
                     if (then) then();  // before the count drops, so run() cannot return early
                     --in_flight_;
                   });
  return true;
}

void Submitter::closed_loop(SteadyTime until) {
  // Each caller sends again from its previous call's answer, on gRPC's callback threads: a
  // thread per caller would take CPU from the server on the same machine (docs/performance.md,
  // "Measured choices").
  std::function<void(size_t)> again = [&again, this, until](size_t caller) {
    if (Clock::now() < until) send_next(caller, [&again, caller] { again(caller); });
  };
  for (int i = 0; i < options_.concurrency; ++i) again(static_cast<size_t>(i));
  wait_for_answers();  // `again` must outlive every answer that calls it
}

void Submitter::open_loop(SteadyTime until) {
  auto start = Clock::now();
  uint64_t issued = 0;
  size_t next_stub = 0;
  while (Clock::now() < until) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    auto due = static_cast<uint64_t>(elapsed * options_.rate);
    for (; issued < due; ++issued) {
      if (in_flight_.load() >= kMaxInFlight) {
        ++not_sent_;
        continue;
      }
      if (!send_next(next_stub++, nullptr)) break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  wait_for_answers();
}

void Submitter::bulk(size_t worker, SteadyTime until) {
  while (Clock::now() < until) {
    grpc::ClientContext ctx;
    authorize_firm(ctx, options_.firm_keys[worker % options_.firm_keys.size()]);
    v1::SubmitTasksResponse response;
    auto writer = stub(worker).SubmitTasks(&ctx, &response);
    std::vector<SteadyTime> sent;
    sent.reserve(static_cast<size_t>(options_.bulk_batch));
    for (int i = 0; i < options_.bulk_batch; ++i) {
      auto at = Clock::now();
      auto seq = ledger_.next(at);
      if (!seq) break;
      if (!writer->Write(task(*seq))) break;
      sent.push_back(at);
    }
    writer->WritesDone();
    auto s = writer->Finish();
    auto now = Clock::now();
    if (!s.ok()) {
      record_error(s);
      continue;
    }
    // Every item is acknowledged when the stream's answer arrives.
    for (const auto& r : response.results()) {
      if (r.task_id().empty()) {
        std::lock_guard lock(errors_mutex_);
        ++errors_[r.error_code() + " " + r.error_message().substr(0, 60)];
        continue;
      }
      if (r.index() >= 0 && static_cast<size_t>(r.index()) < sent.size()) {
        acks_.add(now, now - sent[static_cast<size_t>(r.index())]);
        ++acknowledged_;
      }
    }
  }
}

}  // namespace lexroute::loadtest
