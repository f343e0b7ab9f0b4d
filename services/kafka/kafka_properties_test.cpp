#include "services/kafka/kafka_properties.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

TEST(KafkaProperties, FileLinesAreKeyValueWithCommentsAndSpacesIgnored) {
  auto parsed = parse_kafka_properties(
      "# SASL over TLS\n\nsecurity.protocol = SASL_SSL\r\n! old "
      "comment\nsasl.mechanism=SCRAM-SHA-512\n"
      "sasl.username=lexroute\nsasl.password=p=w d\n",
      "kafka.properties");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  KafkaSettings want = {{"security.protocol", "SASL_SSL"},
                        {"sasl.mechanism", "SCRAM-SHA-512"},
                        {"sasl.username", "lexroute"},
                        {"sasl.password", "p=w d"}};
  EXPECT_EQ(*parsed, want);
}

TEST(KafkaProperties, ALineWithoutAKeyOrTwiceTheSameKeyNamesTheFileAndLine) {
  auto no_equals = parse_kafka_properties("acks.x=1\nsecurity.protocol\n", "k.properties");
  ASSERT_FALSE(no_equals.has_value());
  EXPECT_EQ(no_equals.error().field, "kafka-config");
  EXPECT_NE(no_equals.error().message.find("k.properties:2"), std::string::npos)
      << no_equals.error().message;

  auto twice = parse_kafka_properties("client.id=a\nclient.id=b\n", "k.properties");
  ASSERT_FALSE(twice.has_value());
  EXPECT_NE(twice.error().message.find("k.properties:2: 'client.id' is set twice"),
            std::string::npos)
      << twice.error().message;
}

TEST(KafkaProperties, EnvironmentNamesMapToDottedLowerCaseProperties) {
  EXPECT_EQ(kafka_property_from_env("SASL_MECHANISM"), "sasl.mechanism");
  EXPECT_EQ(kafka_property_from_env("SSL_CA_LOCATION"), "ssl.ca.location");
  EXPECT_EQ(kafka_property_from_env("SASL_OAUTHBEARER_TOKEN__ENDPOINT_URL"),
            "sasl.oauthbearer.token_endpoint.url");
}

TEST(KafkaProperties, SaslAndTlsPropertiesAreTaken) {
  EXPECT_TRUE(check_kafka_properties({{"security.protocol", "SASL_SSL"},
                                      {"sasl.mechanism", "SCRAM-SHA-256"},
                                      {"sasl.username", "u"},
                                      {"sasl.password", "secret"},
                                      {"ssl.ca.location", "/etc/ssl/certs/ca-certificates.crt"},
                                      {"client.id", "lexroute-intake"}})
                  .has_value());
}

TEST(KafkaProperties, AnUnknownPropertyIsRefusedByName) {
  auto checked = check_kafka_properties({{"sasl.mechanizm", "PLAIN"}});
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().field, "kafka-config");
  EXPECT_NE(checked.error().message.find("'sasl.mechanizm'"), std::string::npos)
      << checked.error().message;
}

TEST(KafkaProperties, AnInvalidValueIsRefusedAndASecretsValueIsNeverEchoed) {
  auto bad = check_kafka_properties({{"security.protocol", "carrier-pigeon"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("'security.protocol'"), std::string::npos);

  auto secret = check_kafka_properties({{"sasl.password.typo", "hunter2"}});
  ASSERT_FALSE(secret.has_value());
  EXPECT_NE(secret.error().message.find("'sasl.password.typo'"), std::string::npos);
  EXPECT_EQ(secret.error().message.find("hunter2"), std::string::npos) << secret.error().message;
  // librdkafka quotes a value it refuses; a secret's is blanked out of its message.
  EXPECT_EQ(
      without_secret("Invalid value \"hunter2\" for sasl.password", "sasl.password", "hunter2"),
      "Invalid value \"***\" for sasl.password");
  EXPECT_EQ(without_secret("Invalid value \"SSLv1\"", "security.protocol", "SSLv1"),
            "Invalid value \"SSLv1\"");
  EXPECT_TRUE(is_secret_kafka_property("sasl.password"));
  EXPECT_TRUE(is_secret_kafka_property("ssl.key.password"));
  EXPECT_TRUE(is_secret_kafka_property("sasl.oauthbearer.client.secret"));
  EXPECT_FALSE(is_secret_kafka_property("sasl.username"));
}

TEST(KafkaProperties, WhatLexrouteSetsItselfCannotBeOverridden) {
  for (const char* key : {"bootstrap.servers", "group.id", "enable.idempotence", "acks",
                          "enable.auto.commit", "auto.offset.reset", "message.timeout.ms"}) {
    auto checked = check_kafka_properties({{key, "x"}});
    ASSERT_FALSE(checked.has_value()) << key;
    EXPECT_NE(checked.error().message.find("lexroute's own"), std::string::npos)
        << checked.error().message;
  }
  auto callback = check_kafka_properties({{"dr_cb", "x"}});
  ASSERT_FALSE(callback.has_value());
}

TEST(KafkaProperties, TheStartUpDescriptionHidesSecrets) {
  std::string d = describe_kafka_properties(
      {{"sasl.username", "lexroute"}, {"sasl.password", "hunter2"}, {"security.protocol", "SSL"}});
  EXPECT_EQ(d, "sasl.password=***, sasl.username=lexroute, security.protocol=SSL");
}

}  // namespace
}  // namespace lexroute
