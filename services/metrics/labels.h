#pragma once

#include <string>

#include "lexroute/v1/task.pb.h"

// Label values shared by every family. Each is drawn from a closed set (an enum, a configured
// pool, a constraint name): never a task, staff or matter id, so a series count stays bounded.
namespace lexroute::metric_labels {

// "document-review" for TASK_KIND_DOCUMENT_REVIEW; "unspecified" for anything unknown.
std::string kind(v1::TaskKind kind);
// "default" for an empty pool, as the rest of lexroute reads it.
std::string pool(const std::string& pool);

}  // namespace lexroute::metric_labels
