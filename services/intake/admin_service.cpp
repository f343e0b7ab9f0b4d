#include "services/intake/admin_service.h"

#include "router/validation.h"
#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/secrets.h"

namespace lexroute {

Result<void> AdminService::authorize(grpc::ServerContext* context) const {
  std::string key = bearer_token(*context);
  if (key.empty() || admin_key_sha256_.empty() ||
      !constant_time_equal(sha256_hex(key), admin_key_sha256_)) {
    return fail(Errc::kUnauthenticated, "admin key missing or wrong");
  }
  return {};
}

grpc::Status AdminService::CreateFirm(grpc::ServerContext* context,
                                      const v1::CreateFirmRequest* request,
                                      v1::CreateFirmResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  if (!is_valid_name(request->firm_id())) {
    return to_grpc_status({Errc::kInvalidArgument,
                           "firm_id must be 1-64 letters, digits, '-', '_' or '.'", "firm_id"},
                          context);
  }
  if (request->display_name().size() > 200) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "display_name must be at most 200 characters", "display_name"},
        context);
  }
  auto key = credentials_.create_firm(request->firm_id(), request->display_name(), clock_.now_ms());
  if (!key) return to_grpc_status(key.error(), context);
  LOG_INFO("admin", "firm=", request->firm_id(), " created");
  response->set_firm_id(request->firm_id());
  response->set_api_key(*key);
  return grpc::Status::OK;
}

grpc::Status AdminService::UpsertStaff(grpc::ServerContext* context,
                                       const v1::UpsertStaffRequest* request,
                                       v1::UpsertStaffResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  v1::Staff staff = request->staff();
  auto valid = validate_staff(staff);
  if (!valid) return to_grpc_status(valid.error(), context);
  auto saved = staff_.upsert(staff);
  if (!saved) return to_grpc_status(saved.error(), context);
  if (request->issue_token()) {
    auto token = credentials_.issue_staff_token(staff.pool(), staff.id());
    if (!token) return to_grpc_status(token.error(), context);
    response->set_staff_token(*token);
  }
  LOG_INFO("admin", "staff=", staff.id(), " pool=", staff.pool(), " saved");
  *response->mutable_staff() = std::move(staff);
  return grpc::Status::OK;
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
    if (request->accepted_grace_seconds() < 0 || request->accepted_grace_seconds() > 604800) {
      return to_grpc_status({Errc::kInvalidArgument, "accepted_grace_seconds must be 0 to 604800",
                             "accepted_grace_seconds"},
                            context);
    }
    fields.emplace_back("accepted_grace_seconds",
                        std::to_string(request->accepted_grace_seconds()));
  }
  auto saved = staff_.update_settings(pool, fields);
  if (!saved) return to_grpc_status(saved.error(), context);
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

}  // namespace lexroute
