#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "lexroute/v1/intake.grpc.pb.h"

namespace lexroute::cli {

int submit_one(const Connection& conn, const v1::SubmitTaskRequest& request) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  v1::SubmitTaskResponse response;
  auto status = stub->SubmitTask(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) {
    std::cerr << "submit: " << describe(status) << "\n";
    return 1;
  }
  std::cout << response.task_id() << (response.duplicate() ? " (existing)" : "") << "\n";
  return 0;
}

int submit_file(const Connection& conn, const std::string& path, const std::string& ids_out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "submit: cannot read " << path << "\n";
    return 2;
  }
  auto stub = v1::TaskIntake::NewStub(open_channel(conn));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + conn.secret);
  v1::SubmitTasksResponse response;
  auto writer = stub->SubmitTasks(&ctx, &response);
  // Lines that are not requests never reach the server; remember where the rest came from.
  std::vector<int> line_of;
  int line_no = 0, unreadable = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    v1::SubmitTaskRequest request;
    auto parsed = google::protobuf::util::JsonStringToMessage(line, &request);
    if (!parsed.ok()) {
      std::cerr << path << ":" << line_no << ": not a SubmitTaskRequest: " << parsed.ToString()
                << "\n";
      ++unreadable;
      continue;
    }
    // Write blocks while the server is busy with earlier items: that is the back-pressure.
    if (!writer->Write(request)) break;
    line_of.push_back(line_no);
  }
  writer->WritesDone();
  auto status = writer->Finish();
  if (!status.ok()) {
    std::cerr << "submit: " << describe(status) << "\n";
    return 1;
  }
  std::ofstream ids;
  if (!ids_out.empty()) ids.open(ids_out, std::ios::trunc);
  for (const auto& r : response.results()) {
    int at = r.index() < static_cast<int>(line_of.size()) ? line_of[r.index()] : -1;
    if (r.error_code().empty()) {
      if (ids) ids << r.task_id() << "\n";
    } else {
      std::cerr << path << ":" << at << ": " << r.error_code() << ": "
                << (r.field().empty() ? "" : r.field() + ": ") << r.error_message() << "\n";
    }
  }
  std::cout << "submitted " << response.accepted() << ", failed " << response.failed() + unreadable
            << "\n";
  return response.failed() + unreadable == 0 ? 0 : 1;
}

}  // namespace lexroute::cli
