// lexroute: the command-line client for firms, operators and (simulated) staff.
#include <google/protobuf/util/time_util.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/tls_flags.h"
#include "cli/workforce_command.h"

namespace {

using google::protobuf::util::TimeUtil;

std::string env_or(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

struct SubmitFlags {
  std::string file, ids_out, matter, kind = "document-review", deadline, payload_ref, pool, key;
  std::vector<std::string> skills, languages, regions, parties;
  std::string jurisdiction, vendor;
  int tier = 0;
  int priority = 5, effort = 30;
  int due_in_hours = 48;
};

// "doc-review:3" -> skill and minimum proficiency.
bool parse_skill(const std::string& text, lexroute::v1::SkillRequirement* out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  out->set_skill(text.substr(0, colon));
  try {
    out->set_min_proficiency(std::stoi(text.substr(colon + 1)));
  } catch (...) {
    return false;
  }
  return true;
}

bool parse_kind(std::string name, lexroute::v1::TaskKind* out) {
  for (auto& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return lexroute::v1::TaskKind_Parse("TASK_KIND_" + name, out);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lexroute::cli;
  CLI::App app{"lexroute: submit and follow legal work, set up firms and staff, simulate staff."};
  app.require_subcommand(1);
  app.fallthrough();  // parent options (--server, --api-key) may follow the subcommand
  Connection conn{env_or("LEXROUTE_SERVER", "127.0.0.1:50051"), "", {}};
  app.add_option("--server", conn.server, "lexrouted gRPC address (LEXROUTE_SERVER)")
      ->capture_default_str();
  TlsFlags tls_flags;
  add_tls_flags(app, tls_flags);

  // Firm commands use the firm API key.
  std::string api_key = env_or("LEXROUTE_API_KEY");
  SubmitFlags sf;
  auto* submit = app.add_subcommand(
      "submit", "Submit one task, or many from --file (JSON lines, one bulk SubmitTasks stream)");
  submit->add_option("--api-key", api_key, "Firm API key (LEXROUTE_API_KEY)");
  submit->add_option("--file", sf.file, "One SubmitTaskRequest (protobuf JSON) per line");
  submit->add_option("--ids-out", sf.ids_out, "With --file: write the new task ids here");
  submit->add_option("--matter", sf.matter, "Matter id");
  submit->add_option("--kind", sf.kind, "document-review, legal-research, transcription, ...")
      ->capture_default_str();
  submit->add_option("--skill", sf.skills, "Required skill as name:min-proficiency (repeatable)");
  submit->add_option("--priority", sf.priority, "0 (lowest) to 9")->capture_default_str();
  submit->add_option("--effort", sf.effort, "Estimated effort in minutes")->capture_default_str();
  submit->add_option("--deadline", sf.deadline, "RFC 3339 time, e.g. 2026-12-01T09:00:00Z");
  submit->add_option("--due-in-hours", sf.due_in_hours, "Deadline from now when no --deadline")
      ->capture_default_str();
  submit->add_option("--payload-ref", sf.payload_ref, "URI of the document in the firm's store");
  submit->add_option("--pool", sf.pool, "Target pool (default: default)");
  submit->add_option("--idempotency-key", sf.key, "Same key, same task");
  submit->add_option("--language", sf.languages, "Language needed (repeatable)");
  submit->add_option("--jurisdiction", sf.jurisdiction, "Bar admission needed, e.g. us-ny");
  submit->add_option("--tier", sf.tier, "Confidentiality tier 0-4");
  submit->add_option("--region", sf.regions, "Allowed data-residency region (repeatable)");
  submit->add_option("--party", sf.parties, "Party named on the task (repeatable)");
  submit->add_option("--vendor", sf.vendor, "Only staff of this vendor");

  auto* task = app.add_subcommand("task", "Follow or cancel tasks");
  task->require_subcommand(1);
  task->fallthrough();
  task->add_option("--api-key", api_key, "Firm API key (LEXROUTE_API_KEY)");
  std::string task_id, reason, ids_file;
  bool json = false;
  int timeout_s = 120;
  auto* get = task->add_subcommand("get", "Status and history of a task");
  get->add_option("id", task_id)->required();
  get->add_flag("--json", json, "Print protobuf JSON");
  auto* cancel = task->add_subcommand("cancel", "Cancel a task");
  cancel->add_option("id", task_id)->required();
  cancel->add_option("--reason", reason);
  auto* watch = task->add_subcommand("watch", "Follow a task's status live until it is done");
  watch->add_option("id", task_id)->required();
  auto* history = task->add_subcommand("history", "Every transition of a task (audit trail)");
  history->add_option("id", task_id)->required();
  auto* explain = task->add_subcommand("explain", "Why the task went where it went");
  explain->add_option("id", task_id)->required();
  auto* wait = task->add_subcommand("wait", "Follow tasks until all are done");
  wait->add_option("--ids", ids_file, "File with one task id per line")->required();
  wait->add_option("--timeout", timeout_s, "Seconds")->capture_default_str();

  // Operator commands use the admin key.
  std::string admin_key = env_or("LEXROUTE_ADMIN_KEY");
  std::string admin_key_file;
  auto* admin = app.add_subcommand("admin", "Firms and the staff roster (admin key)");
  admin->require_subcommand(1);
  admin->fallthrough();
  admin->add_option("--admin-key", admin_key, "Admin key (LEXROUTE_ADMIN_KEY)");
  admin->add_option("--admin-key-file", admin_key_file, "File holding the admin key");
  std::string firm_id, firm_name, staff_file, tokens_out;
  auto* firm = admin->add_subcommand("create-firm", "Create a firm; prints its API key once");
  firm->add_option("firm_id", firm_id)->required();
  firm->add_option("--name", firm_name);
  auto* staff = admin->add_subcommand("load-staff", "Add or update staff from JSON lines");
  staff->add_option("file", staff_file)->required();
  staff->add_option("--tokens-out", tokens_out, "Issue staff tokens and write them here");

  std::string pool_name, strategy;
  int offer_timeout = 0, max_offers = 0, presence_timeout = 0, accepted_grace = -1;
  auto* pool_cmd = admin->add_subcommand("configure-pool", "Set how a pool balances work");
  pool_cmd->add_option("pool", pool_name)->required();
  pool_cmd->add_option("--strategy", strategy, "least-loaded, longest-idle or round-robin");
  pool_cmd->add_option("--offer-timeout", offer_timeout, "Seconds to accept an offer (10-86400)");
  pool_cmd->add_option("--max-offers", max_offers, "Offers per task before it is unroutable");
  pool_cmd->add_option("--presence-timeout", presence_timeout,
                       "Seconds without a heartbeat before staff go offline (10-604800)");
  pool_cmd->add_option("--accepted-grace", accepted_grace,
                       "Seconds accepted work stays with silent staff after that (0-604800)");

  WorkforceCli workforce;
  add_workforce_commands(app, workforce, env_or("LEXROUTE_ADMIN_KEY"));

  std::string tokens_file;
  int think_ms = 50, seconds = 0;
  double reject_rate = 0;
  bool auto_mode = false;
  auto* worker = app.add_subcommand("worker", "Staff side: simulated staff on the gateway");
  worker->add_flag("--auto", auto_mode, "Accept and complete offers automatically")->required();
  worker->add_option("--tokens", tokens_file, "File of 'staff_id token' lines")->required();
  worker->add_option("--think-ms", think_ms, "Pause before accept and before complete")
      ->capture_default_str();
  worker->add_option("--reject-rate", reject_rate, "Share of offers to reject")
      ->check(CLI::Range(0.0, 1.0));
  worker->add_option("--seconds", seconds, "Stop after this long (0: until SIGTERM)");

  std::vector<std::string> metrics_sources;
  bool status_once = false;
  double status_interval = 2;
  auto* status_cmd =
      app.add_subcommand("status", "Live summary for ops from lexrouted /metrics pages");
  status_cmd
      ->add_option("--metrics", metrics_sources,
                   "host:port of a lexrouted /metrics page (repeatable: routers and intakes)")
      ->envname("LEXROUTE_METRICS")
      ->default_val(std::vector<std::string>{"127.0.0.1:9464"});
  status_cmd->add_flag("--once", status_once, "Print one snapshot and exit");
  status_cmd->add_option("--interval", status_interval, "Seconds between refreshes")
      ->check(CLI::Range(0.2, 3600.0))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  auto security = load_channel_security(tls_flags);
  if (!security) {
    std::cerr << "lexroute: " << security.error().message << "\n";
    return 2;
  }
  conn.security = std::move(*security);

  if (submit->parsed()) {
    conn.secret = api_key;
    if (!sf.file.empty()) return submit_file(conn, sf.file, sf.ids_out);
    lexroute::v1::SubmitTaskRequest request;
    auto* spec = request.mutable_spec();
    spec->set_matter_id(sf.matter);
    lexroute::v1::TaskKind kind;
    if (!parse_kind(sf.kind, &kind)) {
      std::cerr << "submit: --kind '" << sf.kind << "' is not a task kind\n";
      return 2;
    }
    spec->set_kind(kind);
    for (const auto& s : sf.skills) {
      if (!parse_skill(s, spec->add_required_skills())) {
        std::cerr << "submit: --skill '" << s << "' is not name:level\n";
        return 2;
      }
    }
    spec->set_priority(sf.priority);
    spec->set_effort_minutes(sf.effort);
    if (!sf.deadline.empty()) {
      if (!TimeUtil::FromString(sf.deadline, spec->mutable_deadline())) {
        std::cerr << "submit: --deadline '" << sf.deadline << "' is not an RFC 3339 time\n";
        return 2;
      }
    } else {
      // Whole hours, so running the same command again (a retry with an idempotency key)
      // describes the same task.
      int64_t now = TimeUtil::TimestampToSeconds(TimeUtil::GetCurrentTime());
      int64_t hour_start = now - now % 3600;
      spec->mutable_deadline()->set_seconds(hour_start + 3600 * (sf.due_in_hours + 1));
    }
    spec->set_payload_ref(sf.payload_ref);
    spec->set_pool(sf.pool);
    for (const auto& l : sf.languages) spec->add_languages(l);
    spec->set_jurisdiction(sf.jurisdiction);
    spec->set_confidentiality_tier(sf.tier);
    for (const auto& r : sf.regions) spec->add_allowed_regions(r);
    for (const auto& p : sf.parties) spec->add_parties(p);
    spec->set_vendor(sf.vendor);
    request.set_idempotency_key(sf.key);
    return submit_one(conn, request);
  }
  if (task->parsed()) {
    conn.secret = api_key;
    if (get->parsed()) return task_get(conn, task_id, json);
    if (cancel->parsed()) return task_cancel(conn, task_id, reason);
    if (explain->parsed()) return task_explain(conn, task_id);
    if (history->parsed()) return task_history(conn, task_id);
    if (watch->parsed()) return task_watch(conn, task_id);
    if (wait->parsed()) return task_wait(conn, ids_file, timeout_s);
  }
  if (admin->parsed()) {
    if (!admin_key_file.empty()) {
      std::ifstream in(admin_key_file);
      std::getline(in, admin_key);
    }
    conn.secret = admin_key;
    if (firm->parsed()) return firm_create(conn, firm_id, firm_name);
    if (staff->parsed()) return staff_load(conn, staff_file, tokens_out);
    if (pool_cmd->parsed()) {
      lexroute::v1::ConfigurePoolRequest request;
      request.set_pool(pool_name);
      request.set_offer_timeout_seconds(offer_timeout);
      request.set_max_offer_attempts(max_offers);
      request.set_presence_timeout_seconds(presence_timeout);
      if (accepted_grace != -1) request.mutable_accepted_grace_seconds()->set_value(accepted_grace);
      return pool_configure(conn, request, strategy);
    }
  }
  if (int code = run_workforce_command(workforce, conn); code != -1) return code;
  if (status_cmd->parsed()) return status(metrics_sources, status_once, status_interval);
  if (worker->parsed()) return worker_auto(conn, tokens_file, think_ms, reject_rate, seconds);
  return 2;
}
