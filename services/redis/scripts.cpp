#include "services/redis/scripts.h"

namespace lexroute::scripts {

#define LEXROUTE_DEFINE_SCRIPT(name)                   \
  const RedisScript& name() {                          \
    static const RedisScript script(#name, lua::name); \
    return script;                                     \
  }
LEXROUTE_LUA_SCRIPTS(LEXROUTE_DEFINE_SCRIPT)
#undef LEXROUTE_DEFINE_SCRIPT

}  // namespace lexroute::scripts
