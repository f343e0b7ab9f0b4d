
#include <algorithm>

#include "router/text.h"
#include "router/validation.h"
#include "services/admin/admin_service.h"  // IWYU: the class these methods belong to
#include "services/common/grpc_status.h"
#include "services/common/log.h"

// Admin calls about pools: routing settings, elastic scaling, and their status.
namespace lexroute {

Result<void> AdminService::validate_scaling(const std::string& pool,
                                            const v1::PoolScaling& scaling) {
  if (auto valid = validate_pool_scaling(scaling); !valid) return valid;
  // Whether each bench member exists is the roster's to say; the rest is router/validation.
  for (int i = 0; i < scaling.bench_staff_size(); ++i) {
    const std::string& id = scaling.bench_staff(i);
    std::string field = cat("scaling.bench_staff[", i, "]");
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
  auto change = settings_change(*request);
  if (!change) return to_grpc_status(change.error(), context);
  if (request->has_scaling()) {
    if (auto valid = validate_scaling(pool, request->scaling()); !valid) {
      return to_grpc_status(valid.error(), context);
    }
  }
  auto saved = staff_.update_settings(pool, *change);
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
  LOG_INFO("admin", "pool=", pool, " strategy ", strategy_name(now->strategy), ", offer timeout ",
           now->offer_timeout_seconds, " s, at most ", now->max_offer_attempts,
           " offers, offline after ", now->presence_timeout_seconds, " s of silence, grace ",
           now->accepted_grace_seconds, " s");
  response->set_pool(pool);
  response->set_strategy(to_proto(now->strategy));
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
