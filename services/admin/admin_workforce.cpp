#include <set>

#include "router/limits.h"
#include "router/roster_import.h"
#include "router/text.h"
#include "router/validation.h"
#include "services/admin/admin_service.h"
#include "services/common/grpc_status.h"
#include "services/common/log.h"

// Admin calls about the workforce in bulk: roster import, ethical walls per matter, vendors.
namespace lexroute {

grpc::Status AdminService::ImportRoster(grpc::ServerContext* context,
                                        const v1::ImportRosterRequest* request,
                                        v1::ImportRosterResponse* response) {
  auto ok = authorize(context);
  if (!ok) return to_grpc_status(ok.error(), context);
  if (request->content().size() > limits::kRosterBytes) {
    return to_grpc_status({Errc::kInvalidArgument, "content must be at most 16 MiB", "content"},
                          context);
  }
  auto rows = parse_roster(request->content(), request->format());
  if (!rows) return to_grpc_status(rows.error(), context);
  std::map<std::string, int> first_line;  // staff id -> where it first appeared
  for (auto& row : *rows) {
    auto* result = response->add_rows();
    result->set_row(row.line);
    // What the file says, bounded and escaped: it may be anything until validated.
    result->set_staff_id(is_valid_name(row.staff.id()) ? row.staff.id()
                                                       : escaped(row.staff.id(), limits::kName));
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
  if (!is_valid_name(request->matter_id())) {
    return invalid("matter_id must be 1-64 letters, digits, '-', '_' or '.'", "matter_id");
  }
  if (request->staff_ids().empty()) return invalid("name at least one staff member", "staff_ids");
  if (request->staff_ids_size() > limits::kWallStaff) {
    return invalid(cat("at most ", limits::kWallStaff, " staff at once"), "staff_ids");
  }
  if (auto reason = validate_text(request->reason(), limits::kReason, "reason"); !reason) {
    return to_grpc_status(reason.error(), context);
  }
  std::string pool = request->pool().empty() ? std::string(kDefaultPool) : request->pool();
  if (!is_valid_name(pool))
    return invalid("pool must be 1-64 letters, digits, '-', '_' or '.'", "pool");
  // Check everyone first, so a typo changes nobody.
  std::vector<v1::Staff> walled;
  for (int i = 0; i < request->staff_ids_size(); ++i) {
    if (!is_valid_name(request->staff_ids(i))) {
      return invalid(cat("not a staff id: ", bounded_quote(request->staff_ids(i))),
                     cat("staff_ids[", i, "]"));
    }
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
  for (const auto& text :
       {validate_text(vendor.display_name(), limits::kDisplayName, "vendor.display_name"),
        validate_text(vendor.contact(), limits::kContact, "vendor.contact")}) {
    if (!text) return to_grpc_status(text.error(), context);
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
