#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "router/error.h"

namespace lexroute {

// Where intake hands submitted tasks on to the routers. An answer comes only once the record is
// durable, and a failure says whether sending it again can help.
// The real one is Producer (Kafka); tests/fakes/fake_task_publisher.h is in memory.
class TaskPublisher {
 public:
  virtual ~TaskPublisher() = default;

  // Records (key, value) sent together, one result per record, in order.
  virtual std::vector<Result<void>> send_each(
      std::string_view topic, const std::vector<std::pair<std::string, std::string>>& records) = 0;
  // The largest record (key and value) it takes; a larger one could never be sent.
  virtual size_t max_record_bytes() const = 0;
};

}  // namespace lexroute
