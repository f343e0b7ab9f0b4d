// lexroute status: a live terminal summary for ops, read from the /metrics pages of lexrouted
// processes (the text exposition, no Prometheus needed). Pool and staff gauges come from routers
// (or dev), throughput counters from intake and routers: give each one with --metrics.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "services/metrics/exposition.h"
#include "services/metrics/http_get.h"

namespace lexroute::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Scrape {
  Clock::time_point at;
  std::vector<MetricSample> samples;  // of every source, one after another
};

Result<Scrape> scrape(const std::vector<std::string>& sources) {
  Scrape s{Clock::now(), {}};
  for (const auto& source : sources) {
    std::string url = source.starts_with("http://") ? source : "http://" + source + "/metrics";
    auto body = http_get(url, std::chrono::seconds(5));
    if (!body) return std::unexpected(body.error());
    auto samples = parse_exposition(*body);
    s.samples.insert(s.samples.end(), samples.begin(), samples.end());
  }
  return s;
}

// Gauges every router publishes alike: the largest copy per label set, as the recording rules do.
std::map<std::map<std::string, std::string>, double> gauge(const Scrape& s,
                                                           const std::string& name) {
  std::map<std::map<std::string, std::string>, double> out;
  for (const auto& m : s.samples) {
    if (m.name != name || std::isnan(m.value)) continue;
    auto [it, fresh] = out.try_emplace(m.labels, m.value);
    if (!fresh) it->second = std::max(it->second, m.value);
  }
  return out;
}

double per_pool(const Scrape& s, const std::string& name, const std::string& pool) {
  double v = 0;
  for (const auto& [labels, value] : gauge(s, name)) {
    if (labels.contains("pool") && labels.at("pool") == pool) v = std::max(v, value);
  }
  return v;
}

std::string duration(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 86400) {
    std::snprintf(buf, sizeof(buf), "%ldd%02ldh", s / 86400, s % 86400 / 3600);
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, s % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  }
  return buf;
}

std::string number(double v, int decimals = 0) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string render(const Scrape& now, const Scrape* before, const std::vector<std::string>& from) {
  std::ostringstream out;
  std::time_t wall = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&wall));
  out << "lexroute status  " << when << "  from";
  for (const auto& f : from) out << " " << f;
  out << "\n\n";

  const char* events[] = {"submitted", "offered", "accepted", "completed",
                          "rejected",  "expired", "cancelled"};
  out << "THROUGHPUT";
  if (before != nullptr) {
    double minutes = std::chrono::duration<double>(now.at - before->at).count() / 60.0;
    out << " per minute (last " << number(minutes * 60, 0) << " s):";
    for (const char* e : events) {
      std::string name = std::string("lexroute_tasks_") + e + "_total";
      double delta = sum_of(now.samples, name) - sum_of(before->samples, name);
      out << "  " << e << " " << number(std::max(0.0, delta) / minutes, 1);
    }
    out << "\n";
  } else {
    out << "\n";
  }
  out << "  since start:";
  for (const char* e : events) {
    out << "  " << e << " "
        << number(sum_of(now.samples, std::string("lexroute_tasks_") + e + "_total"));
  }
  out << "\n\n";

  std::set<std::string> pools;
  for (const auto& [labels, v] : gauge(now, "lexroute_pool_waiting_tasks")) {
    pools.insert(labels.at("pool"));
  }
  char row[256];
  std::snprintf(row, sizeof(row), "%-16s %8s %8s %9s %12s %12s %10s %9s %8s\n", "POOL", "BACKLOG",
                "OFFERED", "ACCEPTED", "OLDEST WAIT", "SLA AT RISK", "SIGNED IN", "ON BREAK",
                "OFFLINE");
  out << row;
  auto staff = gauge(now, "lexroute_staff_members");
  for (const auto& pool : pools) {
    std::map<std::string, double> by_state;
    for (const auto& [labels, v] : staff) {
      if (labels.at("pool") == pool) by_state[labels.at("state")] += v;
    }
    std::snprintf(row, sizeof(row), "%-16s %8s %8s %9s %12s %12s %10s %9s %8s\n", pool.c_str(),
                  number(per_pool(now, "lexroute_pool_waiting_tasks", pool)).c_str(),
                  number(per_pool(now, "lexroute_pool_offered_tasks", pool)).c_str(),
                  number(per_pool(now, "lexroute_pool_accepted_tasks", pool)).c_str(),
                  duration(per_pool(now, "lexroute_pool_oldest_waiting_age_seconds", pool)).c_str(),
                  number(per_pool(now, "lexroute_pool_sla_at_risk_tasks", pool)).c_str(),
                  number(by_state["available"] + by_state["busy"]).c_str(),
                  number(by_state["on_break"]).c_str(),
                  // An elastic pool's bench and called-in staff who are not signed in are
                  // offline too; the gauge only names them apart.
                  number(by_state["offline"] + by_state["bench"] + by_state["called_in"]).c_str());
    out << row;
  }
  if (pools.empty()) out << "(no pools yet, or no router or dev among the pages given)\n";

  out << "\nSTAFF ON SHIFT BY REGION (signed in: available or busy)\n";
  struct OnShift {
    double available = 0, busy = 0;
  };
  std::map<std::string, OnShift> regions;
  for (const auto& [labels, v] : staff) {
    const std::string& state = labels.at("state");
    if (state == "available") regions[labels.at("region")].available += v;
    if (state == "busy") regions[labels.at("region")].busy += v;
  }
  bool anyone = false;
  for (const auto& [region, n] : regions) {
    if (n.available + n.busy == 0) continue;
    anyone = true;
    std::snprintf(row, sizeof(row), "  %-14s %6s  (available %s, busy %s)\n", region.c_str(),
                  number(n.available + n.busy).c_str(), number(n.available).c_str(),
                  number(n.busy).c_str());
    out << row;
  }
  if (!anyone) out << "  nobody\n";

  double lag = 0;
  for (const auto& [labels, v] : gauge(now, "lexroute_kafka_consumer_lag")) lag += v;
  out << "\nrouter lag " << number(lag) << "   kafka produce errors "
      << number(sum_of(now.samples, "lexroute_kafka_produce_errors_total")) << "   redis errors "
      << number(sum_of(now.samples, "lexroute_redis_errors_total")) << "   tasks lost in kafka "
      << number(sum_of(now.samples, "lexroute_kafka_consumer_data_loss_total")) << "\n";
  return out.str();
}

}  // namespace

int status(const std::vector<std::string>& sources, bool once, double interval_s) {
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::max(0.2, interval_s)));
  auto first = scrape(sources);
  if (!first) {
    std::cerr << "status: " << first.error().message << "\n";
    return 1;
  }
  if (once) {
    // Two looks `interval` apart, so the throughput is a rate and not only totals.
    std::this_thread::sleep_for(interval);
    auto second = scrape(sources);
    if (!second) {
      std::cerr << "status: " << second.error().message << "\n";
      return 1;
    }
    std::cout << render(*second, &*first, sources);
    return 0;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Scrape before = *first;
  std::cout << "\033[2J\033[H" << render(before, nullptr, sources) << std::flush;
  while (true) {
    auto seconds = std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count();
    timespec wait{static_cast<time_t>(seconds / 1'000'000'000),
                  static_cast<long>(seconds % 1'000'000'000)};
    if (sigtimedwait(&stop_signals, nullptr, &wait) > 0) break;
    auto now = scrape(sources);
    // Refresh in place: home the cursor and clear, then draw the new summary.
    std::cout << "\033[2J\033[H";
    if (!now) {
      std::cout << "status: " << now.error().message << " (retrying)\n" << std::flush;
      continue;
    }
    std::cout << render(*now, &before, sources) << std::flush;
    before = std::move(*now);
  }
  return 0;
}

}  // namespace lexroute::cli
