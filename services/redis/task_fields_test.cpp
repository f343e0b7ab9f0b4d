#include "services/redis/task_fields.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "services/redis/scripts.h"

namespace lexroute {
namespace {

// The arguments of a call whose opening parenthesis is just before `from`, split at top-level
// commas, trimmed.
std::vector<std::string> arguments(const std::string& body, size_t from) {
  std::vector<std::string> out(1);
  int depth = 1;
  bool quoted = false;
  for (size_t i = from; i < body.size() && depth > 0; ++i) {
    char c = body[i];
    if (c == '\'') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')' && --depth == 0) break;
    if (!quoted && c == ',' && depth == 1) {
      out.emplace_back();
      continue;
    }
    if (c != '\n' && (c != ' ' || !out.back().empty())) out.back() += c;
  }
  for (auto& a : out) {
    while (!a.empty() && a.back() == ' ') a.pop_back();
  }
  return out;
}

// Every field name a script reads or writes on the task hash (KEYS[1], or `task` in
// route_task.lua), as written; names that are not literals come back as they are (e.g. ARGV[3]).
std::set<std::string> task_fields_in(const RedisScript& script) {
  static const std::regex kCall(R"(redis\.call\('(HSET|HGET|HMGET|HDEL)', (KEYS\[1\]|task),)");
  const std::string body(script.body());
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), kCall);
       it != std::sregex_iterator(); ++it) {
    const bool pairs = (*it)[1] == "HSET";
    auto args = arguments(body, static_cast<size_t>(it->position() + it->length()));
    for (size_t i = 0; i < args.size(); i += pairs ? 2 : 1) {
      const std::string& a = args[i];
      out.insert(a.size() >= 2 && a.front() == '\'' && a.back() == '\'' ? a.substr(1, a.size() - 2)
                                                                        : a);
    }
  }
  return out;
}

TEST(TaskFieldsTest, EveryFieldAScriptUsesOnATaskIsNamedInTheHeader) {
  const std::set<std::string> named(std::begin(task_fields::kAll), std::end(task_fields::kAll));
  std::set<std::string> used;
  for (const RedisScript* script :
       {&scripts::record_queued(), &scripts::route_task(), &scripts::accept_offer(),
        &scripts::reject_offer(), &scripts::complete_task(), &scripts::cancel_task(),
        &scripts::expire_offer(), &scripts::pass_deadline(), &scripts::take_back_work()}) {
    for (const auto& field : task_fields_in(*script)) {
      EXPECT_TRUE(named.contains(field))
          << script->name() << " uses task field '" << field << "', not in task_fields.h";
      used.insert(field);
    }
  }
  // The scan itself works: the fields every life cycle touches are among what it found.
  for (const char* field : {task_fields::kStatus, task_fields::kStaff, task_fields::kAttempts,
                            task_fields::kSubmittedMs, task_fields::kCompletedMs}) {
    EXPECT_TRUE(used.contains(field)) << field;
  }
}

}  // namespace
}  // namespace lexroute
