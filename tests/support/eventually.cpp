#include "tests/support/eventually.h"

#include <thread>

namespace lexroute::testing {

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within,
                std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace lexroute::testing
