#include "cli/workforce_command.h"

#include <google/protobuf/util/time_util.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "lexroute/v1/admin.grpc.pb.h"

namespace lexroute::cli {
namespace {

using google::protobuf::util::TimeUtil;

std::string at(const google::protobuf::Timestamp& t) {
  return TimeUtil::ToString(TimeUtil::SecondsToTimestamp(t.seconds()));
}

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

int fail_with(const char* command, const grpc::Status& status) {
  std::cerr << command << ": " << describe(status) << "\n";
  return 1;
}

int pools_status(const Connection& conn, const std::string& pool) {
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::PoolStatusRequest request;
  request.set_pool(pool);
  v1::PoolStatusResponse response;
  auto status = stub->PoolStatus(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) return fail_with("pools status", status);
  for (const auto& p : response.pools()) {
    std::cout << "pool " << p.pool() << ": " << p.members() << " members, " << p.bench()
              << " on the bench, " << p.called_in() << " called in, " << p.available()
              << " available now, " << p.waiting_tasks() << " tasks waiting\n";
    if (p.has_scaling()) {
      const auto& s = p.scaling();
      std::cout << "  scaling: active " << s.min_active() << " to " << s.max_active();
      if (s.has_surge_start()) std::cout << ", surge from " << at(s.surge_start());
      if (s.has_surge_end()) std::cout << " until " << at(s.surge_end());
      if (s.target_time_to_offer_seconds() > 0) {
        std::cout << ", target time to offer " << s.target_time_to_offer_seconds() << " s";
      }
      std::cout << "\n";
    }
    for (const auto& d : p.recent()) {
      std::cout << "  " << at(d.at()) << "  desired " << d.desired() << " (active " << d.active()
                << ", bench in working hours " << d.bench_on_shift() << "), backlog "
                << d.backlog_tasks() << " tasks / " << d.backlog_effort_minutes() << " min";
      if (d.has_earliest_deadline()) std::cout << " due from " << at(d.earliest_deadline());
      std::cout << ", " << d.completed_last_hour() << " completed in the last hour\n";
      if (d.called_in_size() > 0) std::cout << "      called in: " << joined(d.called_in()) << "\n";
      if (d.released_size() > 0) std::cout << "      released: " << joined(d.released()) << "\n";
      std::cout << "      " << d.reason() << "\n";
    }
  }
  return 0;
}

int pools_scale(const WorkforceCli& w, const Connection& conn) {
  v1::ConfigurePoolRequest request;
  request.set_pool(w.pool);
  auto* s = request.mutable_scaling();
  s->set_min_active(w.min_active);
  s->set_max_active(w.max_active);
  s->set_target_time_to_offer_seconds(w.target_time_to_offer);
  if (!w.surge_start.empty() && !TimeUtil::FromString(w.surge_start, s->mutable_surge_start())) {
    std::cerr << "pools scale: --surge-start '" << w.surge_start << "' is not an RFC 3339 time\n";
    return 2;
  }
  if (!w.surge_end.empty() && !TimeUtil::FromString(w.surge_end, s->mutable_surge_end())) {
    std::cerr << "pools scale: --surge-end '" << w.surge_end << "' is not an RFC 3339 time\n";
    return 2;
  }
  std::stringstream ids(w.bench);
  for (std::string id; std::getline(ids, id, ',');) {
    if (!id.empty()) s->add_bench_staff(id);
  }
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::ConfigurePoolResponse response;
  auto status = stub->ConfigurePool(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) return fail_with("pools scale", status);
  std::cout << "pool " << response.pool() << ": active " << response.scaling().min_active()
            << " to " << response.scaling().max_active() << ", bench of "
            << response.scaling().bench_staff_size() << "\n";
  return 0;
}

int staff_import(const WorkforceCli& w, const Connection& conn) {
  std::ifstream in(w.file, std::ios::binary);
  if (!in) {
    std::cerr << "staff import: cannot read " << w.file << "\n";
    return 2;
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string format = w.format;
  if (format.empty()) format = w.file.ends_with(".csv") ? "csv" : "jsonl";
  v1::ImportRosterRequest request;
  if (format == "csv") {
    request.set_format(v1::ROSTER_FORMAT_CSV);
  } else if (format == "jsonl") {
    request.set_format(v1::ROSTER_FORMAT_JSONL);
  } else {
    std::cerr << "staff import: --format must be csv or jsonl\n";
    return 2;
  }
  request.set_content(content.str());
  request.set_issue_tokens(!w.tokens_out.empty());
  request.set_dry_run(w.dry_run);
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::ImportRosterResponse response;
  auto status = stub->ImportRoster(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) return fail_with("staff import", status);
  std::ofstream tokens;
  if (!w.tokens_out.empty() && !w.dry_run) tokens.open(w.tokens_out);
  for (const auto& row : response.rows()) {
    if (!row.error().empty()) {
      std::cerr << w.file << ":" << row.row() << ": "
                << (row.staff_id().empty() ? "" : row.staff_id() + ": ") << row.error()
                << (row.field().empty() ? "" : " [" + row.field() + "]") << "\n";
    } else if (tokens && !row.staff_token().empty()) {
      tokens << row.staff_id() << " " << row.staff_token() << "\n";
    }
  }
  std::cout << (w.dry_run ? "would import " : "imported ") << response.imported() << ", refused "
            << response.failed() << "\n";
  return response.failed() == 0 ? 0 : 1;
}

int staff_wall(const WorkforceCli& w, const Connection& conn) {
  v1::AddMatterWallRequest request;
  request.set_firm_id(w.firm);
  request.set_matter_id(w.matter);
  request.set_pool(w.pool);
  request.set_reason(w.reason);
  for (const auto& id : w.staff_ids) request.add_staff_ids(id);
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::AddMatterWallResponse response;
  auto status = stub->AddMatterWall(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) return fail_with("staff wall", status);
  std::cout << response.staff_walled() << " staff screened off " << w.firm << "/" << w.matter
            << "\n";
  return 0;
}

int vendors_add(const WorkforceCli& w, const Connection& conn) {
  v1::UpsertVendorRequest request;
  request.mutable_vendor()->set_id(w.vendor_id);
  request.mutable_vendor()->set_display_name(w.vendor_name);
  request.mutable_vendor()->set_contact(w.contact);
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::Vendor response;
  auto status = stub->UpsertVendor(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) return fail_with("vendors add", status);
  std::cout << "vendor " << response.id() << " saved\n";
  return 0;
}

int vendors_list(const Connection& conn) {
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::ListVendorsResponse response;
  auto status =
      stub->ListVendors(call_context(conn.secret).get(), v1::ListVendorsRequest{}, &response);
  if (!status.ok()) return fail_with("vendors list", status);
  for (const auto& v : response.vendors()) {
    std::cout << v.id() << "\t" << v.display_name() << "\t" << v.contact() << "\n";
  }
  return 0;
}

void add_admin_key(CLI::App* cmd, WorkforceCli& w) {
  cmd->fallthrough();
  cmd->add_option("--admin-key", w.admin_key, "Admin key (LEXROUTE_ADMIN_KEY)");
  cmd->add_option("--admin-key-file", w.admin_key_file, "File holding the admin key");
}

}  // namespace

void add_workforce_commands(CLI::App& app, WorkforceCli& w, const std::string& admin_key) {
  w.admin_key = admin_key;
  w.pools = app.add_subcommand("pools", "Elastic pools: status and scaling (admin key)");
  w.pools->require_subcommand(1);
  add_admin_key(w.pools, w);
  w.pools_status = w.pools->add_subcommand(
      "status", "Desired vs active vs backlog per pool, with the scaler's recent decisions");
  w.pools_status->add_option("pool", w.pool, "One pool (default: all)");
  w.pools_scale = w.pools->add_subcommand("scale", "Set (replace) a pool's scaling");
  w.pools_scale->add_option("pool", w.pool)->required();
  w.pools_scale->add_option("--min", w.min_active, "Minimum active staff")->capture_default_str();
  w.pools_scale->add_option("--max", w.max_active, "Maximum active staff")->required();
  w.pools_scale->add_option("--surge-start", w.surge_start, "RFC 3339 start of a surge window");
  w.pools_scale->add_option("--surge-end", w.surge_end, "RFC 3339 end: the pool drains then");
  w.pools_scale->add_option("--bench", w.bench, "Bench staff ids, comma-separated");
  w.pools_scale->add_option("--target-time-to-offer", w.target_time_to_offer, "Seconds");

  w.staff = app.add_subcommand("staff", "The staff roster in bulk (admin key)");
  w.staff->require_subcommand(1);
  add_admin_key(w.staff, w);
  w.staff_import = w.staff->add_subcommand(
      "import", "Add or update staff from CSV or JSON Lines; reports every refused row");
  w.staff_import->add_option("file", w.file)->required();
  w.staff_import->add_option("--format", w.format, "csv or jsonl (default: from the name)");
  w.staff_import->add_option("--tokens-out", w.tokens_out, "Issue tokens; write them here");
  w.staff_import->add_flag("--dry-run", w.dry_run, "Check every row, save nothing");
  w.staff_wall = w.staff->add_subcommand("wall", "Screen staff off a matter (ethical wall)");
  w.staff_wall->add_option("--firm", w.firm)->required();
  w.staff_wall->add_option("--matter", w.matter)->required();
  w.staff_wall->add_option("--staff", w.staff_ids, "Staff id (repeatable)")->required();
  w.staff_wall->add_option("--pool", w.pool);
  w.staff_wall->add_option("--reason", w.reason);

  w.vendors = app.add_subcommand("vendors", "Vendors supplying staff (admin key)");
  w.vendors->require_subcommand(1);
  add_admin_key(w.vendors, w);
  w.vendors_add = w.vendors->add_subcommand("add", "Add or update a vendor");
  w.vendors_add->add_option("id", w.vendor_id)->required();
  w.vendors_add->add_option("--name", w.vendor_name);
  w.vendors_add->add_option("--contact", w.contact, "Where the vendor hears of call-ins");
  w.vendors_list = w.vendors->add_subcommand("list", "List vendors");
}

int run_workforce_command(const WorkforceCli& w, Connection conn) {
  if (!w.pools->parsed() && !w.staff->parsed() && !w.vendors->parsed()) return -1;
  conn.secret = w.admin_key;
  if (!w.admin_key_file.empty()) {
    std::ifstream in(w.admin_key_file);
    std::getline(in, conn.secret);
  }
  if (w.pools_status->parsed()) return pools_status(conn, w.pool);
  if (w.pools_scale->parsed()) return pools_scale(w, conn);
  if (w.staff_import->parsed()) return staff_import(w, conn);
  if (w.staff_wall->parsed()) return staff_wall(w, conn);
  if (w.vendors_add->parsed()) return vendors_add(w, conn);
  if (w.vendors_list->parsed()) return vendors_list(conn);
  return 2;
}

}  // namespace lexroute::cli
