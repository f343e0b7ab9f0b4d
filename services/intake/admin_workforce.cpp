#include <set>

#include "router/roster_import.h"
#include "router/text.h"
#include "router/validation.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"
#include "services/intake/admin_service.h"

// Admin calls about the workforce in bulk: roster import, ethical walls per matter, vendors.
namespace lexroute {
namespace {

constexpr size_t kMaxRosterBytes = 16u << 20;

}  // namespace

grpc::Status AdminService::ImportRoster(grpc::ServerContext* context,
                                        const v1::ImportRosterRequest* request,
                                        v1::ImportRosterResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  if (request->content().size() > kMaxRosterBytes) {
    return to_grpc_status({Errc::kInvalidArgument, "content must be at most 16 MiB", "content"},
                          context);
  }
  auto rows = parse_roster(request->content(), request->format());
  if (!rows) return to_grpc_status(rows.error(), context);
  std::map<std::string, int> first_line;  // staff id -> where it first appeared
  for (auto& row : *rows) {
    auto* result = response->add_rows();
    result->set_row(row.line);
    result->set_staff_id(row.staff.id());
    auto refuse = [&](const Error& e) {
      result->set_error(e.message);
      result->set_field(e.field);
      response->set_failed(response->failed() + 1);
    };
    if (row.error) {
      refuse(*row.error);
      continue;
    }
    if (auto valid = validate_staff(row.staff); !valid) {
      refuse(valid.error());
      continue;
    }
    auto [seen, fresh] = first_line.try_emplace(row.staff.pool() + "/" + row.staff.id(), row.line);
    if (!fresh) {
      refuse({Errc::kInvalidArgument,
              cat("staff ", row.staff.id(), " already appears on line ", seen->second), "id"});
      continue;
    }
    if (request->dry_run()) {
      response->set_imported(response->imported() + 1);
      continue;
    }
    // Each row is one atomic upsert: saved whole or not at all.
    if (auto saved = staff_.upsert(row.staff); !saved) {
      refuse(saved.error());
      continue;
    }
    if (request->issue_tokens()) {
      auto token = credentials_.issue_staff_token(row.staff.pool(), row.staff.id());
      if (!token) {
        refuse(token.error());
        continue;
      }
      result->set_staff_token(*token);
    }
    result->set_imported(true);
    response->set_imported(response->imported() + 1);
  }
  LOG_INFO("admin", "roster import", request->dry_run() ? " (dry run)" : "", ": ",
           response->imported(), " imported, ", response->failed(), " refused");
  return grpc::Status::OK;
}

grpc::Status AdminService::AddMatterWall(grpc::ServerContext* context,
                                         const v1::AddMatterWallRequest* request,
                                         v1::AddMatterWallResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  auto invalid = [&](const std::string& message, const std::string& field) {
    return to_grpc_status({Errc::kInvalidArgument, message, field}, context);
  };
  if (!is_valid_name(request->firm_id())) {
    return invalid("firm_id must be 1-64 letters, digits, '-', '_' or '.'", "firm_id");
  }
  if (request->matter_id().empty() || request->matter_id().size() > 128) {
    return invalid("matter_id is required (at most 128 characters)", "matter_id");
  }
  if (request->staff_ids().empty()) return invalid("name at least one staff member", "staff_ids");
  if (request->reason().size() > 500) return invalid("reason: at most 500 characters", "reason");
  std::string pool = request->pool().empty() ? std::string(kDefaultPool) : request->pool();
  // Check everyone first, so a typo changes nobody.
  std::vector<v1::Staff> walled;
  for (int i = 0; i < request->staff_ids_size(); ++i) {
    auto staff = staff_.get(pool, request->staff_ids(i));
    if (!staff) {
      if (staff.error().code != Errc::kNotFound) return to_grpc_status(staff.error(), context);
      return invalid(cat("no staff member ", request->staff_ids(i), " in pool ", pool),
                     cat("staff_ids[", i, "]"));
    }
    walled.push_back(std::move(*staff));
  }
  for (auto& staff : walled) {
    bool already = false;
    for (const auto& w : staff.walls()) {
      already |= w.firm_id() == request->firm_id() && w.matter_id() == request->matter_id() &&
                 w.party().empty();
    }
    if (already) continue;
    auto* wall = staff.add_walls();
    wall->set_firm_id(request->firm_id());
    wall->set_matter_id(request->matter_id());
    wall->set_reason(request->reason());
    if (auto saved = staff_.upsert(staff); !saved) return to_grpc_status(saved.error(), context);
    response->set_staff_walled(response->staff_walled() + 1);
  }
  LOG_INFO("admin", "wall on firm=", request->firm_id(), " matter=", request->matter_id(), ": ",
           response->staff_walled(), " staff screened off");
  return grpc::Status::OK;
}

grpc::Status AdminService::UpsertVendor(grpc::ServerContext* context,
                                        const v1::UpsertVendorRequest* request,
                                        v1::Vendor* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  const v1::Vendor& vendor = request->vendor();
  if (!is_valid_name(vendor.id())) {
    return to_grpc_status({Errc::kInvalidArgument,
                           "vendor.id must be 1-64 letters, digits, '-', '_' or '.'", "vendor.id"},
                          context);
  }
  if (vendor.display_name().size() > 200 || vendor.contact().size() > 500) {
    return to_grpc_status(
        {Errc::kInvalidArgument, "vendor.display_name (200) or vendor.contact (500) is too long",
         vendor.display_name().size() > 200 ? "vendor.display_name" : "vendor.contact"},
        context);
  }
  if (auto saved = staff_.upsert_vendor(vendor); !saved) {
    return to_grpc_status(saved.error(), context);
  }
  *response = vendor;
  return grpc::Status::OK;
}

grpc::Status AdminService::ListVendors(grpc::ServerContext* context, const v1::ListVendorsRequest*,
                                       v1::ListVendorsResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  auto vendors = staff_.vendors();
  if (!vendors) return to_grpc_status(vendors.error(), context);
  for (auto& v : *vendors) *response->add_vendors() = std::move(v);
  return grpc::Status::OK;
}

}  // namespace lexroute
