#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "lexroute/v1/intake.grpc.pb.h"

namespace lexroute::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string short_status(v1::TaskStatus s) {
  std::string name = v1::TaskStatus_Name(s);
  return name.substr(std::string("TASK_STATUS_").size());
}

bool terminal(v1::TaskStatus s) {
  return s == v1::TASK_STATUS_COMPLETED || s == v1::TASK_STATUS_CANCELLED ||
         s == v1::TASK_STATUS_EXPIRED || s == v1::TASK_STATUS_UNROUTABLE;
}

void print_task(const v1::Task& t) {
  std::cout << "task     " << t.id() << "\n"
            << "status   " << short_status(t.status()) << "\n"
            << "matter   " << t.spec().matter_id() << "  kind "
            << v1::TaskKind_Name(t.spec().kind()).substr(10) << "  priority " << t.spec().priority()
            << "\n";
  if (!t.staff_id().empty()) std::cout << "staff    " << t.staff_id() << "\n";
  if (!t.outcome().empty()) std::cout << "outcome  " << t.outcome() << "\n";
  for (const auto& h : t.history()) {
    std::cout << "  " << TimeUtil::ToString(h.at()) << "  " << short_status(h.status()) << "  "
              << h.actor() << "  " << h.reason() << "\n";
  }
}

// GetTask, or nothing after printing why under `command`'s name.
std::optional<v1::Task> fetch_task(const Connection& conn, const std::string& task_id,
                                   const char* command) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  v1::GetTaskRequest request;
  request.set_task_id(task_id);
  v1::Task task;
  auto status = stub->GetTask(call_context(conn.secret).get(), request, &task);
  if (!status.ok()) {
    std::cerr << command << ": " << describe(status) << "\n";
    return std::nullopt;
  }
  return task;
}

}  // namespace

int task_get(const Connection& conn, const std::string& task_id, bool json) {
  auto fetched = fetch_task(conn, task_id, "task get");
  if (!fetched) return 1;
  const v1::Task& task = *fetched;
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions opts;
    opts.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(task, &out, opts);
    std::cout << out;
  } else {
    print_task(task);
  }
  return 0;
}

int task_watch(const Connection& conn, const std::string& task_id) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  v1::GetTaskRequest request;
  request.set_task_id(task_id);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + conn.secret);
  auto reader = stub->WatchTask(&ctx, request);
  v1::Task task;
  while (reader->Read(&task)) {
    const auto& last = task.history(task.history_size() - 1);
    std::cout << TimeUtil::ToString(last.at()) << "  " << short_status(task.status()) << "  "
              << last.actor() << "  " << last.reason() << std::endl;
  }
  auto status = reader->Finish();
  if (!status.ok()) {
    std::cerr << "task watch: " << describe(status) << "\n";
    return 1;
  }
  return 0;
}

int task_history(const Connection& conn, const std::string& task_id) {
  auto task = fetch_task(conn, task_id, "task history");
  if (!task) return 1;
  std::string previous = "-";
  for (const auto& h : task->history()) {
    std::string now = short_status(h.status());
    std::printf("%s  %-10s -> %-10s  %-22s %s\n", TimeUtil::ToString(h.at()).c_str(),
                previous.c_str(), now.c_str(), h.actor().c_str(), h.reason().c_str());
    previous = now;
  }
  return 0;
}

int task_explain(const Connection& conn, const std::string& task_id) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  v1::GetTaskRequest request;
  request.set_task_id(task_id);
  v1::RoutingDecision d;
  auto status = stub->ExplainTask(call_context(conn.secret).get(), request, &d);
  if (!status.ok()) {
    std::cerr << "task explain: " << describe(status) << "\n";
    return 1;
  }
  std::cout << "decided  " << TimeUtil::ToString(d.at()) << "\n"
            << "outcome  " << d.outcome()
            << (d.chosen_staff_id().empty() ? "" : " to " + d.chosen_staff_id()) << "\n"
            << "reason   " << d.reason() << "\n";
  if (d.has_expected_start()) {
    std::cout << "expected " << TimeUtil::ToString(d.expected_start()) << "\n";
  }
  if (d.sla_at_risk()) std::cout << "SLA      at risk\n";
  std::cout << "staff    " << d.staff_considered() << " in pool, " << d.staff_examined()
            << " examined\n";
  for (const auto& c : d.removed_by()) {
    std::cout << "  removed by " << c.constraint() << ": " << c.removed() << "\n";
  }
  if (d.top_candidates_size() > 0) {
    std::printf("  %-20s %7s %8s %5s %9s %7s\n", "candidate", "score", "affinity", "fit",
                "shift_fit", "balance");
  }
  for (const auto& c : d.top_candidates()) {
    std::printf("  %-20s %7.2f %8.2f %5.2f %9.2f %7.2f\n", c.staff_id().c_str(), c.score(),
                c.affinity(), c.fit(), c.shift_fit(), c.balance());
  }
  return 0;
}

int task_cancel(const Connection& conn, const std::string& task_id, const std::string& reason) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  v1::CancelTaskRequest request;
  request.set_task_id(task_id);
  request.set_reason(reason);
  v1::Task task;
  auto status = stub->CancelTask(call_context(conn.secret).get(), request, &task);
  if (!status.ok()) {
    std::cerr << "task cancel: " << describe(status) << "\n";
    return 1;
  }
  print_task(task);
  return 0;
}

int task_wait(const Connection& conn, const std::string& ids_file, int timeout_s) {
  std::ifstream in(ids_file);
  if (!in) {
    std::cerr << "task wait: cannot read " << ids_file << "\n";
    return 2;
  }
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  std::map<std::string, v1::TaskStatus> last;  // only tasks not yet terminal are asked again
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::map<std::string, int> counts;
  while (true) {
    counts.clear();
    size_t open = 0;
    for (const auto& id : ids) {
      auto it = last.find(id);
      if (it == last.end() || !terminal(it->second)) {
        v1::GetTaskRequest request;
        request.set_task_id(id);
        v1::Task task;
        auto status = stub->GetTask(call_context(conn.secret).get(), request, &task);
        last[id] = status.ok() ? task.status() : v1::TASK_STATUS_UNSPECIFIED;
      }
      v1::TaskStatus s = last[id];
      ++counts[s == v1::TASK_STATUS_UNSPECIFIED ? "MISSING" : short_status(s)];
      if (!terminal(s)) ++open;
    }
    std::cout << "progress:";
    for (const auto& [name, n] : counts) std::cout << " " << name << "=" << n;
    std::cout << std::endl;
    if (open == 0 || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cout << "total=" << ids.size() << " completed=" << counts["COMPLETED"]
            << " missing=" << counts["MISSING"] << "\n";
  return counts["COMPLETED"] == static_cast<int>(ids.size()) ? 0 : 1;
}

}  // namespace lexroute::cli
