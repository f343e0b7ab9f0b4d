#include "services/admin/admin_service.h"

#include <absl/strings/str_join.h>

#include "router/payload_schemes.h"
#include "router/validation.h"
#include "services/common/grpc_auth.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/common/secrets.h"

namespace lexroute {
namespace {

Result<void> validate_firm_id(const std::string& firm_id) {
  if (is_valid_name(firm_id)) return {};
  return fail(Errc::kInvalidArgument, "firm_id must be 1-64 letters, digits, '-', '_' or '.'",
              "firm_id");
}

}  // namespace

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
  if (auto valid = validate_firm_id(request->firm_id()); !valid) {
    return to_grpc_status(valid.error(), context);
  }
  if (auto valid = validate_text(request->display_name(), limits::kDisplayName, "display_name");
      !valid) {
    return to_grpc_status(valid.error(), context);
  }
  auto key = credentials_.create_firm(request->firm_id(), request->display_name(), clock_.now_ms());
  if (!key) return to_grpc_status(key.error(), context);
  LOG_INFO("admin", "firm=", request->firm_id(), " created");
  response->set_firm_id(request->firm_id());
  response->set_api_key(*key);
  return grpc::Status::OK;
}

grpc::Status AdminService::SetPayloadSchemes(grpc::ServerContext* context,
                                             const v1::SetPayloadSchemesRequest* request,
                                             v1::SetPayloadSchemesResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  if (auto valid = validate_firm_id(request->firm_id()); !valid) {
    return to_grpc_status(valid.error(), context);
  }
  auto valid = validate_added_schemes(
      std::vector<std::string>(request->schemes().begin(), request->schemes().end()));
  if (!valid) return to_grpc_status(valid.error(), context);
  std::vector<std::string> added = std::move(*valid);
  auto saved = credentials_.set_payload_schemes(request->firm_id(), added);
  if (!saved) return to_grpc_status(saved.error(), context);
  LOG_INFO("admin", "firm=", request->firm_id(), " payload_ref schemes: https",
           added.empty() ? "" : ", ", absl::StrJoin(added, ", "));
  response->set_firm_id(request->firm_id());
  response->add_schemes(std::string(kDefaultPayloadScheme));
  for (auto& scheme : added) response->add_schemes(std::move(scheme));
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

}  // namespace lexroute
