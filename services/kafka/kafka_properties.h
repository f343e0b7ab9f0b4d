#pragma once

#include <string>
#include <string_view>

#include "router/error.h"
#include "services/kafka/kafka_config.h"

namespace lexroute {

// The librdkafka properties an operator passes through (SASL, TLS, client tuning), from a file in
// the usual `key=value` form and from LEXROUTE_KAFKA_CONFIG_* variables. docs/configuration.md
// ("Kafka properties") is the user's side of these rules.

// `text` as `key=value` lines; blank lines and lines starting with # or ! are skipped, spaces
// around key and value trimmed. `source` (the file's name) prefixes errors with its line number.
Result<KafkaSettings> parse_kafka_properties(std::string_view text, std::string_view source);

// The property an environment variable names after LEXROUTE_KAFKA_CONFIG_: lower case, `_` for
// `.` and `__` for `_` (SASL_MECHANISM -> sasl.mechanism).
std::string kafka_property_from_env(std::string_view suffix);

// Whether a property's value is a secret: it is never logged, nor echoed in an error.
bool is_secret_kafka_property(std::string_view key);

// librdkafka's message about a property it refused, with a secret's value (which it quotes)
// written as ***.
std::string without_secret(std::string text, std::string_view key, std::string_view value);

// Refuses what lexroute sets itself (its correctness depends on them, or a flag says them) and
// anything librdkafka does not take, naming the property (and never a secret's value).
Result<void> check_kafka_properties(const KafkaSettings& settings);

// "key=value, ..." with secrets shown as ***, for the start-up log.
std::string describe_kafka_properties(const KafkaSettings& settings);

}  // namespace lexroute
