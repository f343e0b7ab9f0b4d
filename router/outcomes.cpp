#include "router/outcomes.h"

#include <algorithm>
#include <array>

#include "router/text.h"

namespace lexroute {
namespace {

constexpr std::array<std::string_view, 4> kDocumentReview{
    "responsive", "not-responsive", "privileged", "needs-second-level-review"};
constexpr std::array<std::string_view, 2> kPrivilegeReview{"privileged", "not-privileged"};
constexpr std::array<std::string_view, 1> kDone{"done"};

std::string kind_name(v1::TaskKind kind) {
  const std::string& name = v1::TaskKind_Name(kind);
  return name.empty() ? cat("kind ", static_cast<int>(kind)) : name;
}

}  // namespace

std::span<const std::string_view> allowed_outcomes(v1::TaskKind kind) {
  switch (kind) {
    case v1::TASK_KIND_DOCUMENT_REVIEW:
      return kDocumentReview;
    case v1::TASK_KIND_PRIVILEGE_REVIEW:
      return kPrivilegeReview;
    default:
      return kDone;
  }
}

Result<void> check_outcome(v1::TaskKind kind, std::string_view outcome) {
  auto allowed = allowed_outcomes(kind);
  if (std::find(allowed.begin(), allowed.end(), outcome) != allowed.end()) return {};
  std::string names;
  for (auto name : allowed) names += cat(names.empty() ? "" : ", ", name);
  return fail(Errc::kInvalidArgument,
              cat("outcome ", bounded_quote(outcome), " is not one for ", kind_name(kind),
                  "; allowed: ", names),
              "outcome");
}

}  // namespace lexroute
