#include "services/common/host_port.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

TEST(HostPort, ParsesHostAndPortWithOrWithoutScheme) {
  auto plain = parse_host_port("redis-0.redis:6379", "redis");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->host, "redis-0.redis");
  EXPECT_EQ(plain->port, 6379);
  auto with_scheme =
      parse_host_port("redis://10.0.0.7:6380", "redis", PortZero::kRefused, "redis://");
  ASSERT_TRUE(with_scheme.has_value());
  EXPECT_EQ(with_scheme->to_string(), "10.0.0.7:6380");
  auto ipv6 = parse_host_port("[::1]:50051", "listen");
  ASSERT_TRUE(ipv6.has_value());
  EXPECT_EQ(ipv6->host, "[::1]");
}

TEST(HostPort, LoopbackIsOnlyWhatThisMachineAloneReaches) {
  for (const char* local : {"127.0.0.1:1", "127.1.2.3:1", "[::1]:1", "localhost:1"}) {
    EXPECT_TRUE(parse_host_port(local, "listen")->is_loopback()) << local;
  }
  for (const char* open :
       {"0.0.0.0:1", "[::]:1", "10.0.0.7:1", "lexroute-intake:1", "128.0.0.1:1"}) {
    EXPECT_FALSE(parse_host_port(open, "listen")->is_loopback()) << open;
  }
}

TEST(HostPort, PortZeroOnlyWhereAnyFreePortIsMeant) {
  EXPECT_TRUE(parse_host_port("127.0.0.1:0", "listen", PortZero::kAnyFree).has_value());
  auto refused = parse_host_port("127.0.0.1:0", "redis");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().field, "redis");
}

TEST(HostPort, BadAddressesNameTheFlagAndQuoteBoundedInput) {
  for (const char* bad : {"localhost", ":8080", "host:", "host:http", "host:65536", "host:-1"}) {
    auto r = parse_host_port(bad, "http-listen", PortZero::kAnyFree);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(r.error().field, "http-listen");
    EXPECT_NE(r.error().message.find("--http-listen must be host:port"), std::string::npos);
  }
  auto huge = parse_host_port(std::string(100'000, 'x'), "listen");
  ASSERT_FALSE(huge.has_value());
  EXPECT_LT(huge.error().message.size(), 200u);
}

}  // namespace
}  // namespace lexroute
