#include "services/redis/scripts.h"

#include <string_view>

namespace lexroute::lua {
extern const std::string_view route_task;
extern const std::string_view record_queued;
extern const std::string_view claim_idempotency_key;
extern const std::string_view accept_offer;
extern const std::string_view reject_offer;
extern const std::string_view complete_task;
extern const std::string_view cancel_task;
extern const std::string_view expire_offer;
extern const std::string_view pass_deadline;
}  // namespace lexroute::lua

namespace lexroute::scripts {

#define LEXROUTE_SCRIPT(name)                          \
  const RedisScript& name() {                          \
    static const RedisScript script(#name, lua::name); \
    return script;                                     \
  }

LEXROUTE_SCRIPT(route_task)
LEXROUTE_SCRIPT(record_queued)
LEXROUTE_SCRIPT(claim_idempotency_key)
LEXROUTE_SCRIPT(accept_offer)
LEXROUTE_SCRIPT(reject_offer)
LEXROUTE_SCRIPT(complete_task)
LEXROUTE_SCRIPT(cancel_task)
LEXROUTE_SCRIPT(expire_offer)
LEXROUTE_SCRIPT(pass_deadline)

#undef LEXROUTE_SCRIPT

}  // namespace lexroute::scripts
