#include "services/common/secrets.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

TEST(Secrets, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Secrets, NewSecretsAreLongPrefixedAndDistinct) {
  std::string a = new_secret("lxf_");
  std::string b = new_secret("lxf_");
  EXPECT_EQ(a.rfind("lxf_", 0), 0u);
  EXPECT_EQ(a.size(), 4u + 43u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace lexroute
