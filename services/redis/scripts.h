#pragma once

#include "services/redis/redis_client.h"

// The Lua scripts in scripts/, embedded into the binary at build time.
namespace lexroute::scripts {

const RedisScript& route_task();
const RedisScript& record_queued();
const RedisScript& claim_idempotency_key();
const RedisScript& accept_offer();
const RedisScript& reject_offer();
const RedisScript& complete_task();
const RedisScript& cancel_task();
const RedisScript& expire_offer();
const RedisScript& pass_deadline();
const RedisScript& heartbeat();
const RedisScript& set_availability();
const RedisScript& lapse_presence();
const RedisScript& take_back_work();
const RedisScript& call_in();
const RedisScript& renew_lease();

}  // namespace lexroute::scripts
