#include "router/validation.h"

#include <gtest/gtest.h>

namespace lexroute {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1'800'000'000);

v1::TaskSpec good_spec() {
  v1::TaskSpec s;
  s.set_matter_id("m-100");
  s.set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  auto* skill = s.add_required_skills();
  skill->set_skill("doc-review");
  skill->set_min_proficiency(3);
  s.set_priority(5);
  s.mutable_deadline()->set_seconds(1'800'000'000 + 86400);
  s.set_effort_minutes(30);
  s.set_payload_ref("dms://acme/m-100/doc/1");
  return s;
}

struct BadCase {
  const char* name;
  void (*spoil)(v1::TaskSpec&);
  const char* field;
};

class BadTaskSpec : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadTaskSpec, IsRejectedNamingTheField) {
  v1::TaskSpec spec = good_spec();
  GetParam().spoil(spec);
  v1::TaskSpec before = spec;
  auto r = validate_task_spec(spec, kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(r.error().field, GetParam().field);
  EXPECT_EQ(spec.SerializeAsString(), before.SerializeAsString()) << "a rejected spec is unchanged";
}

INSTANTIATE_TEST_SUITE_P(
    Fields, BadTaskSpec,
    ::testing::Values(
        BadCase{"no_matter", [](v1::TaskSpec& s) { s.clear_matter_id(); }, "spec.matter_id"},
        BadCase{"matter_with_space", [](v1::TaskSpec& s) { s.set_matter_id("a b"); },
                "spec.matter_id"},
        BadCase{"no_kind", [](v1::TaskSpec& s) { s.set_kind(v1::TASK_KIND_UNSPECIFIED); },
                "spec.kind"},
        BadCase{"no_skills", [](v1::TaskSpec& s) { s.clear_required_skills(); },
                "spec.required_skills"},
        BadCase{"proficiency_zero",
                [](v1::TaskSpec& s) { s.mutable_required_skills(0)->set_min_proficiency(0); },
                "spec.required_skills[0].min_proficiency"},
        BadCase{"proficiency_six",
                [](v1::TaskSpec& s) { s.mutable_required_skills(0)->set_min_proficiency(6); },
                "spec.required_skills[0].min_proficiency"},
        BadCase{"duplicate_skill",
                [](v1::TaskSpec& s) { *s.add_required_skills() = s.required_skills(0); },
                "spec.required_skills[1].skill"},
        BadCase{"priority_high", [](v1::TaskSpec& s) { s.set_priority(10); }, "spec.priority"},
        BadCase{"no_deadline", [](v1::TaskSpec& s) { s.clear_deadline(); }, "spec.deadline"},
        BadCase{"deadline_past",
                [](v1::TaskSpec& s) { s.mutable_deadline()->set_seconds(1'800'000'000 - 1); },
                "spec.deadline"},
        BadCase{"zero_effort", [](v1::TaskSpec& s) { s.set_effort_minutes(0); },
                "spec.effort_minutes"},
        BadCase{"no_payload_ref", [](v1::TaskSpec& s) { s.clear_payload_ref(); },
                "spec.payload_ref"},
        BadCase{"document_text_as_ref",
                [](v1::TaskSpec& s) { s.set_payload_ref("Dear Sir, the contract says..."); },
                "spec.payload_ref"},
        BadCase{"bad_pool", [](v1::TaskSpec& s) { s.set_pool("no/slash"); }, "spec.pool"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(TaskSpecValidation, GoodSpecPassesAndGetsTheDefaultPool) {
  v1::TaskSpec spec = good_spec();
  ASSERT_TRUE(validate_task_spec(spec, kNow).has_value());
  EXPECT_EQ(spec.pool(), "default");
}

TEST(IdempotencyKey, LongOrUnprintableKeysAreRejected) {
  EXPECT_TRUE(validate_idempotency_key("").has_value());
  EXPECT_TRUE(validate_idempotency_key("batch-7/doc-12").has_value());
  EXPECT_FALSE(validate_idempotency_key(std::string(129, 'k')).has_value());
  EXPECT_FALSE(validate_idempotency_key("with space").has_value());
}

TEST(StaffValidation, TimeZoneMustBeIana) {
  v1::Staff s;
  s.set_id("ana");
  s.set_capacity(2);
  s.set_time_zone("Asia/Manila");
  EXPECT_TRUE(validate_staff(s).has_value());
  s.set_time_zone("Manila Time");
  auto r = validate_staff(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field, "staff.time_zone");
}

TEST(StaffValidation, CapacityAndProficiencyRanges) {
  v1::Staff s;
  s.set_id("ana");
  s.set_time_zone("Asia/Kolkata");
  s.set_capacity(0);
  EXPECT_EQ(validate_staff(s).error().field, "staff.capacity");
  s.set_capacity(3);
  auto* skill = s.add_skills();
  skill->set_skill("doc-review");
  skill->set_proficiency(7);
  EXPECT_EQ(validate_staff(s).error().field, "staff.skills[0].proficiency");
}

}  // namespace
}  // namespace lexroute
