#include "services/common/log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace lexroute {
namespace {

size_t lines_in(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// What one LOG_INFO wrote to stderr.
template <typename... Args>
std::string logged(const Args&... args) {
  ::testing::internal::CaptureStderr();
  LOG_INFO("gateway", args...);
  return ::testing::internal::GetCapturedStderr();
}

TEST(Log, ARejectionReasonCannotForgeALine) {
  const std::string reason =
      "busy\n2026-12-06T00:00:00.000Z INFO gateway task=t-9 staff=eve accepted\r\x1b[1A\x1b[2K";
  std::string line =
      logged("task=", std::string("t-1"), " staff=", std::string("ana"), " rejected: ", reason);
  EXPECT_EQ(lines_in(line), 1u) << line;
  EXPECT_TRUE(line.ends_with(
      " INFO gateway task=t-1 staff=ana rejected: busy\\n2026-12-06T00:00:00.000Z INFO gateway "
      "task=t-9 staff=eve accepted\\r\\x1b[1A\\x1b[2K\n"))
      << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
}

TEST(Log, EveryKindOfTextIsEscapedAndLiteralsAndNumbersAreNot) {
  const char* pointer = "a\nb";
  std::string_view view = "c\rd";
  std::string text = "e\\f\xff\u2028";
  EXPECT_EQ(
      log_detail::message("x=", 42, " y=", 1.5, " ", pointer, " ", view, " ", text, " ", '\n'),
      "x=42 y=1.5 a\\nb c\\rd e\\\\f\\xff\\u{2028} \\n");
  EXPECT_EQ(log_detail::message("quotes 'stay' as \"they are\": ", std::string("'it's'")),
            "quotes 'stay' as \"they are\": 'it's'");
}

TEST(Log, EachFieldIsBounded) {
  const std::string note(100'000, 'n');
  std::string line = logged("note: ", note, " end");
  EXPECT_EQ(lines_in(line), 1u);
  EXPECT_LT(line.size(), limits::kLogField + 200);
  EXPECT_NE(line.find(std::string(limits::kLogField, 'n') + "... end"), std::string::npos);
  // Escapes take room too: a field of newlines stays within four bytes per byte taken.
  std::string newlines = logged(std::string(100'000, '\n'));
  EXPECT_EQ(lines_in(newlines), 1u);
  EXPECT_LT(newlines.size(), 4 * limits::kLogField + 200);
}

TEST(Log, ALineWrittenDirectlyIsStillOneLine) {
  ::testing::internal::CaptureStderr();
  log_line(LogLevel::kWarn, "lib\nprotobuf", "parse error at 'x\ny'\x1b[31m");
  std::string line = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(lines_in(line), 1u) << line;
  EXPECT_NE(line.find(" WARN lib\\nprotobuf parse error at 'x\\ny'\\x1b[31m\n"), std::string::npos)
      << line;
}

}  // namespace
}  // namespace lexroute
