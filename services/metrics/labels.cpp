#include "services/metrics/labels.h"

#include <cctype>

namespace lexroute::metric_labels {

std::string kind(v1::TaskKind kind) {
  if (!v1::TaskKind_IsValid(kind) || kind == v1::TASK_KIND_UNSPECIFIED) return "unspecified";
  std::string name = v1::TaskKind_Name(kind).substr(std::string("TASK_KIND_").size());
  for (auto& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return name;
}

std::string pool(const std::string& pool) { return pool.empty() ? "default" : pool; }

}  // namespace lexroute::metric_labels
