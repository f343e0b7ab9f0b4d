#include "services/metrics/exposition.h"

#include <cmath>
#include <cstdlib>

namespace lexroute {
namespace {

// Reads `key="value"` pairs up to the closing brace; false when the line is malformed.
bool parse_labels(std::string_view& rest, std::map<std::string, std::string>& out) {
  while (!rest.empty() && rest.front() != '}') {
    auto eq = rest.find('=');
    if (eq == std::string_view::npos || eq + 1 >= rest.size() || rest[eq + 1] != '"') return false;
    std::string key(rest.substr(0, eq));
    rest.remove_prefix(eq + 2);
    std::string value;
    while (!rest.empty() && rest.front() != '"') {
      if (rest.front() == '\\' && rest.size() > 1) {
        rest.remove_prefix(1);
        value.push_back(rest.front() == 'n' ? '\n' : rest.front());
      } else {
        value.push_back(rest.front());
      }
      rest.remove_prefix(1);
    }
    if (rest.empty()) return false;
    rest.remove_prefix(1);  // closing quote
    out[key] = std::move(value);
    if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  }
  if (rest.empty()) return false;
  rest.remove_prefix(1);  // closing brace
  return true;
}

}  // namespace

std::vector<MetricSample> parse_exposition(std::string_view text) {
  std::vector<MetricSample> out;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#') continue;
    MetricSample s;
    auto name_end = line.find_first_of("{ ");
    if (name_end == std::string_view::npos) continue;
    s.name = std::string(line.substr(0, name_end));
    std::string_view rest = line.substr(name_end);
    if (rest.front() == '{') {
      rest.remove_prefix(1);
      if (!parse_labels(rest, s.labels)) continue;
    }
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::string value(rest.substr(0, rest.find(' ')));
    char* parsed_to = nullptr;
    s.value = std::strtod(value.c_str(), &parsed_to);
    if (value.empty() || parsed_to != value.c_str() + value.size()) continue;
    out.push_back(std::move(s));
  }
  return out;
}

double sum_of(const std::vector<MetricSample>& samples, std::string_view name,
              const std::map<std::string, std::string>& match) {
  double sum = 0;
  for (const auto& s : samples) {
    if (s.name != name || std::isnan(s.value)) continue;
    bool all = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) sum += s.value;
  }
  return sum;
}

}  // namespace lexroute
