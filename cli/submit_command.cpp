#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "lexroute/v1/intake.grpc.pb.h"

namespace lexroute::cli {

int submit_one(const Connection& conn, const v1::SubmitTaskRequest& request) {
  auto stub = v1::TaskIntake::NewStub(open_channel(conn.server));
  v1::SubmitTaskResponse response;
  auto status = stub->SubmitTask(call_context(conn.secret).get(), request, &response);
  if (!status.ok()) {
    std::cerr << "submit: " << describe(status) << "\n";
    return 1;
  }
  std::cout << response.task_id() << (response.duplicate() ? " (existing)" : "") << "\n";
  return 0;
}

int submit_file(const Connection& conn, const std::string& path, int concurrency,
                const std::string& ids_out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "submit: cannot read " << path << "\n";
    return 2;
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::ofstream ids;
  if (!ids_out.empty()) ids.open(ids_out, std::ios::trunc);

  auto stub = v1::TaskIntake::NewStub(open_channel(conn.server));
  std::atomic<size_t> next{0}, ok{0}, failed{0};
  std::mutex out_mutex;
  auto worker = [&] {
    for (size_t i = next++; i < lines.size(); i = next++) {
      v1::SubmitTaskRequest request;
      auto parsed = google::protobuf::util::JsonStringToMessage(lines[i], &request);
      std::string error;
      v1::SubmitTaskResponse response;
      if (!parsed.ok()) {
        error = "not a SubmitTaskRequest: " + parsed.ToString();
      } else {
        auto status = stub->SubmitTask(call_context(conn.secret).get(), request, &response);
        if (!status.ok()) error = describe(status);
      }
      std::lock_guard lock(out_mutex);
      if (error.empty()) {
        ++ok;
        if (ids) ids << response.task_id() << "\n";
      } else {
        ++failed;
        std::cerr << path << ":" << i + 1 << ": " << error << "\n";
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, concurrency); ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  std::cout << "submitted " << ok.load() << ", failed " << failed.load() << "\n";
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace lexroute::cli
