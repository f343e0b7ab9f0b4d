#pragma once

#include <span>
#include <string_view>

#include "lexroute/v1/task.pb.h"
#include "router/error.h"

namespace lexroute {

// The outcomes a completion of each kind of work may carry, in the order the worker app offers
// them. The one table: the desk refuses any other outcome, and every offer carries its kind's
// list (Offer.allowed_outcomes), so the app keeps no list of its own. Kinds without a list of
// their own are simply "done".
std::span<const std::string_view> allowed_outcomes(v1::TaskKind kind);

// INVALID_ARGUMENT naming the field `outcome` and listing the allowed ones, unless `outcome` is
// one of them.
Result<void> check_outcome(v1::TaskKind kind, std::string_view outcome);

}  // namespace lexroute
