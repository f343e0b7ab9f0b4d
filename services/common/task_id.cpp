#include "services/common/task_id.h"

#include <absl/strings/str_format.h>

#include "router/text.h"
#include "router/validation.h"
#include "services/common/secrets.h"

namespace lexroute {

std::string new_task_id(int64_t now_ms, std::string_view pool) {
  return cat(absl::StrFormat("%012x", now_ms), "-", random_hex(16), "@", pool);
}

std::optional<std::string> pool_of_task(std::string_view task_id) {
  auto at = task_id.find('@');
  if (at != 29 || task_id[12] != '-') return std::nullopt;
  for (size_t i = 0; i < at; ++i) {
    char c = task_id[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (i != 12 && !hex) return std::nullopt;
  }
  std::string_view pool = task_id.substr(at + 1);
  if (!is_valid_name(pool)) return std::nullopt;
  return std::string(pool);
}

Result<void> check_task_in_pool(const std::string& pool, const std::string& task_id) {
  auto task_pool = pool_of_task(task_id);
  if (!task_pool) return fail(Errc::kNotFound, "no task " + task_id, "task_id");
  if (*task_pool != pool) {
    return fail(Errc::kFailedPrecondition, "task " + task_id + " is not offered to you");
  }
  return {};
}

}  // namespace lexroute
