#include "services/redis/redis_endpoint.h"

#include "router/text.h"
#include "services/common/flag_file.h"

namespace lexroute {
namespace {

constexpr std::string_view kRedisScheme = "redis://";

Result<RedisEndpoint> bad_redis_url(std::string_view why) {
  return fail(Errc::kInvalidArgument, cat("--redis: ", why), "redis");
}

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; false on a broken one. The text is a secret, so the caller's error must
// not quote it.
bool percent_decode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out->push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = hex_digit_value(text[i + 1]);
    int low = hex_digit_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

std::string joined_addresses(const std::vector<HostPort>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += cat(out.empty() ? "" : ",", a.to_string());
  return out;
}

// "host:port,host:port,...", each checked as `flag`'s value.
Result<std::vector<HostPort>> parse_address_list(std::string_view text, std::string_view flag) {
  std::vector<HostPort> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.size() - start : comma - start);
    auto address = parse_host_port(item, flag);
    if (!address) return std::unexpected(address.error());
    out.push_back(*address);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::string> read_password_file(const std::string& path) {
  auto content = read_flag_file(path, "redis-password-file");
  if (!content) return content;
  std::string password = std::move(*content);
  if (password.ends_with('\n')) password.pop_back();
  if (password.ends_with('\r')) password.pop_back();
  if (password.empty()) {
    return fail(Errc::kInvalidArgument, cat("--redis-password-file: ", path, " is empty"),
                "redis-password-file");
  }
  if (password.find_first_of("\r\n") != std::string::npos) {
    return fail(Errc::kInvalidArgument,
                cat("--redis-password-file: ", path, " holds more than one line"),
                "redis-password-file");
  }
  return password;
}

}  // namespace

Result<RedisEndpoint> RedisEndpoint::parse(std::string_view text) {
  RedisEndpoint out;
  if (!text.starts_with(kRedisScheme)) {
    if (text.find("://") != std::string_view::npos) {
      return bad_redis_url(
          "only redis:// URLs are understood: lexroute does not encrypt the Redis connection "
          "(Debian's hiredis 0.14 has no TLS; helm/README.md says how to protect it)");
    }
    // The bare form carries no credentials; one with '@' is most likely a URL missing its
    // scheme, and quoting it could print a password.
    if (text.find('@') != std::string_view::npos) {
      return bad_redis_url("credentials need the URL form redis://user:password@host:port");
    }
    auto address = parse_host_port(text, "redis");
    if (!address) return std::unexpected(address.error());
    out.host = address->host;
    out.port = address->port;
    return out;
  }
  std::string_view rest = text.substr(kRedisScheme.size());
  // The last '@' ends the credentials, so an unescaped '@' or '/' in a password still parses.
  size_t at = rest.rfind('@');
  std::string_view authority = at == std::string_view::npos ? rest : rest.substr(at + 1);
  if (at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    size_t colon = credentials.find(':');
    if (!percent_decode(credentials.substr(0, colon), &out.user)) {
      return bad_redis_url("the user has a broken %-escape (write %XX with two hex digits)");
    }
    if (colon != std::string_view::npos &&
        !percent_decode(credentials.substr(colon + 1), &out.password)) {
      return bad_redis_url("the password has a broken %-escape (write %XX with two hex digits)");
    }
    if (colon != std::string_view::npos && out.password.empty()) {
      return bad_redis_url("the password after ':' is empty");
    }
  }
  if (authority.find('?') != std::string_view::npos) {
    return bad_redis_url("URL query parameters are not supported");
  }
  size_t slash = authority.find('/');
  std::string_view host_port = authority.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = authority.substr(slash + 1);
    if (!db.empty() && (!parse_int(db, &out.db) || out.db < 0)) {
      return bad_redis_url(
          cat("the database after '/' must be a number 0 or more, got ", bounded_quote(db)));
    }
  }
  if (host_port.empty()) {
    out.host.clear();
    out.port = 0;
    return out;
  }
  auto address = parse_host_port(host_port, "redis");
  if (!address) {
    return bad_redis_url(cat("the address must be host:port, got ", bounded_quote(host_port),
                             " (in ",
                             out.password.empty() ? "the URL" : "the URL, password left out", ")"));
  }
  out.host = address->host;
  out.port = address->port;
  return out;
}

std::string RedisEndpoint::address() const {
  if (uses_sentinels()) return cat("sentinels ", joined_addresses(sentinels));
  if (uses_cluster()) return cat("cluster ", joined_addresses(cluster_seeds));
  return HostPort{host, port}.to_string();
}

std::string RedisEndpoint::to_string() const {
  if (uses_sentinels()) {
    return cat("master ", master_name, " via ", address(), user.empty() ? "" : cat(" as ", user),
               db == 0 ? "" : cat(" db ", db));
  }
  if (uses_cluster()) return cat(address(), user.empty() ? "" : cat(" as ", user));
  std::string where = HostPort{host, port}.to_string();
  if (user.empty() && password.empty() && db == 0) return where;
  std::string credentials =
      user.empty() && password.empty() ? "" : cat(user, password.empty() ? "" : ":***", "@");
  return cat("redis://", credentials, where, db == 0 ? "" : cat("/", db));
}

Result<RedisEndpoint> redis_endpoint_from_flags(const RedisFlags& flags) {
  RedisEndpoint out;
  if (!flags.url.empty()) {
    auto parsed = RedisEndpoint::parse(flags.url);
    if (!parsed) return parsed;
    out = std::move(*parsed);
  } else {
    out.host.clear();
    out.port = 0;
  }
  if (!flags.cluster.empty()) {
    if (!flags.sentinels.empty() || !flags.master_name.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--redis-cluster and --redis-sentinels (or --redis-master-name) exclude each "
                  "other: a Redis Cluster fails over by itself",
                  "redis-cluster");
    }
    auto seeds = parse_address_list(flags.cluster, "redis-cluster");
    if (!seeds) return std::unexpected(seeds.error());
    if (!out.host.empty()) {
      return bad_redis_url(
          cat("names the address ", HostPort{out.host, out.port}.to_string(),
              " but --redis-cluster is given, and the cluster names its nodes; with a cluster, "
              "--redis carries only user and password (redis://user:password@)"));
    }
    if (out.db != 0) {
      return bad_redis_url(cat("names database ", out.db, ", but a Redis Cluster has only 0"));
    }
    out.cluster_seeds = std::move(*seeds);
  } else if (!flags.sentinels.empty()) {
    auto sentinels = parse_address_list(flags.sentinels, "redis-sentinels");
    if (!sentinels) return std::unexpected(sentinels.error());
    if (flags.master_name.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--redis-master-name (or LEXROUTE_REDIS_MASTER_NAME) is required with "
                  "--redis-sentinels",
                  "redis-master-name");
    }
    if (!out.host.empty()) {
      return bad_redis_url(
          cat("names the address ", HostPort{out.host, out.port}.to_string(),
              " but --redis-sentinels is given, and the sentinels name the master; with sentinels, "
              "--redis carries only user, password and database (redis://user:password@/db)"));
    }
    out.sentinels = std::move(*sentinels);
    out.master_name = flags.master_name;
  } else if (!flags.master_name.empty()) {
    return fail(Errc::kInvalidArgument, "--redis-master-name needs --redis-sentinels",
                "redis-master-name");
  } else if (out.host.empty()) {
    return bad_redis_url("host:port is missing (or give --redis-sentinels or --redis-cluster)");
  }
  if (!flags.password_file.empty()) {
    if (!out.password.empty()) {
      return fail(Errc::kInvalidArgument,
                  "a Redis password is given both in --redis and in --redis-password-file; give "
                  "it in one place",
                  "redis-password-file");
    }
    auto password = read_password_file(flags.password_file);
    if (!password) return std::unexpected(password.error());
    out.password = std::move(*password);
  }
  if (!out.user.empty() && out.password.empty()) {
    return bad_redis_url(
        "names a user but no password (put it in the URL as user:password@ or in "
        "--redis-password-file)");
  }
  return out;
}

}  // namespace lexroute
