#include "router/task_status.h"

namespace lexroute {
namespace {

constexpr std::string_view kPrefix = "TASK_STATUS_";

}  // namespace

std::string status_name(v1::TaskStatus status) {
  const std::string& full = v1::TaskStatus_Name(status);
  return full.starts_with(kPrefix) ? full.substr(kPrefix.size()) : full;
}

v1::TaskStatus status_from_name(std::string_view name) {
  v1::TaskStatus status = v1::TASK_STATUS_UNSPECIFIED;
  if (name.empty() || !v1::TaskStatus_Parse(std::string(kPrefix) + std::string(name), &status)) {
    return v1::TASK_STATUS_UNSPECIFIED;
  }
  return status;
}

bool is_terminal(v1::TaskStatus status) {
  return status == v1::TASK_STATUS_COMPLETED || status == v1::TASK_STATUS_CANCELLED ||
         status == v1::TASK_STATUS_EXPIRED || status == v1::TASK_STATUS_UNROUTABLE;
}

bool is_unassigned(v1::TaskStatus status) {
  return status == v1::TASK_STATUS_QUEUED || status == v1::TASK_STATUS_WAITING ||
         status == v1::TASK_STATUS_OFFERED;
}

}  // namespace lexroute
