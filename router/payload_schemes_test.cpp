#include "router/payload_schemes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lexroute {
namespace {

TEST(PayloadSchemes, TheSchemeIsReadOnlyWhenItIsAPlainOne) {
  EXPECT_EQ(payload_scheme("https://dms.acme.example/m-1/doc/7"), "https");
  EXPECT_EQ(payload_scheme("HTTPS://dms.acme.example/"), "https");
  EXPECT_EQ(payload_scheme("dms://acme/m-1/doc/7"), "dms");
  EXPECT_EQ(payload_scheme("no scheme at all"), "");
  EXPECT_EQ(payload_scheme(":nothing-before"), "");
  EXPECT_EQ(payload_scheme("java\tscript:alert(1)"), "");
  EXPECT_EQ(payload_scheme("1dms:x"), "");
}

TEST(PayloadSchemes, HttpsIsAlwaysTakenAndOtherSchemesOnlyWhenAdded) {
  const std::vector<std::string> none;
  const std::vector<std::string> dms{"dms"};
  EXPECT_TRUE(check_payload_scheme("https://dms.acme.example/doc/1", none));
  EXPECT_TRUE(check_payload_scheme("HTTPS://dms.acme.example/doc/1", none));
  EXPECT_TRUE(check_payload_scheme("dms://acme/doc/1", dms));
  EXPECT_TRUE(check_payload_scheme("DMS://acme/doc/1", dms));

  auto refused = check_payload_scheme("dms://acme/doc/1", none);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(refused.error().field, "spec.payload_ref");
  EXPECT_NE(refused.error().message.find("'dms'"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("allowed: https"), std::string::npos);

  for (const std::string ref :
       {"http://dms.acme.example/", "javascript:alert(1)", "data:text/html,<script>",
        "file:///etc/passwd", "ms-msdt:/id PCWDiagnostic", "search-ms:query=x"}) {
    auto no = check_payload_scheme(ref, dms);
    ASSERT_FALSE(no) << ref;
    EXPECT_EQ(no.error().field, "spec.payload_ref") << ref;
  }
}

TEST(PayloadSchemes, ADangerousSchemeIsRefusedEvenWhenAListHoldsIt) {
  // A list written to Redis by hand, or by an older version, cannot let them in either.
  const std::vector<std::string> bad{"javascript", "file", "ms-msdt"};
  EXPECT_FALSE(check_payload_scheme("javascript:alert(1)", bad));
  EXPECT_FALSE(check_payload_scheme("JavaScript:alert(1)", bad));
  EXPECT_FALSE(check_payload_scheme("file:///c:/x", bad));
  EXPECT_FALSE(check_payload_scheme("ms-msdt:/id x", bad));
}

TEST(PayloadSchemes, AnAdminMayAddPlainSchemesButNeverDangerousOnes) {
  for (const std::string ok : {"dms", "imanage", "nd+docs", "x-sharepoint.1", "http"}) {
    EXPECT_TRUE(validate_added_scheme(ok, "schemes[0]")) << ok;
  }
  for (const std::string bad : {"javascript", "vbscript", "data", "file", "ms-msdt", "ms-word",
                                "ms-anything", "search-ms", "blob", "about", "view-source"}) {
    auto refused = validate_added_scheme(bad, "schemes[1]");
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, Errc::kInvalidArgument) << bad;
    EXPECT_EQ(refused.error().field, "schemes[1]") << bad;
    EXPECT_NE(refused.error().message.find("never"), std::string::npos) << bad;
  }
  for (const std::string& malformed : std::vector<std::string>{
           "", "DMS", "1dms", "dms:", "d ms", "dms/x", "d\x01", std::string(40, 'a')}) {
    auto refused = validate_added_scheme(malformed, "schemes[2]");
    ASSERT_FALSE(refused) << malformed;
    EXPECT_EQ(refused.error().field, "schemes[2]");
  }
}

TEST(PayloadSchemes, AFirmsListIsStoredOnceEachWithoutHttpsOrRefusedNamingTheEntry) {
  auto list = validate_added_schemes(std::vector<std::string>{"dms", "https", "imanage", "dms"});
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(*list, (std::vector<std::string>{"dms", "imanage"}));
  EXPECT_TRUE(validate_added_schemes({})->empty());

  auto bad = validate_added_schemes(std::vector<std::string>{"dms", "javascript"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "schemes[1]");
  auto too_many = validate_added_schemes(std::vector<std::string>(21, "dms"));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().field, "schemes");
}

TEST(PayloadSchemes, OnlyHttpsOrAddableSchemesAreRenderedAsLinks) {
  EXPECT_TRUE(is_renderable_payload_ref("https://dms.acme.example/doc/1"));
  EXPECT_TRUE(is_renderable_payload_ref("dms://acme/doc/1"));
  for (const std::string ref :
       {"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ms-msdt:/id x",
        "search-ms:query=x", "no scheme", "https://x.example/\x01", "https://x.example/ a", ""}) {
    EXPECT_FALSE(is_renderable_payload_ref(ref)) << ref;
  }
}

}  // namespace
}  // namespace lexroute
