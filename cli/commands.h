#pragma once

#include <string>
#include <vector>

#include "cli/client.h"
#include "lexroute/v1/admin.pb.h"
#include "lexroute/v1/intake.pb.h"

// Each `lexroute` subcommand: takes its parsed options, talks gRPC, prints, returns an exit code.
namespace lexroute::cli {

int submit_one(const Connection& conn, const v1::SubmitTaskRequest& request);
// One SubmitTaskRequest per line (protobuf JSON), sent as one SubmitTasks stream; prints a line
// per failure and a summary.
int submit_file(const Connection& conn, const std::string& path, const std::string& ids_out);

int task_get(const Connection& conn, const std::string& task_id, bool json);
// Prints the task's status at every change until it is final.
int task_watch(const Connection& conn, const std::string& task_id);
// The audit trail of one task: every transition with time, actor and reason.
int task_history(const Connection& conn, const std::string& task_id);
int task_explain(const Connection& conn, const std::string& task_id);
int task_cancel(const Connection& conn, const std::string& task_id, const std::string& reason);
// Follows the tasks listed in `ids_file` until all are terminal or `timeout_s` passes, printing
// progress; the last line counts them.
int task_wait(const Connection& conn, const std::string& ids_file, int timeout_s);

int firm_create(const Connection& conn, const std::string& firm_id, const std::string& name);
int pool_configure(const Connection& conn, v1::ConfigurePoolRequest request,
                   const std::string& strategy);
// One Staff per line (protobuf JSON); writes "staff_id token" lines to `tokens_out`.
int staff_load(const Connection& conn, const std::string& path, const std::string& tokens_out);

// A summary for ops from the /metrics pages at `sources` (host:port or a URL): pools, backlog,
// oldest wait, SLA at risk, staff on shift per region, throughput. Refreshes in place every
// `interval_s` until SIGINT/SIGTERM; with `once`, prints one snapshot (two looks `interval_s`
// apart, for the rates) and returns.
int status(const std::vector<std::string>& sources, bool once, double interval_s);

// Simulated staff from a tokens file until SIGINT/SIGTERM or `seconds` pass.
int worker_auto(const Connection& conn, const std::string& tokens_file, int think_ms,
                double reject_rate, int seconds);

}  // namespace lexroute::cli
