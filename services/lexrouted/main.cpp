// lexrouted: parse the configuration, start a Node, run until SIGTERM or SIGINT, stop cleanly.
#include <absl/synchronization/mutex.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "services/common/log.h"
#include "services/lexrouted/config.h"
#include "services/lexrouted/node.h"

int main(int argc, char** argv) {
  // Block the stop signals in every thread (they inherit the mask); only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Debian builds abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on: every
  // lock gRPC takes would also update a global lock-order graph (docs/performance.md, "Measured
  // choices").
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  auto config = lexroute::parse_config(argc, argv, environ);
  if (!config) {
    if (config.error().message.empty()) return 0;  // --help
    std::cerr << "lexrouted: " << config.error().message << "\n";
    return 2;
  }
  if (config->verbose) lexroute::set_log_level(lexroute::LogLevel::kDebug);

  auto node = lexroute::Node::start(*config);
  if (!node) {
    LOG_ERROR("lexrouted", "cannot start: ", node.error().message);
    return 1;
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  LOG_INFO("lexrouted", "signal ", signal, ": stopping");
  (*node)->stop();
  return 0;
}
