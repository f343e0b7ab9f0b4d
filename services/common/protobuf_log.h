#pragma once

#include <chrono>
#include <cstdint>

namespace lexroute {

// libprotobuf's log lines go through ours, at most a few per window: a parse error is logged
// before any key is checked (invalid UTF-8 in a string field, for one), so without a limit any
// client could write the server's log at the rate it sends requests. What is held back is counted,
// and the count is logged with the next line that gets through.
struct ProtobufLogLimit {
  std::chrono::steady_clock::duration window = std::chrono::seconds(10);
  int lines_per_window = 5;
};

// Process-wide; the last call's limit applies.
void route_protobuf_log(ProtobufLogLimit limit = {});

struct ProtobufLogCounts {
  uint64_t written = 0;
  uint64_t held_back = 0;
};
// Since the process started.
ProtobufLogCounts protobuf_log_counts();

}  // namespace lexroute
