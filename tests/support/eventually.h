#pragma once

#include <chrono>
#include <functional>

namespace lexroute::testing {

// Asks `condition` every `every` until it holds or `within` has passed; whether it held. For
// waiting on what another thread or process does, instead of sleeping for a guessed time.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds within = std::chrono::seconds(15),
                std::chrono::milliseconds every = std::chrono::milliseconds(20));

}  // namespace lexroute::testing
