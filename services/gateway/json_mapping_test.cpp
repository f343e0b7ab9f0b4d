#include "services/gateway/json_mapping.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "router/text.h"

namespace lexroute {
namespace {

// What a client reads back from an error body.
google::protobuf::Struct parsed(const std::string& body) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &out).ok()) << body;
  return out;
}

TEST(JsonErrorBody, IsValidUtf8JsonEvenWhenTheMessageEchoesBytesThatAreNot) {
  const Error error{Errc::kInvalidArgument,
                    "no pool 'caf\xc3' or '\xff\xfe\x80' (\xed\xa0\x80, \xf4\x90\x80\x80)",
                    "spec.\xc0\xafpool"};
  std::string body = json::error_body(error);
  ASSERT_FALSE(body.empty());
  EXPECT_TRUE(is_valid_utf8(body)) << escaped(body, 500);
  auto fields = parsed(body).fields();
  EXPECT_EQ(fields["error"].string_value(),
            "no pool 'caf\uFFFD' or '\uFFFD\uFFFD\uFFFD' (\uFFFD\uFFFD\uFFFD, "
            "\uFFFD\uFFFD\uFFFD\uFFFD)");
  EXPECT_EQ(fields["field"].string_value(), "spec.\uFFFD\uFFFDpool");
}

TEST(JsonErrorBody, KeepsWhatIsAlreadyUtf8AndQuotesAndControlsAreJsonEscaped) {
  std::string body =
      json::error_body({Errc::kNotFound, "no task 'Müller \"東京\"'\n</script>", "task_id"});
  EXPECT_EQ(body.find('\n'), std::string::npos) << body;
  auto fields = parsed(body).fields();
  EXPECT_EQ(fields["error"].string_value(), "no task 'Müller \"東京\"'\n</script>");
  EXPECT_EQ(fields["field"].string_value(), "task_id");
  EXPECT_EQ(parsed(json::error_body({Errc::kInternal, "oops", ""})).fields().count("field"), 0u);
}

}  // namespace
}  // namespace lexroute
