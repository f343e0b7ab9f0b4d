#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "lexroute/v1/admin.grpc.pb.h"

namespace lexroute::cli {

int firm_create(const Connection& conn, const std::string& firm_id, const std::string& name) {
  auto stub = v1::Admin::NewStub(open_channel(conn));
  v1::CreateFirmRequest request;
  request.set_firm_id(firm_id);
  request.set_display_name(name);
  v1::CreateFirmResponse response;
  auto status = stub->CreateFirm(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) {
    std::cerr << "firm create: " << describe(status) << "\n";
    return 1;
  }
  // The key is shown once; lexroute keeps only its hash.
  std::cout << response.api_key() << "\n";
  return 0;
}

int pool_configure(const Connection& conn, v1::ConfigurePoolRequest request,
                   const std::string& strategy) {
  auto stub = v1::Admin::NewStub(open_channel(conn));
  std::string name = "BALANCE_STRATEGY_";
  for (char c : strategy) name += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  v1::BalanceStrategy parsed = v1::BALANCE_STRATEGY_UNSPECIFIED;
  if (!strategy.empty() && !v1::BalanceStrategy_Parse(name, &parsed)) {
    std::cerr << "configure-pool: --strategy must be least-loaded, longest-idle or round-robin\n";
    return 2;
  }
  request.set_strategy(parsed);
  v1::ConfigurePoolResponse response;
  auto status = stub->ConfigurePool(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) {
    std::cerr << "configure-pool: " << describe(status) << "\n";
    return 1;
  }
  std::cout << "pool " << response.pool() << ": "
            << v1::BalanceStrategy_Name(response.strategy()).substr(17)
            << ", offers time out after " << response.offer_timeout_seconds() << " s, at most "
            << response.max_offer_attempts() << " offers per task; staff go offline after "
            << response.presence_timeout_seconds() << " s without a heartbeat and keep accepted "
            << "work " << response.accepted_grace_seconds() << " s longer\n";
  return 0;
}

int staff_load(const Connection& conn, const std::string& path, const std::string& tokens_out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "staff load: cannot read " << path << "\n";
    return 2;
  }
  std::ofstream tokens;
  if (!tokens_out.empty()) tokens.open(tokens_out, std::ios::trunc);
  auto stub = v1::Admin::NewStub(open_channel(conn));
  int line_no = 0, ok = 0, failed = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    v1::UpsertStaffRequest request;
    auto parsed = google::protobuf::util::JsonStringToMessage(line, request.mutable_staff());
    if (!parsed.ok()) {
      std::cerr << path << ":" << line_no << ": not a Staff record: " << parsed.ToString() << "\n";
      ++failed;
      continue;
    }
    request.set_issue_token(!tokens_out.empty());
    v1::UpsertStaffResponse response;
    auto status = stub->UpsertStaff(call_context(conn.secret).get(), request, &response);
    if (!status.ok()) {
      std::cerr << path << ":" << line_no << ": " << describe(status) << "\n";
      ++failed;
      continue;
    }
    ++ok;
    if (tokens) tokens << response.staff().id() << " " << response.staff_token() << "\n";
  }
  std::cout << "staff loaded " << ok << ", failed " << failed << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace lexroute::cli
