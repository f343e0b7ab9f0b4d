#include "tests/support/command_run.h"

#include <sys/wait.h>

#include <cstdio>

namespace lexroute::testing {

CommandRun run_command(const std::string& command) {
  CommandRun r;
  std::string with_errors = command + " 2>&1";
  FILE* pipe = ::popen(with_errors.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) r.out.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace lexroute::testing
