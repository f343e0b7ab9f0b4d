// lexroute-loadtest: drives a running lexroute over gRPC (docs/performance.md). It sets up its
// own firms and staff through the Admin API, submits tasks (unary open or closed loop, or bulk
// streams), works them with a fleet of simulated staff, and reports throughput and latency.
#include <absl/synchronization/mutex.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "cli/client.h"
#include "cli/tls_flags.h"
#include "lexroute/v1/admin.grpc.pb.h"
#include "loadtest/ledger.h"
#include "loadtest/process_stats.h"
#include "loadtest/report.h"
#include "loadtest/staff_fleet.h"
#include "loadtest/submitter.h"

namespace {

using namespace lexroute;
using namespace lexroute::loadtest;

struct Flags {
  std::string server = "127.0.0.1:50051";
  cli::TlsFlags tls;
  cli::ChannelSecurity security;  // what `tls` names, read at start
  std::string admin_key, admin_key_file, scenario = "custom", mode = "unary", out, chart, pool,
                                         sent_out;
  double rate = 0;
  int concurrency = 32, bulk_batch = 5000, firms = 4, staff = 0, capacity = 4, think_ms = 0;
  int seconds = 20, drain_seconds = 30, server_pid = 0, heartbeat_seconds = 15,
      staff_connections = 8;
  uint64_t max_tasks = 5'000'000;
  bool row = false, header = false;
};

std::unique_ptr<grpc::ClientContext> as(const std::string& key) {
  return cli::call_context(key, std::chrono::seconds(120));
}

// Firms and staff of this run, under a fresh prefix so runs never collide.
bool set_up(const Flags& f, const std::string& run, std::vector<std::string>* firm_keys,
            std::vector<StaffFleet::Member>* staff) {
  auto admin = v1::Admin::NewStub(cli::open_channel(f.server, f.security));
  for (int i = 0; i < f.firms; ++i) {
    v1::CreateFirmRequest req;
    req.set_firm_id(run + "-firm-" + std::to_string(i));
    v1::CreateFirmResponse resp;
    auto s = admin->CreateFirm(as(f.admin_key).get(), req, &resp);
    if (!s.ok()) {
      std::cerr << "loadtest: create firm: " << s.error_message() << "\n";
      return false;
    }
    firm_keys->push_back(resp.api_key());
  }
  if (f.staff == 0) {
    // Intake only: the run's pool has no staff, and a task may only name a pool that exists.
    v1::ConfigurePoolRequest req;
    req.set_pool(f.pool);
    v1::ConfigurePoolResponse resp;
    auto s = admin->ConfigurePool(as(f.admin_key).get(), req, &resp);
    if (!s.ok()) std::cerr << "loadtest: create pool: " << s.error_message() << "\n";
    return s.ok();
  }
  static const char* kZones[] = {"Asia/Manila",     "Asia/Kolkata",     "Europe/Belfast",
                                 "Europe/London",   "America/New_York", "America/Chicago",
                                 "Australia/Sydney"};
  // An import takes at most 16 MiB: 100,000 staff go in several.
  constexpr int kRowsPerImport = 10000;
  for (int first = 0; first < f.staff; first += kRowsPerImport) {
    std::string jsonl;
    for (int i = first; i < std::min(f.staff, first + kRowsPerImport); ++i) {
      jsonl +=
          "{\"id\":\"" + run + "-s" + std::to_string(i) + "\",\"timeZone\":\"" + kZones[i % 7] +
          "\",\"capacity\":" + std::to_string(f.capacity) + ",\"pool\":\"" + f.pool +
          "\",\"skills\":[{\"skill\":\"doc-review\",\"proficiency\":" + std::to_string(2 + i % 4) +
          "}]}\n";
    }
    v1::ImportRosterRequest req;
    req.set_format(v1::ROSTER_FORMAT_JSONL);
    req.set_content(jsonl);
    req.set_issue_tokens(true);
    v1::ImportRosterResponse resp;
    auto s = admin->ImportRoster(as(f.admin_key).get(), req, &resp);
    if (!s.ok() || resp.failed() > 0) {
      std::cerr << "loadtest: roster import: " << (s.ok() ? "rows refused" : s.error_message())
                << "\n";
      return false;
    }
    for (const auto& row : resp.rows()) staff->push_back({row.staff_id(), row.staff_token()});
  }
  if (f.heartbeat_seconds > 15) {
    // Staff who heartbeat rarely must not be taken for gone in between.
    v1::ConfigurePoolRequest req;
    req.set_pool(f.pool);
    req.set_presence_timeout_seconds(4 * f.heartbeat_seconds);
    v1::ConfigurePoolResponse resp;
    auto s = admin->ConfigurePool(as(f.admin_key).get(), req, &resp);
    if (!s.ok()) {
      std::cerr << "loadtest: configure pool: " << s.error_message() << "\n";
      return false;
    }
  }
  return true;
}

// Send times on the system clock, which other processes on this machine share.
bool write_sent(const Ledger& ledger, const std::string& path) {
  auto system_now = std::chrono::system_clock::now();
  auto steady_now = std::chrono::steady_clock::now();
  std::ofstream out(path);
  for (uint64_t seq = 0; seq < ledger.sent(); ++seq) {
    auto sent = ledger.sent_at(seq);
    if (!sent) continue;
    auto at = system_now +
              std::chrono::duration_cast<std::chrono::system_clock::duration>(*sent - steady_now);
    out << seq << ' '
        << std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count()
        << '\n';
  }
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  // As in lexrouted: Debian's abseil keeps absl::Mutex's deadlock detection on, which costs the
  // load tester CPU it shares with the server.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Flags f;
  CLI::App app{"lexroute-loadtest: drive a running lexroute and measure it"};
  app.add_option("--server", f.server, "lexrouted gRPC address")->capture_default_str();
  cli::add_tls_flags(app, f.tls);
  app.add_option("--admin-key", f.admin_key, "Admin key (to set up firms and staff)");
  app.add_option("--admin-key-file", f.admin_key_file, "File holding the admin key");
  app.add_option("--scenario", f.scenario, "Name for the report")->capture_default_str();
  app.add_option("--mode", f.mode, "unary or bulk")->capture_default_str();
  app.add_option("--rate", f.rate, "Tasks/s, open loop (unary); 0: closed loop")
      ->capture_default_str();
  app.add_option("--concurrency", f.concurrency, "Closed-loop callers or bulk streams")
      ->capture_default_str();
  app.add_option("--bulk-batch", f.bulk_batch, "Tasks per bulk stream")->capture_default_str();
  app.add_option("--firms", f.firms, "Firms submitting")->capture_default_str();
  app.add_option("--staff", f.staff, "Simulated staff (0: intake only)")->capture_default_str();
  app.add_option("--capacity", f.capacity, "Each staff member's capacity")->capture_default_str();
  app.add_option("--think-ms", f.think_ms, "Before accepting and again before completing")
      ->capture_default_str();
  app.add_option("--heartbeat-seconds", f.heartbeat_seconds,
                 "How often each staff member heartbeats; above 15 the pool's presence timeout "
                 "is set to four times this")
      ->capture_default_str()
      ->check(CLI::Range(1, 151200));
  app.add_option("--staff-connections", f.staff_connections,
                 "gRPC connections the simulated staff share (real worker apps have one each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--pool", f.pool, "Pool of this run's staff and tasks (default: a fresh one)");
  app.add_option("--seconds", f.seconds, "How long to submit")->capture_default_str();
  app.add_option("--drain-seconds", f.drain_seconds, "How long to wait for staff to finish after")
      ->capture_default_str();
  app.add_option("--server-pid", f.server_pid, "Measure this process's CPU and RSS (and children)");
  app.add_option("--out", f.out, "Write the results as JSON here");
  app.add_option("--chart", f.chart, "Write a PNG chart here (needs gnuplot)");
  app.add_option("--max-tasks", f.max_tasks, "Stop submitting after this many")
      ->capture_default_str();
  app.add_option(
      "--sent-out", f.sent_out,
      "Write each task's sequence number (the end of its payload_ref) and send time "
      "(Unix ms) here, `seq ms` a line, for a client of another kind to time its offers");
  app.add_flag("--row", f.row, "Print one summary table row instead of the full report");
  app.add_flag("--print-header", f.header, "Print the summary table's header and exit");
  CLI11_PARSE(app, argc, argv);
  if (f.header) {
    Report::print_header();
    return 0;
  }
  auto security = cli::load_channel_security(f.tls);
  if (!security) {
    std::cerr << "loadtest: " << security.error().message << "\n";
    return 2;
  }
  f.security = std::move(*security);
  if (!f.admin_key_file.empty()) {
    std::ifstream in(f.admin_key_file);
    std::getline(in, f.admin_key);
  }
  if (f.mode != "unary" && f.mode != "bulk") {
    std::cerr << "loadtest: --mode must be unary or bulk\n";
    return 2;
  }
  std::string run = "lt" + std::to_string(std::random_device{}() % 1000000);
  if (f.pool.empty()) f.pool = run;

  std::vector<std::string> firm_keys;
  std::vector<StaffFleet::Member> members;
  if (!set_up(f, run, &firm_keys, &members)) return 1;
  std::cerr << "loadtest: " << firm_keys.size() << " firms, " << members.size() << " staff in pool "
            << f.pool << "\n";

  auto start = std::chrono::steady_clock::now();
  Ledger ledger(start, f.max_tasks);
  LatencyLog acks(start), offers(start), completions(start);
  std::atomic<bool> warm_up_offered{false};
  auto latency_of = [&](LatencyLog& log, bool completion) {
    return [&ledger, &log, completion, &warm_up_offered](const v1::Offer& offer, SteadyTime at) {
      if (offer.payload_ref() == Submitter::kWarmUpRef) {
        warm_up_offered = true;
        return;
      }
      auto seq = Ledger::seq_of(offer.payload_ref());
      if (!seq || (completion && !ledger.first_completion(*seq))) return;
      if (auto sent = ledger.sent_at(*seq)) log.add(at, at - *sent);
    };
  };
  StaffFleet fleet({f.server, members, std::chrono::milliseconds(f.think_ms),
                    static_cast<size_t>(f.staff_connections),
                    std::chrono::seconds(f.heartbeat_seconds), f.security},
                   latency_of(offers, false), latency_of(completions, true));
  if (!members.empty() && !fleet.start()) {
    std::cerr << "loadtest: not every staff member could sign in\n";
  }

  ProcessStats server(f.server_pid);
  server.start();
  Submitter submitter(
      {f.server, firm_keys, f.mode == "bulk" ? Submitter::Mode::kBulk : Submitter::Mode::kUnary,
       f.rate, f.concurrency, f.bulk_batch, f.pool, 8, f.security},
      ledger, acks);
  // The window starts once the staff are signed in and listening (100,000 take a while) and a
  // first task has reached one of them.
  if (!members.empty() &&
      !submitter.warm_up([&] { return warm_up_offered.load(); }, std::chrono::seconds(60))) {
    std::cerr << "loadtest: the warm-up task was not offered within 60 s; measuring anyway\n";
  }
  auto submitting = std::chrono::steady_clock::now();
  submitter.run(submitting + std::chrono::seconds(f.seconds));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - submitting).count();
  // Let the staff catch up with what was acknowledged.
  if (!members.empty()) {
    auto drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(f.drain_seconds);
    while (completions.summary().count < submitter.acknowledged() &&
           std::chrono::steady_clock::now() < drain_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  server.stop();
  fleet.stop();

  Report r;
  r.scenario = f.scenario;
  r.settings = {{"mode", f.mode},
                {"rate", std::to_string(f.rate)},
                {"concurrency", std::to_string(f.concurrency)},
                {"bulk_batch", std::to_string(f.bulk_batch)},
                {"firms", std::to_string(f.firms)},
                {"staff", std::to_string(f.staff)},
                {"capacity", std::to_string(f.capacity)},
                {"think_ms", std::to_string(f.think_ms)},
                {"heartbeat_seconds", std::to_string(f.heartbeat_seconds)},
                {"staff_connections", std::to_string(f.staff_connections)},
                {"seconds", std::to_string(f.seconds)}};
  r.seconds = seconds;
  r.submitted = ledger.sent();
  r.acknowledged = submitter.acknowledged();
  r.errors = submitter.errors();
  r.not_sent = submitter.not_sent();
  r.ack = acks.summary();
  r.offer = offers.summary();
  r.complete = completions.summary();
  r.offered = r.offer.count;
  r.completed = r.complete.count;
  r.staff_errors = fleet.errors();
  r.server_measured = server.available();
  r.server_cpu_seconds = server.cpu_seconds();
  r.server_cpu_percent =
      100.0 * server.cpu_seconds() /
      std::chrono::duration<double>(std::chrono::steady_clock::now() - submitting).count();
  r.server_max_rss_mib = server.max_rss_mib();
  r.ack_series = acks.per_second();
  r.offer_series = offers.per_second();
  r.complete_series = completions.per_second();
  f.row ? r.print_row() : r.print();
  if (!f.sent_out.empty() && !write_sent(ledger, f.sent_out)) {
    std::cerr << "loadtest: cannot write " << f.sent_out << "\n";
  }
  if (!f.out.empty() && !r.write_json(f.out))
    std::cerr << "loadtest: cannot write " << f.out << "\n";
  if (!f.chart.empty()) r.write_chart(f.chart);
  return 0;
}
