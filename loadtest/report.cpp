#include "loadtest/report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace lexroute::loadtest {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string json(const LatencyLog::Summary& s) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(3) << "{\"count\": " << s.count
    << ", \"p50_ms\": " << s.p50_ms << ", \"p90_ms\": " << s.p90_ms << ", \"p99_ms\": " << s.p99_ms
    << ", \"p99_9_ms\": " << s.p999_ms << ", \"max_ms\": " << s.max_ms << "}";
  return o.str();
}

void line(const char* name, const LatencyLog::Summary& s) {
  std::cout << std::fixed << std::setprecision(2) << "  " << std::left << std::setw(20) << name
            << std::right << std::setw(9) << s.count << "  p50 " << std::setw(8) << s.p50_ms
            << "  p90 " << std::setw(8) << s.p90_ms << "  p99 " << std::setw(8) << s.p99_ms
            << "  p99.9 " << std::setw(8) << s.p999_ms << "  max " << std::setw(8) << s.max_ms
            << " ms\n";
}

}  // namespace

void Report::print() const {
  double secs = seconds > 0 ? seconds : 1;
  std::cout << "scenario " << scenario << ": " << std::fixed << std::setprecision(1) << seconds
            << " s of submitting\n";
  std::cout << "  acknowledged " << acknowledged << " (" << std::setprecision(0)
            << acknowledged / secs << "/s), offered " << offered << ", completed " << completed
            << " (" << completed / secs << "/s)";
  if (not_sent > 0) std::cout << ", not sent (load tester saturated) " << not_sent;
  std::cout << "\n";
  line("submit->ack", ack);
  line("submit->offer", offer);
  line("submit->complete", complete);
  for (const auto& [what, n] : errors) std::cout << "  error " << what << ": " << n << "\n";
  if (staff_errors > 0) std::cout << "  staff-side errors: " << staff_errors << "\n";
  if (server_measured) {
    std::cout << std::setprecision(1) << "  server: " << server_cpu_seconds << " CPU s ("
              << server_cpu_percent << "% of one core), max RSS " << server_max_rss_mib << " MiB\n";
  }
}

void Report::print_header() {
  std::printf("%-14s %10s %10s %10s %10s %10s %10s %10s %8s %9s %7s\n", "scenario", "acked/s",
              "done/s", "ack p50", "ack p99", "offer p50", "offer p99", "done p99", "cpu %",
              "rss MiB", "errors");
}

void Report::print_row() const {
  double secs = seconds > 0 ? seconds : 1;
  uint64_t failed = 0;
  for (const auto& [what, n] : errors) failed += n;
  std::printf("%-14s %10.0f %10.0f %10.2f %10.2f %10.2f %10.2f %10.2f %8.0f %9.0f %7llu\n",
              scenario.c_str(), acknowledged / secs, completed / secs, ack.p50_ms, ack.p99_ms,
              offer.p50_ms, offer.p99_ms, complete.p99_ms, server_cpu_percent, server_max_rss_mib,
              static_cast<unsigned long long>(failed + staff_errors));
}

bool Report::write_json(const std::string& path) const {
  std::ofstream out(path);
  if (!out) return false;
  double secs = seconds > 0 ? seconds : 1;
  out << "{\n  \"scenario\": " << quoted(scenario) << ",\n  \"settings\": {";
  bool first = true;
  for (const auto& [k, v] : settings) {
    out << (first ? "" : ", ") << quoted(k) << ": " << quoted(v);
    first = false;
  }
  out << "},\n  \"seconds\": " << seconds << ",\n  \"acknowledged\": " << acknowledged
      << ",\n  \"acknowledged_per_second\": " << acknowledged / secs
      << ",\n  \"offered\": " << offered << ",\n  \"completed\": " << completed
      << ",\n  \"completed_per_second\": " << completed / secs << ",\n  \"not_sent\": " << not_sent
      << ",\n  \"staff_errors\": " << staff_errors << ",\n  \"errors\": {";
  first = true;
  for (const auto& [k, v] : errors) {
    out << (first ? "" : ", ") << quoted(k) << ": " << v;
    first = false;
  }
  out << "},\n  \"latency\": {\"submit_to_ack\": " << json(ack)
      << ", \"submit_to_offer\": " << json(offer) << ", \"submit_to_complete\": " << json(complete)
      << "},\n  \"server\": ";
  if (server_measured) {
    out << "{\"cpu_seconds\": " << server_cpu_seconds
        << ", \"cpu_percent_of_one_core\": " << server_cpu_percent
        << ", \"max_rss_mib\": " << server_max_rss_mib << "}";
  } else {
    out << "null";
  }
  out << "\n}\n";
  return static_cast<bool>(out);
}

bool Report::write_chart(const std::string& png_path) const {
  std::string data = png_path + ".dat";
  {
    std::ofstream out(data);
    size_t n = std::max({ack_series.size(), offer_series.size(), complete_series.size()});
    for (size_t i = 0; i < n; ++i) {
      auto at = [&](const std::vector<LatencyLog::Second>& v) {
        return i < v.size() ? v[i] : LatencyLog::Second{};
      };
      out << i << " " << at(ack_series).count << " " << at(complete_series).count << " "
          << at(ack_series).p99_ms << " " << at(offer_series).p99_ms << " "
          << at(complete_series).p99_ms << "\n";
    }
  }
  std::string script = "set terminal png size 1000,700\nset output '" + png_path +
                       "'\nset multiplot layout 2,1 title '" + scenario +
                       "'\nset ylabel 'tasks/s'\nset grid\n"
                       "plot '" +
                       data + "' using 1:2 with lines title 'acknowledged', '" + data +
                       "' using 1:3 with lines title 'completed'\n"
                       "set ylabel 'p99 ms'\nset xlabel 'seconds'\nset logscale y\n"
                       "plot '" +
                       data + "' using 1:($4>0?$4:1/0) with lines title 'submit->ack', '" + data +
                       "' using 1:($5>0?$5:1/0) with lines title 'submit->offer', '" + data +
                       "' using 1:($6>0?$6:1/0) with lines title 'submit->complete'\n"
                       "unset multiplot\n";
  FILE* gnuplot = ::popen("gnuplot 2>/dev/null", "w");
  if (gnuplot == nullptr) return false;
  std::fputs(script.c_str(), gnuplot);
  int rc = ::pclose(gnuplot);
  if (rc != 0) std::cerr << "loadtest: no chart (is gnuplot installed?)\n";
  return rc == 0;
}

}  // namespace lexroute::loadtest
