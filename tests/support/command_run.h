#pragma once

#include <string>

namespace lexroute::testing {

// What a shell command printed (stdout and stderr together) and its exit code (-1 when it did not
// exit normally or could not be started).
struct CommandRun {
  int exit_code = -1;
  std::string out;
};

// Runs `command` through /bin/sh and waits for it; for tests of the real binaries.
CommandRun run_command(const std::string& command);

}  // namespace lexroute::testing
