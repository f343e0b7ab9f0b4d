#pragma once

#include "lua_scripts.h"  // generated: LEXROUTE_LUA_SCRIPTS, one entry per scripts/*.lua
#include "services/redis/redis_client.h"

// The Lua scripts in scripts/, embedded into the binary at build time: scripts::route_task() and
// so on, one per file listed in CMakeLists.txt.
namespace lexroute::scripts {

#define LEXROUTE_DECLARE_SCRIPT(name) const RedisScript& name();
LEXROUTE_LUA_SCRIPTS(LEXROUTE_DECLARE_SCRIPT)
#undef LEXROUTE_DECLARE_SCRIPT

}  // namespace lexroute::scripts
