#include "services/redis/staff_store.h"

#include <algorithm>
#include <cstdlib>

#include "router/text.h"
#include "services/redis/keys.h"
#include "services/redis/script_calls.h"

namespace lexroute {

const char* availability_name(Availability a) {
  switch (a) {
    case Availability::kOffline:
      return "OFFLINE";
    case Availability::kAvailable:
      return "AVAILABLE";
    case Availability::kOnBreak:
      return "ON_BREAK";
  }
  return "OFFLINE";
}

Availability availability_from_name(std::string_view name) {
  if (name == "AVAILABLE") return Availability::kAvailable;
  if (name == "ON_BREAK") return Availability::kOnBreak;
  return Availability::kOffline;
}

Result<void> StaffStore::upsert(const v1::Staff& staff) {
  const std::string& pool = staff.pool();
  auto replies = redis_.pipeline({
      {"MULTI"},
      {"HSET", keys::roster(pool), staff.id(), staff.SerializeAsString()},
      {"HSET", keys::capacity(pool), staff.id(), std::to_string(staff.capacity())},
      {"HSETNX", keys::availability(pool), staff.id(), "OFFLINE"},
      {"HSETNX", keys::load(pool), staff.id(), "0"},
      {"INCR", keys::roster_version(pool)},
      {"EXEC"},
  });
  if (!replies) return std::unexpected(replies.error());
  auto added = redis_.command({"SADD", keys::pools(), pool});
  if (!added) return std::unexpected(added.error());
  return {};
}

Result<void> StaffStore::upsert_vendor(const v1::Vendor& vendor) {
  auto reply = redis_.command({"HSET", keys::vendors(), vendor.id(), vendor.SerializeAsString()});
  if (!reply) return std::unexpected(reply.error());
  return {};
}

Result<std::vector<v1::Vendor>> StaffStore::vendors() {
  auto reply = redis_.command({"HGETALL", keys::vendors()});
  if (!reply) return std::unexpected(reply.error());
  std::vector<v1::Vendor> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    v1::Vendor v;
    if (v.ParseFromString(reply->elements[i + 1].str)) out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
  return out;
}

Result<v1::Staff> StaffStore::get(const std::string& pool, const std::string& staff_id) {
  auto reply = redis_.command({"HGET", keys::roster(pool), staff_id});
  if (!reply) return std::unexpected(reply.error());
  v1::Staff staff;
  if (reply->is_nil() || !staff.ParseFromString(reply->str)) {
    return fail(Errc::kNotFound, "no staff member " + staff_id, "staff_id");
  }
  return staff;
}

Result<std::vector<v1::Staff>> StaffStore::roster(const std::string& pool) {
  auto reply = redis_.command({"HGETALL", keys::roster(pool)});
  if (!reply) return std::unexpected(reply.error());
  std::vector<v1::Staff> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    v1::Staff s;
    if (s.ParseFromString(reply->elements[i + 1].str)) out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> StaffStore::roster_version(const std::string& pool) {
  auto reply = redis_.command({"GET", keys::roster_version(pool)});
  if (!reply) return std::unexpected(reply.error());
  int64_t v = 0;
  if (!reply->is_nil()) (void)parse_int(reply->str, &v);
  return v;
}

Result<std::vector<std::string>> StaffStore::pools() {
  auto reply = redis_.command({"SMEMBERS", keys::pools()});
  if (!reply) return std::unexpected(reply.error());
  std::vector<std::string> out;
  for (auto& e : reply->elements) out.push_back(std::move(e.str));
  return out;
}

Result<void> StaffStore::register_pool(const std::string& pool) {
  auto reply = redis_.command({"SADD", keys::pools(), pool});
  if (!reply) return std::unexpected(reply.error());
  return {};
}

Result<PoolSettings> StaffStore::settings(const std::string& pool) {
  auto reply =
      redis_.command({"HMGET", keys::pool_settings(pool), "strategy", "offer_timeout_seconds",
                      "max_offer_attempts", "presence_timeout_seconds", "accepted_grace_seconds"});
  if (!reply) return std::unexpected(reply.error());
  PoolSettings out;
  const auto& e = reply->elements;
  if (e.size() == 5) {
    if (!e[0].is_nil()) {
      auto strategy = strategy_from_name(e[0].str);
      if (!strategy) {
        return fail(Errc::kInternal, cat("pool ", pool, ": stored ", strategy.error().message),
                    "strategy");
      }
      out.strategy = *strategy;
    }
    if (!e[1].is_nil()) (void)parse_int(e[1].str, &out.offer_timeout_seconds);
    if (!e[2].is_nil()) (void)parse_int(e[2].str, &out.max_offer_attempts);
    if (!e[3].is_nil()) (void)parse_int(e[3].str, &out.presence_timeout_seconds);
    if (!e[4].is_nil()) (void)parse_int(e[4].str, &out.accepted_grace_seconds);
  }
  return out;
}

Result<void> StaffStore::update_settings(const std::string& pool,
                                         const PoolSettingsChange& change) {
  std::vector<std::string> hset{"HSET", keys::pool_settings(pool)};
  if (change.strategy) {
    hset.insert(hset.end(), {"strategy", std::string(strategy_name(*change.strategy))});
  }
  auto set = [&](const char* field, const std::optional<int>& value) {
    if (value) hset.insert(hset.end(), {field, std::to_string(*value)});
  };
  set("offer_timeout_seconds", change.offer_timeout_seconds);
  set("max_offer_attempts", change.max_offer_attempts);
  set("presence_timeout_seconds", change.presence_timeout_seconds);
  set("accepted_grace_seconds", change.accepted_grace_seconds);
  std::vector<std::vector<std::string>> cmds;
  if (hset.size() > 2) cmds.push_back(hset);
  // Routers reload a pool's settings with its roster.
  cmds.push_back({"INCR", keys::roster_version(pool)});
  cmds.push_back({"SADD", keys::pools(), pool});
  auto replies = redis_.pipeline(cmds);
  if (!replies) return std::unexpected(replies.error());
  return {};
}

Result<std::unordered_map<std::string, StaffState>> StaffStore::states(const std::string& pool) {
  auto replies = redis_.pipeline({{"HGETALL", keys::availability(pool)},
                                  {"HGETALL", keys::load(pool)},
                                  {"HGETALL", keys::bench(pool)}});
  if (!replies) return std::unexpected(replies.error());
  std::unordered_map<std::string, StaffState> out;
  const auto& avail = (*replies)[0].elements;
  for (size_t i = 0; i + 1 < avail.size(); i += 2) {
    out[avail[i].str].availability = availability_from_name(avail[i + 1].str);
  }
  // Bench staff not called in are not available for routing, whatever they set.
  const auto& bench = (*replies)[2].elements;
  for (size_t i = 0; i + 1 < bench.size(); i += 2) {
    if (bench[i + 1].str == "BENCH") out[bench[i].str].availability = Availability::kOffline;
  }
  const auto& load = (*replies)[1].elements;
  for (size_t i = 0; i + 1 < load.size(); i += 2) {
    int n = 0;
    if (parse_int(load[i + 1].str, &n)) out[load[i].str].load = n;
  }
  return out;
}

Result<std::unordered_map<std::string, StaffState>> StaffStore::states(
    const std::string& pool, const std::vector<std::string>& ids) {
  std::unordered_map<std::string, StaffState> out;
  if (ids.empty()) return out;
  std::vector<std::string> avail{"HMGET", keys::availability(pool)};
  std::vector<std::string> load{"HMGET", keys::load(pool)};
  std::vector<std::string> bench{"HMGET", keys::bench(pool)};
  for (auto* cmd : {&avail, &load, &bench}) cmd->insert(cmd->end(), ids.begin(), ids.end());
  auto replies = redis_.pipeline({avail, load, bench});
  if (!replies) return std::unexpected(replies.error());
  for (size_t i = 0; i < ids.size(); ++i) {
    StaffState& s = out[ids[i]];
    const auto& a = (*replies)[0].elements;
    const auto& l = (*replies)[1].elements;
    const auto& b = (*replies)[2].elements;
    if (i < a.size()) s.availability = availability_from_name(a[i].str);
    if (i < l.size()) (void)parse_int(l[i].str, &s.load);
    if (i < b.size() && b[i].str == "BENCH") s.availability = Availability::kOffline;
  }
  return out;
}

Result<void> StaffStore::set_availability(const std::string& pool, const std::string& staff_id,
                                          Availability availability, int64_t now_ms) {
  auto reply = script_calls::eval(redis_, script_calls::SetAvailability{
                                              .pool = pool,
                                              .staff = staff_id,
                                              .availability = availability,
                                              .now_ms = now_ms,
                                          });
  if (!reply) return std::unexpected(reply.error());
  return {};
}

namespace {

Result<std::vector<std::string>> members(RedisClient& redis, const std::string& key) {
  auto reply = redis.command({"SMEMBERS", key});
  if (!reply) return std::unexpected(reply.error());
  std::vector<std::string> out;
  for (auto& e : reply->elements) out.push_back(std::move(e.str));
  return out;
}

}  // namespace

Result<std::vector<std::string>> StaffStore::open_offers(const std::string& pool,
                                                         const std::string& staff_id) {
  return members(redis_, keys::offers(pool, staff_id));
}

Result<std::vector<StaffStore::Holdings>> StaffStore::holdings(
    const std::vector<std::pair<std::string, std::string>>& staff) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(staff.size() * 3);
  for (const auto& [pool, id] : staff) {
    commands.push_back({"SMEMBERS", keys::offers(pool, id)});
    commands.push_back({"SMEMBERS", keys::accepted(pool, id)});
    commands.push_back({"ZRANGE", keys::done(pool, id), "0", "-1", "WITHSCORES"});
  }
  auto replies = redis_.pipeline(commands);
  if (!replies) return std::unexpected(replies.error());
  std::vector<Holdings> out(staff.size());
  for (size_t i = 0; i < staff.size(); ++i) {
    for (auto& e : (*replies)[3 * i].elements) out[i].open_offers.push_back(std::move(e.str));
    for (auto& e : (*replies)[3 * i + 1].elements) out[i].accepted_work.push_back(std::move(e.str));
    auto& done = (*replies)[3 * i + 2].elements;
    for (size_t k = 0; k + 1 < done.size(); k += 2) {
      out[i].recently_done.emplace_back(std::move(done[k].str),
                                        std::strtoll(done[k + 1].str.c_str(), nullptr, 10));
    }
  }
  return out;
}

}  // namespace lexroute
