#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lexroute {

// One sample of a Prometheus text exposition page: `name{labels} value`.
struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The samples of a /metrics page (text format 0.0.4); comments and malformed lines are skipped.
std::vector<MetricSample> parse_exposition(std::string_view text);

// The sum of the samples named `name` whose labels include every one of `match`.
double sum_of(const std::vector<MetricSample>& samples, std::string_view name,
              const std::map<std::string, std::string>& match = {});

}  // namespace lexroute
