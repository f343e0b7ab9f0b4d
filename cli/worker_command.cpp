#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "workers/staff_simulator.h"

namespace lexroute::cli {

int worker_auto(const Connection& conn, const std::string& tokens_file, int think_ms,
                double reject_rate, int seconds) {
  std::ifstream in(tokens_file);
  if (!in) {
    std::cerr << "worker: cannot read " << tokens_file << "\n";
    return 2;
  }
  StaffSimulator::Options options;
  options.server = conn.server;
  options.security = conn.security;
  options.think = std::chrono::milliseconds(think_ms);
  options.reject_rate = reject_rate;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    StaffSimulator::Member m;
    if (fields >> m.staff_id >> m.token) options.staff.push_back(m);
  }
  if (options.staff.empty()) {
    std::cerr << "worker: no 'staff_id token' lines in " << tokens_file << "\n";
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  StaffSimulator sim(options);
  sim.start();
  std::cout << "worker: " << options.staff.size() << " simulated staff working" << std::endl;
  if (seconds > 0) {
    timespec limit{seconds, 0};
    sigtimedwait(&stop_signals, nullptr, &limit);
  } else {
    int sig = 0;
    sigwait(&stop_signals, &sig);
  }
  sim.stop();
  std::cout << "worker: accepted " << sim.accepted() << ", completed " << sim.completed()
            << ", rejected " << sim.rejected() << ", errors " << sim.errors() << std::endl;
  return 0;
}

}  // namespace lexroute::cli
