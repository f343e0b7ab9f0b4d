#include "router/outcomes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lexroute {
namespace {

std::vector<std::string> names(v1::TaskKind kind) {
  auto allowed = allowed_outcomes(kind);
  return {allowed.begin(), allowed.end()};
}

TEST(Outcomes, EachKindHasItsOwnList) {
  EXPECT_EQ(names(v1::TASK_KIND_DOCUMENT_REVIEW),
            (std::vector<std::string>{"responsive", "not-responsive", "privileged",
                                      "needs-second-level-review"}));
  EXPECT_EQ(names(v1::TASK_KIND_PRIVILEGE_REVIEW),
            (std::vector<std::string>{"privileged", "not-privileged"}));
  for (auto kind : {v1::TASK_KIND_LEGAL_RESEARCH, v1::TASK_KIND_CONTRACT_ABSTRACTION,
                    v1::TASK_KIND_TRANSCRIPTION, v1::TASK_KIND_DATA_ENTRY, v1::TASK_KIND_BILLING,
                    v1::TASK_KIND_SCHEDULING}) {
    EXPECT_EQ(names(kind), std::vector<std::string>{"done"}) << v1::TaskKind_Name(kind);
  }
}

TEST(Outcomes, AnOutcomeOfTheKindsListIsTaken) {
  EXPECT_TRUE(check_outcome(v1::TASK_KIND_DOCUMENT_REVIEW, "needs-second-level-review"));
  EXPECT_TRUE(check_outcome(v1::TASK_KIND_PRIVILEGE_REVIEW, "not-privileged"));
  EXPECT_TRUE(check_outcome(v1::TASK_KIND_BILLING, "done"));
}

TEST(Outcomes, AnyOtherIsRefusedNamingTheFieldAndTheAllowedOnes) {
  auto banana = check_outcome(v1::TASK_KIND_PRIVILEGE_REVIEW, "banana");
  ASSERT_FALSE(banana);
  EXPECT_EQ(banana.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(banana.error().field, "outcome");
  EXPECT_NE(banana.error().message.find("'banana'"), std::string::npos) << banana.error().message;
  EXPECT_NE(banana.error().message.find("TASK_KIND_PRIVILEGE_REVIEW"), std::string::npos);
  EXPECT_NE(banana.error().message.find("allowed: privileged, not-privileged"), std::string::npos)
      << banana.error().message;

  // Another kind's outcome, a different case, or nothing at all is no outcome of this kind.
  EXPECT_FALSE(check_outcome(v1::TASK_KIND_PRIVILEGE_REVIEW, "responsive"));
  EXPECT_FALSE(check_outcome(v1::TASK_KIND_DOCUMENT_REVIEW, "Responsive"));
  EXPECT_FALSE(check_outcome(v1::TASK_KIND_TRANSCRIPTION, ""));
  EXPECT_FALSE(check_outcome(v1::TASK_KIND_TRANSCRIPTION, "responsive"));
}

TEST(Outcomes, TheEchoedOutcomeIsBoundedAndEscaped) {
  auto forged = check_outcome(v1::TASK_KIND_BILLING, std::string(500, 'x') + "\n\x1b[2J");
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(forged.error().message.find('\x1b'), std::string::npos);
  EXPECT_LT(forged.error().message.size(), 400u);
}

}  // namespace
}  // namespace lexroute
