#pragma once

#include <map>
#include <string>
#include <vector>

#include "loadtest/latency_log.h"

namespace lexroute::loadtest {

// What a run measured, as lexroute-loadtest prints it and writes it (JSON, and a PNG chart of
// throughput and latency over time through gnuplot).
struct Report {
  std::string scenario;
  std::map<std::string, std::string> settings;  // as given on the command line
  double seconds = 0;                           // of submitting
  uint64_t submitted = 0, acknowledged = 0, offered = 0, completed = 0, not_sent = 0,
           staff_errors = 0;
  std::map<std::string, uint64_t> errors;
  LatencyLog::Summary ack, offer, complete;
  bool server_measured = false;
  double server_cpu_seconds = 0, server_cpu_percent = 0, server_max_rss_mib = 0;
  std::vector<LatencyLog::Second> ack_series, offer_series, complete_series;

  void print() const;
  // One row of scripts/bench's table; header() names its columns.
  void print_row() const;
  static void print_header();
  bool write_json(const std::string& path) const;
  // Needs gnuplot; false (and a note on stderr) without it.
  bool write_chart(const std::string& png_path) const;
};

}  // namespace lexroute::loadtest
