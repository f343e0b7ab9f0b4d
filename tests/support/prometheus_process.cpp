#include "tests/support/prometheus_process.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "router/text.h"
#include "services/metrics/http_get.h"

namespace lexroute::testing {

using namespace std::chrono_literals;

Result<std::unique_ptr<PrometheusProcess>> PrometheusProcess::start(Options options) {
  std::filesystem::create_directories(options.data_dir);
  std::unique_ptr<PrometheusProcess> p(new PrometheusProcess());
  p->options_ = std::move(options);
  {
    std::ofstream config(p->options_.data_dir + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
           << "rule_files:\n";
    for (const auto& f : p->options_.rule_files) config << "  - " << f << "\n";
    config << "scrape_configs:\n  - job_name: lexroute-dev\n    static_configs:\n"
           << "      - targets:\n";
    for (const auto& t : p->options_.targets) config << "          - \"" << t << "\"\n";
  }
  // Another process may take the port between the probe and Prometheus's bind; try a few.
  Error last{Errc::kUnavailable, "prometheus did not start", {}};
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto started = p->spawn(pick_free_port());
    if (started) return p;
    last = started.error();
  }
  return std::unexpected(last);
}

Result<void> PrometheusProcess::spawn(int port) {
  address_ = cat("127.0.0.1:", port);
  std::string dir = options_.data_dir;
  auto child =
      ChildProcess::spawn({"/usr/bin/prometheus", "--config.file=" + dir + "/prometheus.yml",
                           "--storage.tsdb.path=" + dir + "/tsdb",
                           "--web.listen-address=" + address_, "--log.level=warn"},
                          dir + "/prometheus.log");
  if (!child) return std::unexpected(child.error());
  child_ = std::move(*child);
  // Generous: a loaded machine (or a sanitizer build running beside it) starts it slowly.
  for (int i = 0; i < 600; ++i) {
    if (child_.exited()) {
      return fail(Errc::kUnavailable,
                  cat("prometheus exited at start; see ", dir, "/prometheus.log"));
    }
    if (http_get(cat("http://", address_, "/-/ready"), 1s)) return {};
    std::this_thread::sleep_for(100ms);
  }
  return fail(Errc::kUnavailable, "prometheus not ready within 60 s");
}

PrometheusProcess::~PrometheusProcess() = default;

Result<google::protobuf::ListValue> PrometheusProcess::query(const std::string& promql) {
  auto body = http_get(cat("http://", address_, "/api/v1/query?query=", url_encode(promql)), 10s);
  if (!body) return std::unexpected(body.error());
  google::protobuf::Struct answer;
  if (!google::protobuf::util::JsonStringToMessage(*body, &answer).ok()) {
    return fail(Errc::kInternal, "not JSON: " + body->substr(0, 200));
  }
  const auto& fields = answer.fields();
  if (!fields.contains("status") || fields.at("status").string_value() != "success") {
    return fail(Errc::kInvalidArgument, "query failed: " + body->substr(0, 300));
  }
  return fields.at("data").struct_value().fields().at("result").list_value();
}

Result<std::optional<double>> PrometheusProcess::value(const std::string& promql) {
  auto result = query(promql);
  if (!result) return std::unexpected(result.error());
  if (result->values_size() == 0) return std::optional<double>();
  if (result->values_size() > 1) {
    return fail(Errc::kInvalidArgument,
                cat(promql, " returned ", result->values_size(), " series"));
  }
  const auto& sample = result->values(0).struct_value().fields().at("value").list_value();
  return std::optional<double>(std::strtod(sample.values(1).string_value().c_str(), nullptr));
}

}  // namespace lexroute::testing
