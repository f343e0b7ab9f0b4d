#include "router/constraints.h"

#include <gtest/gtest.h>

#include <functional>

namespace lexroute {
namespace {

StaffProfile qualified_staff() {
  StaffProfile s;
  s.id = "ana";
  s.pool = "default";
  s.vendor = "manila-lpo";
  s.region = "eu";
  s.capacity = 2;
  s.skills = {{"doc-review", 4}, {"privilege", 2}};
  s.languages = {"en", "es"};
  s.jurisdictions = {"us-ny"};
  s.clearance = 3;
  return s;
}

TaskRequirements demanding_task() {
  TaskRequirements t;
  t.pool = "default";
  t.vendor = "manila-lpo";
  t.skills = {{"doc-review", 4}};
  t.languages = {"es"};
  t.jurisdiction = "us-ny";
  t.confidentiality_tier = 3;
  t.allowed_regions = {"eu", "uk"};
  t.firm = "acme";
  t.matter = "m-7";
  t.parties = {"globex corp", "initech"};
  return t;
}

struct Case {
  const char* name;
  std::function<void(StaffProfile&, TaskRequirements&)> change;
  std::optional<Constraint> expected;
};

class ConstraintTable : public ::testing::TestWithParam<Case> {};

TEST_P(ConstraintTable, FirstFailureIsTheExpectedConstraint) {
  StaffProfile staff = qualified_staff();
  TaskRequirements task = demanding_task();
  GetParam().change(staff, task);
  EXPECT_EQ(first_lasting_failure(staff, task), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Each, ConstraintTable,
    ::testing::Values(
        Case{"all_met", [](auto&, auto&) {}, std::nullopt},
        Case{"other_vendor", [](auto& s, auto&) { s.vendor = "pune-legal"; }, Constraint::kVendor},
        Case{"any_vendor",
             [](auto& s, auto& task) {
               s.vendor = "x";
               task.vendor.clear();
             },
             std::nullopt},
        Case{"skill_one_below", [](auto& s, auto&) { s.skills[0].proficiency = 3; },
             Constraint::kSkills},
        Case{"skill_missing",
             [](auto&, auto& task) {
               task.skills.push_back({"tax", 1});
             },
             Constraint::kSkills},
        Case{"skill_exactly_min",
             [](auto& s, auto& task) {
               task.skills = {{"privilege", 2}};
               (void)s;
             },
             std::nullopt},
        Case{"language_missing", [](auto&, auto& task) { task.languages.push_back("pt-br"); },
             Constraint::kLanguages},
        Case{"no_language_needed",
             [](auto& s, auto& task) {
               s.languages.clear();
               task.languages.clear();
             },
             std::nullopt},
        Case{"not_admitted", [](auto&, auto& task) { task.jurisdiction = "uk-ew"; },
             Constraint::kJurisdiction},
        Case{"clearance_below_tier", [](auto& s, auto&) { s.clearance = 2; },
             Constraint::kClearance},
        Case{"clearance_above_tier", [](auto& s, auto&) { s.clearance = 4; }, std::nullopt},
        Case{"outside_residency", [](auto& s, auto&) { s.region = "us"; }, Constraint::kResidency},
        Case{"no_residency_rule",
             [](auto& s, auto& task) {
               s.region = "apac";
               task.allowed_regions.clear();
             },
             std::nullopt},
        Case{"wall_by_party",
             [](auto& s, auto&) {
               s.walls = {{"", "", "initech"}};
             },
             Constraint::kEthicalWall},
        Case{"wall_by_matter",
             [](auto& s, auto&) {
               s.walls = {{"acme", "m-7", ""}};
             },
             Constraint::kEthicalWall},
        Case{"wall_by_firm",
             [](auto& s, auto&) {
               s.walls = {{"acme", "", ""}};
             },
             Constraint::kEthicalWall},
        Case{"wall_other_matter",
             [](auto& s, auto&) {
               s.walls = {{"acme", "m-8", ""}};
             },
             std::nullopt},
        Case{"wall_other_firm",
             [](auto& s, auto&) {
               s.walls = {{"globex", "", ""}};
             },
             std::nullopt},
        Case{"wall_other_party",
             [](auto& s, auto&) {
               s.walls = {{"", "", "hooli"}};
             },
             std::nullopt},
        Case{"wall_party_on_other_firm",
             [](auto& s, auto&) {
               s.walls = {{"globex", "", "initech"}};
             },
             std::nullopt},
        Case{"already_declined", [](auto&, auto& task) { task.excluded_staff.insert("ana"); },
             Constraint::kExcluded}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Constraints, CheckedInTheDocumentedOrder) {
  StaffProfile s = qualified_staff();
  TaskRequirements t = demanding_task();
  s.region = "us";  // residency fails
  s.clearance = 0;  // and clearance, which comes first
  EXPECT_EQ(first_lasting_failure(s, t), Constraint::kClearance);
}

TEST(Constraints, RequirementsAreDescribedForReasons) {
  TaskRequirements t = demanding_task();
  EXPECT_EQ(describe_requirement(Constraint::kResidency, t), "residency eu,uk");
  EXPECT_EQ(describe_requirement(Constraint::kSkills, t), "skills doc-review>=4");
}

}  // namespace
}  // namespace lexroute
