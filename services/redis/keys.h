#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "router/text.h"

// Every Redis key lexroute uses, in one place. Keys of a routing domain carry the pool as their
// hash tag ({pool}), so each Lua script touches one Redis Cluster slot; per-firm keys carry
// {firm:<id>}.
namespace lexroute::keys {

inline std::string pool_prefix(std::string_view pool) { return cat("lx:{", pool, "}:"); }

inline std::string task(std::string_view pool, std::string_view id) {
  return cat(pool_prefix(pool), "task:", id);
}
// What follows a task's own key in the keys of its history and of the staff it excludes.
inline constexpr std::string_view kHistorySuffix = ":history";
inline constexpr std::string_view kExcludedSuffix = ":excluded";
inline std::string task_history(std::string_view pool, std::string_view id) {
  return cat(pool_prefix(pool), "task:", id, kHistorySuffix);
}
inline std::string task_excluded(std::string_view pool, std::string_view id) {
  return cat(pool_prefix(pool), "task:", id, kExcludedSuffix);
}
inline std::string waiting(std::string_view pool) { return pool_prefix(pool) + "waiting"; }
inline std::string offsets(std::string_view pool) { return pool_prefix(pool) + "offsets"; }
// The audit outbox: every task transition, until the event relay has it in Kafka.
inline std::string task_events(std::string_view pool) { return pool_prefix(pool) + "task-events"; }
// Unfinished tasks by deadline (ms).
inline std::string deadlines(std::string_view pool) { return pool_prefix(pool) + "deadlines"; }
// Open offers by the time they expire (ms).
inline std::string offer_expiry(std::string_view pool) {
  return pool_prefix(pool) + "offer-expiry";
}

inline std::string roster(std::string_view pool) { return pool_prefix(pool) + "roster"; }
inline std::string roster_version(std::string_view pool) {
  return pool_prefix(pool) + "roster-version";
}
inline std::string pool_settings(std::string_view pool) { return pool_prefix(pool) + "settings"; }
inline std::string availability(std::string_view pool) {
  return pool_prefix(pool) + "availability";
}
// Signed-in staff (and staff holding accepted work) by when they were last heard from (ms).
inline std::string presence(std::string_view pool) { return pool_prefix(pool) + "presence"; }
// Staff who went silent holding accepted work, by when they were last heard from (ms).
inline std::string lapsed(std::string_view pool) { return pool_prefix(pool) + "lapsed"; }
// Elastic pools (docs/pools.md): the scaling settings (a serialized PoolScaling), the bench
// (staff -> BENCH or CALLED_IN), the scaler's own state, its recent decisions (newest first),
// the staff-events outbox, and completions so far (for throughput).
inline std::string scaling(std::string_view pool) { return pool_prefix(pool) + "scaling"; }
inline std::string bench(std::string_view pool) { return pool_prefix(pool) + "bench"; }
inline std::string scaling_state(std::string_view pool) {
  return pool_prefix(pool) + "scaling-state";
}
inline std::string scaling_decisions(std::string_view pool) {
  return pool_prefix(pool) + "scaling-decisions";
}
inline std::string staff_events(std::string_view pool) {
  return pool_prefix(pool) + "staff-events";
}
inline std::string completed(std::string_view pool) { return pool_prefix(pool) + "completed"; }
inline std::string capacity(std::string_view pool) { return pool_prefix(pool) + "capacity"; }
inline std::string load(std::string_view pool) { return pool_prefix(pool) + "load"; }
inline std::string offers(std::string_view pool, std::string_view staff) {
  return cat(pool_prefix(pool), "offers:", staff);
}
inline std::string accepted(std::string_view pool, std::string_view staff) {
  return cat(pool_prefix(pool), "accepted:", staff);
}
// What a staff member completed lately, by completion time (ms); complete_task.lua trims it to
// the last kRecentDoneKeptMs and lets an idle one expire (docs/worker-app.md, "Done today").
inline std::string done(std::string_view pool, std::string_view staff) {
  return cat(pool_prefix(pool), "done:", staff);
}
inline constexpr int64_t kRecentDoneKeptMs = 36LL * 3600 * 1000;

// Pub/sub: a staff member's offers changed; capacity in the pool was freed.
inline std::string staff_channel(std::string_view pool, std::string_view staff) {
  return cat(pool_prefix(pool), "notify:", staff);
}
inline std::string wake_channel(std::string_view pool) { return pool_prefix(pool) + "wake"; }
// A task changed status (published by the same scripts that change it).
inline std::string task_channel(std::string_view pool, std::string_view id) {
  return cat(pool_prefix(pool), "notify:task:", id);
}

inline std::string pools() { return "lx:pools"; }
inline std::string vendors() { return "lx:vendors"; }
// Only one scaler acts at a time.
inline std::string scaler_lease() { return "lx:scaler-lease"; }
inline std::string firm(std::string_view firm) { return cat("lx:firm:{", firm, "}"); }
inline std::string firm_key(std::string_view key_sha256) { return cat("lx:firm-key:", key_sha256); }
inline std::string staff_token(std::string_view token_sha256) {
  return cat("lx:staff-token:", token_sha256);
}
// A worker-app browser session, by the SHA-256 of its session id (the cookie's value).
inline std::string web_session(std::string_view session_sha256) {
  return cat("lx:web-session:", session_sha256);
}
inline std::string idempotency(std::string_view firm, std::string_view key) {
  return cat("lx:{firm:", firm, "}:idempotency:", key);
}

}  // namespace lexroute::keys
