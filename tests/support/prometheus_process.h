#pragma once

#include <google/protobuf/struct.pb.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "router/error.h"
#include "services/common/child_process.h"

namespace lexroute::testing {

// A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port, scraping `targets`
// every second and evaluating `rule_files` every second, its storage in `data_dir`. Stopped
// (SIGTERM, then waited for) on destruction.
class PrometheusProcess {
 public:
  struct Options {
    std::string data_dir;
    std::vector<std::string> targets;     // host:port serving /metrics
    std::vector<std::string> rule_files;  // absolute paths
  };
  static Result<std::unique_ptr<PrometheusProcess>> start(Options options);
  ~PrometheusProcess();

  // `data.result` of an instant query through /api/v1/query; an error for HTTP or PromQL errors.
  Result<google::protobuf::ListValue> query(const std::string& promql);
  // The value of an instant query that returns at most one sample; nullopt for none.
  Result<std::optional<double>> value(const std::string& promql);

  const std::string& address() const { return address_; }

 private:
  PrometheusProcess() = default;
  Result<void> spawn(int port);

  Options options_;
  std::string address_;
  ChildProcess child_;
};

}  // namespace lexroute::testing
