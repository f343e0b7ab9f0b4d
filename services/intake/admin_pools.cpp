#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "router/text.h"
#include "router/validation.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/intake/admin_service.h"  // IWYU: the class these methods belong to

// Admin calls about pools: routing settings, elastic scaling, and their status.
namespace lexroute {

Result<void> AdminService::validate_scaling(const std::string& pool,
                                            const v1::PoolScaling& scaling) {
  if (scaling.max_active() < 1 || scaling.max_active() > 10000) {
    return fail(Errc::kInvalidArgument, "scaling.max_active must be 1 to 10000",
                "scaling.max_active");
  }
  if (scaling.min_active() < 0 || scaling.min_active() > scaling.max_active()) {
    return fail(Errc::kInvalidArgument, "scaling.min_active must be 0 to max_active",
                "scaling.min_active");
  }
  if (scaling.has_surge_start()) {
    if (auto ok = validate_timestamp(scaling.surge_start(), "scaling.surge_start"); !ok) return ok;
  }
  if (scaling.has_surge_end()) {
    if (auto ok = validate_timestamp(scaling.surge_end(), "scaling.surge_end"); !ok) return ok;
  }
  if (scaling.has_surge_start() && scaling.has_surge_end() &&
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(scaling.surge_end()) <=
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(scaling.surge_start())) {
    return fail(Errc::kInvalidArgument, "scaling.surge_end must be after surge_start",
                "scaling.surge_end");
  }
  if (scaling.target_time_to_offer_seconds() < 0 ||
      scaling.target_time_to_offer_seconds() > 86400) {
    return fail(Errc::kInvalidArgument, "scaling.target_time_to_offer_seconds must be 0 to 86400",
                "scaling.target_time_to_offer_seconds");
  }
  if (scaling.bench_staff_size() > limits::kBenchStaff) {
    return fail(Errc::kInvalidArgument,
                cat("scaling.bench_staff may list at most ", limits::kBenchStaff, " staff"),
                "scaling.bench_staff");
  }
  std::set<std::string> seen;
  for (int i = 0; i < scaling.bench_staff_size(); ++i) {
    const std::string& id = scaling.bench_staff(i);
    std::string field = cat("scaling.bench_staff[", i, "]");
    if (!is_valid_name(id)) {
      return fail(Errc::kInvalidArgument, cat("not a staff id: ", bounded_quote(id)), field);
    }
    if (!seen.insert(id).second)
      return fail(Errc::kInvalidArgument, id + " is listed twice", field);
    auto member = staff_.get(pool, id);
    if (!member) {
      if (member.error().code != Errc::kNotFound) return std::unexpected(member.error());
      return fail(Errc::kInvalidArgument, cat("no staff member ", id, " in pool ", pool), field);
    }
  }
  return {};
}

grpc::Status AdminService::ConfigurePool(grpc::ServerContext* context,
                                         const v1::ConfigurePoolRequest* request,
                                         v1::ConfigurePoolResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  std::string pool = request->pool().empty() ? std::string(kDefaultPool) : request->pool();
  if (!is_valid_name(pool)) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "pool must be 1-64 letters, digits, '-', '_' or '.'", "pool"},
        context);
  }
  std::vector<std::pair<std::string, std::string>> fields;
  switch (request->strategy()) {
    case v1::BALANCE_STRATEGY_UNSPECIFIED:
      break;
    case v1::BALANCE_STRATEGY_LEAST_LOADED:
      fields.emplace_back("strategy", "least-loaded");
      break;
    case v1::BALANCE_STRATEGY_LONGEST_IDLE:
      fields.emplace_back("strategy", "longest-idle");
      break;
    case v1::BALANCE_STRATEGY_ROUND_ROBIN:
      fields.emplace_back("strategy", "round-robin");
      break;
    default:
      return to_grpc_status(
          {Errc::kInvalidArgument, "strategy must be LEAST_LOADED, LONGEST_IDLE or ROUND_ROBIN",
           "strategy"},
          context);
  }
  if (request->offer_timeout_seconds() != 0) {
    if (request->offer_timeout_seconds() < 10 || request->offer_timeout_seconds() > 86400) {
      return to_grpc_status({Errc::kInvalidArgument, "offer_timeout_seconds must be 10 to 86400",
                             "offer_timeout_seconds"},
                            context);
    }
    fields.emplace_back("offer_timeout_seconds", std::to_string(request->offer_timeout_seconds()));
  }
  if (request->max_offer_attempts() != 0) {
    if (request->max_offer_attempts() < 1 || request->max_offer_attempts() > 50) {
      return to_grpc_status(
          {Errc::kInvalidArgument, "max_offer_attempts must be 1 to 50", "max_offer_attempts"},
          context);
    }
    fields.emplace_back("max_offer_attempts", std::to_string(request->max_offer_attempts()));
  }
  if (request->presence_timeout_seconds() != 0) {
    if (request->presence_timeout_seconds() < 10 || request->presence_timeout_seconds() > 604800) {
      return to_grpc_status(
          {Errc::kInvalidArgument, "presence_timeout_seconds must be 10 to 604800",
           "presence_timeout_seconds"},
          context);
    }
    fields.emplace_back("presence_timeout_seconds",
                        std::to_string(request->presence_timeout_seconds()));
  }
  if (request->has_accepted_grace_seconds()) {
    int32_t grace = request->accepted_grace_seconds().value();
    if (grace < 0 || grace > 604800) {
      return to_grpc_status({Errc::kInvalidArgument, "accepted_grace_seconds must be 0 to 604800",
                             "accepted_grace_seconds"},
                            context);
    }
    fields.emplace_back("accepted_grace_seconds", std::to_string(grace));
  }
  if (request->has_scaling()) {
    if (auto valid = validate_scaling(pool, request->scaling()); !valid) {
      return to_grpc_status(valid.error(), context);
    }
  }
  auto saved = staff_.update_settings(pool, fields);
  if (!saved) return to_grpc_status(saved.error(), context);
  if (request->has_scaling()) {
    if (auto set = pools_.set_scaling(pool, request->scaling()); !set) {
      return to_grpc_status(set.error(), context);
    }
  }
  auto scaling = pools_.scaling(pool);
  if (!scaling) return to_grpc_status(scaling.error(), context);
  if (*scaling) *response->mutable_scaling() = **scaling;
  auto now = staff_.settings(pool);
  if (!now) return to_grpc_status(now.error(), context);
  LOG_INFO("admin", "pool=", pool, " strategy ", now->strategy, ", offer timeout ",
           now->offer_timeout_seconds, " s, at most ", now->max_offer_attempts,
           " offers, offline after ", now->presence_timeout_seconds, " s of silence, grace ",
           now->accepted_grace_seconds, " s");
  response->set_pool(pool);
  v1::BalanceStrategy strategy = v1::BALANCE_STRATEGY_LEAST_LOADED;
  if (now->strategy == "longest-idle") strategy = v1::BALANCE_STRATEGY_LONGEST_IDLE;
  if (now->strategy == "round-robin") strategy = v1::BALANCE_STRATEGY_ROUND_ROBIN;
  response->set_strategy(strategy);
  response->set_offer_timeout_seconds(now->offer_timeout_seconds);
  response->set_max_offer_attempts(now->max_offer_attempts);
  response->set_presence_timeout_seconds(now->presence_timeout_seconds);
  response->set_accepted_grace_seconds(now->accepted_grace_seconds);
  return grpc::Status::OK;
}

grpc::Status AdminService::PoolStatus(grpc::ServerContext* context,
                                      const v1::PoolStatusRequest* request,
                                      v1::PoolStatusResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  std::vector<std::string> names;
  if (!request->pool().empty() && !is_valid_name(request->pool())) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "pool must be 1-64 letters, digits, '-', '_' or '.'", "pool"},
        context);
  }
  if (!request->pool().empty()) {
    names.push_back(request->pool());
  } else {
    auto all = staff_.pools();
    if (!all) return to_grpc_status(all.error(), context);
    names = std::move(*all);
    std::sort(names.begin(), names.end());
  }
  for (const auto& pool : names) {
    auto roster = staff_.roster(pool);
    auto bench = pools_.bench(pool);
    auto states = staff_.states(pool);
    auto scaling = pools_.scaling(pool);
    auto waiting = pools_.waiting_count(pool);
    auto recent = pools_.recent(pool, 5);
    for (const Error* e :
         {roster ? nullptr : &roster.error(), bench ? nullptr : &bench.error(),
          states ? nullptr : &states.error(), scaling ? nullptr : &scaling.error(),
          waiting ? nullptr : &waiting.error(), recent ? nullptr : &recent.error()}) {
      if (e) return to_grpc_status(*e, context);
    }
    if (!request->pool().empty() && roster->empty() && !*scaling) {
      return to_grpc_status({Errc::kNotFound, "no pool " + pool, "pool"}, context);
    }
    auto* p = response->add_pools();
    p->set_pool(pool);
    if (*scaling) *p->mutable_scaling() = **scaling;
    for (const auto& s : *roster) {
      auto b = bench->find(s.id());
      if (b == bench->end()) {
        p->set_members(p->members() + 1);
      } else if (b->second == "CALLED_IN") {
        p->set_called_in(p->called_in() + 1);
      } else {
        p->set_bench(p->bench() + 1);
      }
      auto st = states->find(s.id());  // bench staff read as offline here
      if (st != states->end() && st->second.availability == Availability::kAvailable) {
        p->set_available(p->available() + 1);
      }
    }
    p->set_waiting_tasks(static_cast<int32_t>(*waiting));
    for (auto& d : *recent) *p->add_recent() = std::move(d);
  }
  return grpc::Status::OK;
}

}  // namespace lexroute
