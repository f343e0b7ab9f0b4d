#include "services/kafka/kafka_properties.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "router/text.h"

namespace lexroute {
namespace {

// What lexroute's producers and consumers set themselves, and why an operator may not.
struct ReservedProperty {
  std::string_view key;
  std::string_view why;
};
constexpr std::array kReserved = {
    ReservedProperty{"bootstrap.servers", "set it with --kafka-brokers"},
    ReservedProperty{"group.id", "set it with --router-group"},
    ReservedProperty{"message.timeout.ms", "set it with --kafka-delivery-timeout-ms"},
    ReservedProperty{"enable.idempotence", "tasks must never be written twice"},
    ReservedProperty{"acks", "a task is acknowledged only once every in-sync replica has it"},
    ReservedProperty{"enable.auto.commit", "routers keep their positions in Redis"},
    ReservedProperty{"enable.auto.offset.store", "routers keep their positions in Redis"},
    ReservedProperty{"auto.offset.reset", "routers decide where a lost position resumes"},
    ReservedProperty{"enable.partition.eof", "the routers' consume loop depends on it"},
    ReservedProperty{"transactional.id", "lexroute's producers are not transactional"},
};

std::string_view trimmed(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_callback(std::string_view key) { return key.ends_with("_cb") || key == "opaque"; }

}  // namespace

std::string without_secret(std::string text, std::string_view key, std::string_view value) {
  if (!is_secret_kafka_property(key) || value.empty()) return text;
  for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
    text.replace(at, value.size(), "***");
  }
  return text;
}

Result<KafkaSettings> parse_kafka_properties(std::string_view text, std::string_view source) {
  KafkaSettings settings;
  int number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = trimmed(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    size_t eq = line.find('=');
    std::string_view key = trimmed(line.substr(0, eq));
    if (eq == std::string_view::npos || key.empty()) {
      return fail(Errc::kInvalidArgument,
                  cat(source, ":", number, ": expected key=value, got ", bounded_quote(line)),
                  "kafka-config");
    }
    std::string name(key);
    if (settings.contains(name)) {
      return fail(Errc::kInvalidArgument,
                  cat(source, ":", number, ": ", bounded_quote(key), " is set twice"),
                  "kafka-config");
    }
    settings[name] = std::string(trimmed(line.substr(eq + 1)));
  }
  return settings;
}

std::string kafka_property_from_env(std::string_view suffix) {
  std::string key;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (suffix[i] == '_' && i + 1 < suffix.size() && suffix[i + 1] == '_') {
      key.push_back('_');
      ++i;
    } else if (suffix[i] == '_') {
      key.push_back('.');
    } else {
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(suffix[i]))));
    }
  }
  return key;
}

bool is_secret_kafka_property(std::string_view key) {
  // sasl.password, ssl.key.password, ssl.keystore.password, sasl.oauthbearer.client.secret,
  // ssl.key.pem, sasl.oauthbearer.config (may hold a secret), sasl.jaas.config.
  for (std::string_view word : {"password", "secret", ".pem", "oauthbearer.config", "jaas"}) {
    if (key.find(word) != std::string_view::npos) return true;
  }
  return false;
}

Result<void> check_kafka_properties(const KafkaSettings& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [key, value] : settings) {
    auto reserved = std::ranges::find(kReserved, key, &ReservedProperty::key);
    if (reserved != kReserved.end()) {
      return fail(Errc::kInvalidArgument,
                  cat("kafka property ", bounded_quote(key), " is lexroute's own: ", reserved->why),
                  "kafka-config");
    }
    if (is_callback(key)) {
      return fail(Errc::kInvalidArgument,
                  cat("kafka property ", bounded_quote(key), " is a callback, not a setting"),
                  "kafka-config");
    }
    std::string err;
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      return fail(Errc::kInvalidArgument,
                  cat("kafka property ", bounded_quote(key), ": ", without_secret(err, key, value)),
                  "kafka-config");
    }
  }
  return {};
}

std::string describe_kafka_properties(const KafkaSettings& settings) {
  std::string out;
  for (const auto& [key, value] : settings) {
    if (!out.empty()) out += ", ";
    out += cat(key, "=", is_secret_kafka_property(key) ? "***" : escaped(value, 200));
  }
  return out;
}

}  // namespace lexroute
