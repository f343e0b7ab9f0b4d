#include "services/redis/credential_store.h"

#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include "services/common/secrets.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

std::string staff_tokens_key(const std::string& pool) { return keys::pool_prefix(pool) + "tokens"; }

}  // namespace

Result<std::string> CredentialStore::create_firm(const std::string& firm_id,
                                                 const std::string& display_name, int64_t now_ms) {
  std::string key = new_secret("lxf_");
  std::string key_hash = sha256_hex(key);
  auto created = redis_.command({"HSETNX", keys::firm(firm_id), "key_sha256", key_hash});
  if (!created) return std::unexpected(created.error());
  if (created->integer == 0) {
    return fail(Errc::kAlreadyExists, "firm " + firm_id + " already exists", "firm_id");
  }
  auto replies = redis_.pipeline({{"HSET", keys::firm(firm_id), "display_name", display_name,
                                   "created_ms", std::to_string(now_ms)},
                                  {"SET", keys::firm_key(key_hash), firm_id}});
  if (!replies) return std::unexpected(replies.error());
  return key;
}

Result<std::string> CredentialStore::authenticate_firm(const std::string& api_key) {
  if (api_key.empty()) return fail(Errc::kUnauthenticated, "missing firm API key");
  auto reply = redis_.command({"GET", keys::firm_key(sha256_hex(api_key))});
  if (!reply) return std::unexpected(reply.error());
  if (reply->is_nil()) return fail(Errc::kUnauthenticated, "unknown firm API key");
  return reply->str;
}

Result<void> CredentialStore::set_payload_schemes(const std::string& firm_id,
                                                  const std::vector<std::string>& schemes) {
  auto known = redis_.command({"HEXISTS", keys::firm(firm_id), "key_sha256"});
  if (!known) return std::unexpected(known.error());
  if (known->integer == 0) return fail(Errc::kNotFound, "no firm " + firm_id, "firm_id");
  auto saved =
      redis_.command({"HSET", keys::firm(firm_id), "payload_schemes", absl::StrJoin(schemes, ",")});
  if (!saved) return std::unexpected(saved.error());
  return {};
}

Result<std::vector<std::string>> CredentialStore::payload_schemes(const std::string& firm_id) {
  auto reply = redis_.command({"HGET", keys::firm(firm_id), "payload_schemes"});
  if (!reply) return std::unexpected(reply.error());
  if (reply->is_nil()) return std::vector<std::string>{};
  return std::vector<std::string>(absl::StrSplit(reply->str, ',', absl::SkipEmpty()));
}

Result<std::string> CredentialStore::issue_staff_token(const std::string& pool,
                                                       const std::string& staff_id) {
  std::string token = new_secret("lxs_");
  std::string hash = sha256_hex(token);
  auto previous = redis_.command({"HGET", staff_tokens_key(pool), staff_id});
  if (!previous) return std::unexpected(previous.error());
  std::vector<std::vector<std::string>> cmds{
      {"HSET", keys::staff_token(hash), "pool", pool, "staff", staff_id},
      {"HSET", staff_tokens_key(pool), staff_id, hash}};
  if (!previous->is_nil()) cmds.push_back({"DEL", keys::staff_token(previous->str)});
  auto replies = redis_.pipeline(cmds);
  if (!replies) return std::unexpected(replies.error());
  return token;
}

Result<StaffIdentity> CredentialStore::authenticate_staff(const std::string& token) {
  auto answers = authenticate_staff(std::vector<std::string>{token});
  if (!answers) return std::unexpected(answers.error());
  return std::move(answers->front());
}

Result<std::vector<Result<StaffIdentity>>> CredentialStore::authenticate_staff(
    const std::vector<std::string>& tokens) {
  std::vector<Result<StaffIdentity>> answers(tokens.size());
  std::vector<std::vector<std::string>> lookups;
  std::vector<size_t> asked;  // answers[] index of each lookup
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) {
      answers[i] = fail(Errc::kUnauthenticated, "missing staff token");
      continue;
    }
    lookups.push_back({"HMGET", keys::staff_token(sha256_hex(tokens[i])), "pool", "staff"});
    asked.push_back(i);
  }
  if (lookups.empty()) return answers;
  auto replies = redis_.pipeline(lookups);
  if (!replies) return std::unexpected(replies.error());
  for (size_t k = 0; k < asked.size(); ++k) {
    const RedisReply& reply = (*replies)[k];
    if (reply.elements.size() != 2 || reply.elements[0].is_nil()) {
      answers[asked[k]] = fail(Errc::kUnauthenticated, "unknown staff token");
    } else {
      answers[asked[k]] = StaffIdentity{reply.elements[0].str, reply.elements[1].str};
    }
  }
  return answers;
}

}  // namespace lexroute
