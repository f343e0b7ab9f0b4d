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
extern const std::string_view heartbeat;
extern const std::string_view set_availability;
extern const std::string_view lapse_presence;
extern const std::string_view take_back_work;
extern const std::string_view call_in;
extern const std::string_view renew_lease;
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
LEXROUTE_SCRIPT(heartbeat)
LEXROUTE_SCRIPT(set_availability)
LEXROUTE_SCRIPT(lapse_presence)
LEXROUTE_SCRIPT(take_back_work)
LEXROUTE_SCRIPT(call_in)
LEXROUTE_SCRIPT(renew_lease)

#undef LEXROUTE_SCRIPT

}  // namespace lexroute::scripts
