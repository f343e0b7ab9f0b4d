#include "router/validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "router/text.h"

namespace lexroute {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kValidationNow = system_clock::from_time_t(1'800'000'000);

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
  s.set_payload_ref("https://dms.acme.example/m-100/doc/1");
  s.set_title("Custodian email batch 14 — Müller");
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
  auto r = validate_task_spec(spec, kValidationNow);
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
        BadCase{"control_character_in_ref",
                [](v1::TaskSpec& s) { s.set_payload_ref("https://dms.acme.example/\x01" "doc"); },
                "spec.payload_ref"},
        BadCase{"title_too_long",
                [](v1::TaskSpec& s) { s.set_title(std::string(limits::kTitle + 1, 't')); },
                "spec.title"},
        BadCase{"title_not_utf8", [](v1::TaskSpec& s) { s.set_title("batch \xff"); },
                "spec.title"},
        BadCase{"title_with_newline",
                [](v1::TaskSpec& s) { s.set_title("batch 14\nstaff=eve accepted"); },
                "spec.title"},
        BadCase{"title_with_escape", [](v1::TaskSpec& s) { s.set_title("batch \x1b[2J"); },
                "spec.title"},
        BadCase{"title_with_bidi_override",
                [](v1::TaskSpec& s) { s.set_title("invoice \u202Egpj.exe"); }, "spec.title"},
        BadCase{"title_with_line_separator",
                [](v1::TaskSpec& s) { s.set_title("one\u2028two"); }, "spec.title"},
        BadCase{"bad_pool", [](v1::TaskSpec& s) { s.set_pool("no/slash"); }, "spec.pool"},
        BadCase{"deadline_nanos_two_seconds",
                [](v1::TaskSpec& s) { s.mutable_deadline()->set_nanos(2'000'000'000); },
                "spec.deadline"},
        BadCase{"deadline_nanos_negative",
                [](v1::TaskSpec& s) { s.mutable_deadline()->set_nanos(-1); }, "spec.deadline"},
        BadCase{"deadline_after_year_9999",
                [](v1::TaskSpec& s) { s.mutable_deadline()->set_seconds(253'402'300'800); },
                "spec.deadline"},
        BadCase{"ten_thousand_skills",
                [](v1::TaskSpec& s) {
                  for (int i = 0; i < 10000; ++i) {
                    auto* skill = s.add_required_skills();
                    skill->set_skill("skill-" + std::to_string(i));
                    skill->set_min_proficiency(1);
                  }
                },
                "spec.required_skills"},
        BadCase{"ten_thousand_languages",
                [](v1::TaskSpec& s) {
                  for (int i = 0; i < 10000; ++i) s.add_languages("l" + std::to_string(i));
                },
                "spec.languages"},
        BadCase{"too_many_regions",
                [](v1::TaskSpec& s) {
                  for (int i = 0; i <= limits::kAllowedRegions; ++i) s.add_allowed_regions("eu");
                },
                "spec.allowed_regions"},
        BadCase{"too_many_parties",
                [](v1::TaskSpec& s) {
                  for (int i = 0; i <= limits::kParties; ++i) s.add_parties("globex");
                },
                "spec.parties"},
        BadCase{"party_too_long",
                [](v1::TaskSpec& s) { s.add_parties(std::string(limits::kParty + 1, 'p')); },
                "spec.parties[0]"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(TaskSpecValidation, GoodSpecPassesAndGetsTheDefaultPool) {
  v1::TaskSpec spec = good_spec();
  ASSERT_TRUE(validate_task_spec(spec, kValidationNow).has_value());
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

TEST(StaffValidation, AHugeTimeZoneIsRefusedWithAShortMessage) {
  v1::Staff s;
  s.set_id("ana");
  s.set_capacity(2);
  s.set_time_zone(std::string(100'000, 'Z'));
  auto r = validate_staff(s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().field, "staff.time_zone");
  EXPECT_LT(r.error().message.size(), 200u) << "the error quotes a bounded part of the input";
}

v1::Staff good_staff() {
  v1::Staff s;
  s.set_id("ana");
  s.set_capacity(2);
  s.set_time_zone("Asia/Manila");
  return s;
}

TEST(StaffValidation, EveryListAndStringIsBounded) {
  struct Case {
    const char* field;
    std::function<void(v1::Staff&)> spoil;
  };
  std::vector<Case> cases = {
      {"staff.skills",
       [](v1::Staff& s) {
         for (int i = 0; i <= limits::kStaffSkills; ++i) {
           auto* skill = s.add_skills();
           skill->set_skill("s" + std::to_string(i));
           skill->set_proficiency(3);
         }
       }},
      {"staff.languages",
       [](v1::Staff& s) {
         for (int i = 0; i < 10000; ++i) s.add_languages("en");
       }},
      {"staff.languages[0]", [](v1::Staff& s) { s.add_languages(std::string(65, 'e')); }},
      {"staff.jurisdictions",
       [](v1::Staff& s) {
         for (int i = 0; i <= limits::kJurisdictions; ++i) s.add_jurisdictions("us-ny");
       }},
      {"staff.display_name",
       [](v1::Staff& s) { s.set_display_name(std::string(limits::kDisplayName + 1, 'a')); }},
      {"staff.region", [](v1::Staff& s) { s.set_region(std::string(1000, 'r')); }},
      {"staff.walls",
       [](v1::Staff& s) {
         for (int i = 0; i <= limits::kWalls; ++i) s.add_walls()->set_firm_id("acme");
       }},
      {"staff.walls[0].reason",
       [](v1::Staff& s) {
         auto* w = s.add_walls();
         w->set_firm_id("acme");
         w->set_reason(std::string(limits::kReason + 1, 'r'));
       }},
      {"staff.shifts",
       [](v1::Staff& s) {
         for (int i = 0; i <= limits::kShifts; ++i) {
           auto* shift = s.add_shifts();
           shift->set_day("MON");
           shift->set_start("09:00");
           shift->set_end("17:00");
         }
       }},
      {"staff.exceptions[0].note",
       [](v1::Staff& s) {
         auto* e = s.add_exceptions();
         e->set_date("2026-12-25");
         e->set_kind("OFF");
         e->set_note(std::string(limits::kExceptionNote + 1, 'n'));
       }},
      {"staff.display_name", [](v1::Staff& s) { s.set_display_name("Ana \xc3("); }},
  };
  for (const auto& c : cases) {
    v1::Staff s = good_staff();
    c.spoil(s);
    auto r = validate_staff(s);
    ASSERT_FALSE(r.has_value()) << c.field;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << c.field;
    EXPECT_EQ(r.error().field, c.field);
  }
  v1::Staff s = good_staff();
  EXPECT_TRUE(validate_staff(s).has_value());
}

TEST(TaskIdValidation, AHugeOrUnprintableIdIsRefusedWithAShortMessage) {
  EXPECT_TRUE(validate_task_id("01a3185c5000-0123456789abcdef@default").has_value());
  EXPECT_TRUE(validate_task_id("garbage").has_value()) << "unknown ids are the store's to say";
  auto empty = validate_task_id("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().field, "task_id");
  for (const std::string& bad :
       {std::string(100'000, 'x'), std::string("a\nb"), std::string("caf\xc3\xa9")}) {
    auto r = validate_task_id(bad);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(r.error().field, "task_id");
    EXPECT_LT(r.error().message.size(), 200u);
    EXPECT_TRUE(is_valid_utf8(r.error().message));
  }
}

TEST(TimestampValidation, NanosAndSecondsMustBeInRange) {
  google::protobuf::Timestamp at;
  at.set_seconds(1'800'000'000);
  at.set_nanos(999'999'999);
  EXPECT_TRUE(validate_timestamp(at, "at").has_value());
  at.set_nanos(1'000'000'000);
  EXPECT_EQ(validate_timestamp(at, "at").error().field, "at");
  at.set_nanos(-1);
  EXPECT_FALSE(validate_timestamp(at, "at").has_value());
  at.set_nanos(0);
  at.set_seconds(-62'135'596'801);  // the day before 0001-01-01
  EXPECT_FALSE(validate_timestamp(at, "at").has_value());
}

TEST(Text, ALogLineCannotBeBrokenOrHiddenByWhatItQuotes) {
  EXPECT_EQ(escaped_line("rejected\n2026-12-06T00:00:00.000Z INFO gateway staff=eve", 100),
            "rejected\\n2026-12-06T00:00:00.000Z INFO gateway staff=eve");
  EXPECT_EQ(escaped_line("a\rb\tc\x1b[2Jd\x7f", 100), "a\\rb\\tc\\x1b[2Jd\\x7f");
  EXPECT_EQ(escaped_line("back\\slash 'quotes' \"stay\"", 100), "back\\\\slash 'quotes' \"stay\"");
  EXPECT_EQ(escaped_line("one\u2028two\u202Eowt\xc2\x85", 100),
            "one\\u{2028}two\\u{202e}owt\\u{0085}");
  EXPECT_EQ(escaped_line("caf\xc3 \xff", 100), "caf\\xc3 \\xff");
  EXPECT_EQ(escaped_line("Aoife Ní Bhriain, 東京", 100), "Aoife Ní Bhriain, 東京");
  std::string huge(10'000, '\n');
  std::string cut = escaped_line(huge, 50);
  std::string fifty_escapes;
  for (int i = 0; i < 50; ++i) fifty_escapes += "\\n";
  EXPECT_EQ(cut, fifty_escapes + "...");
  EXPECT_LE(cut.size(), 4u * 50 + 3);
  EXPECT_TRUE(cut.ends_with("..."));
  EXPECT_EQ(cut.find('\n'), std::string::npos);
  // A multi-byte character is never cut in half.
  EXPECT_EQ(escaped_line("東京", 4), "東...");
}

TEST(Text, ControlCharactersAreFoundWhereverTheyAre) {
  EXPECT_FALSE(has_control_characters("Custodian email batch 14 — Müller, 東京"));
  for (std::string_view bad : {"a\nb", "\t", "\x1b[2J", "\x7f", "\xc2\x85", "\u2028", "\u2029",
                               "\u202A", "\u202E", "\u2066", "\u2069"}) {
    EXPECT_TRUE(has_control_characters(bad)) << escaped_line(bad, 20);
  }
}

TEST(Text, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Aoife Ní Bhriain, 東京, \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("caf\xc3"));           // cut short
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Text, QuotedIsBoundedAndEscaped) {
  EXPECT_EQ(bounded_quote("Asia/Manila"), "'Asia/Manila'");
  EXPECT_EQ(bounded_quote("a'b\n\x01\xff"), "'a\\'b\\n\\x01\\xff'");
  EXPECT_EQ(bounded_quote("東京"), "'東京'");
  std::string long_one = bounded_quote(std::string(100'000, 'x'));
  EXPECT_EQ(long_one, "'" + std::string(limits::kQuoted, 'x') + "...'");
  // A multi-byte character is never cut in half.
  std::string cut = bounded_quote(std::string(limits::kQuoted - 1, 'x') + "é");
  EXPECT_TRUE(is_valid_utf8(cut));
  EXPECT_TRUE(cut.ends_with("...'"));
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

v1::PoolScaling good_scaling() {
  v1::PoolScaling s;
  s.set_min_active(1);
  s.set_max_active(20);
  s.mutable_surge_start()->set_seconds(1'800'000'000);
  s.mutable_surge_end()->set_seconds(1'800'000'000 + 86400);
  s.set_target_time_to_offer_seconds(600);
  s.add_bench_staff("s-1");
  s.add_bench_staff("s-2");
  return s;
}

TEST(PoolScalingValidation, AGoodScalingPasses) {
  EXPECT_TRUE(validate_pool_scaling(good_scaling()).has_value());
}

TEST(PoolScalingValidation, EachBadValueIsRefusedNamingItsField) {
  std::vector<std::pair<std::function<void(v1::PoolScaling&)>, std::string>> cases = {
      {[](auto& s) { s.set_max_active(0); }, "scaling.max_active"},
      {[](auto& s) { s.set_max_active(10001); }, "scaling.max_active"},
      {[](auto& s) { s.set_min_active(21); }, "scaling.min_active"},
      {[](auto& s) { s.set_min_active(-1); }, "scaling.min_active"},
      {[](auto& s) { s.mutable_surge_start()->set_nanos(-1); }, "scaling.surge_start"},
      {[](auto& s) { s.mutable_surge_end()->set_seconds(1'800'000'000); }, "scaling.surge_end"},
      {[](auto& s) { s.set_target_time_to_offer_seconds(86401); },
       "scaling.target_time_to_offer_seconds"},
      {[](auto& s) { s.add_bench_staff("not a name"); }, "scaling.bench_staff[2]"},
      {[](auto& s) { s.add_bench_staff("s-1"); }, "scaling.bench_staff[2]"},
      {[](auto& s) {
         for (int i = 0; i <= limits::kBenchStaff; ++i) s.add_bench_staff(cat("b-", i));
       },
       "scaling.bench_staff"},
  };
  for (const auto& [spoil, field] : cases) {
    v1::PoolScaling s = good_scaling();
    spoil(s);
    auto valid = validate_pool_scaling(s);
    ASSERT_FALSE(valid.has_value()) << field;
    EXPECT_EQ(valid.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(valid.error().field, field) << valid.error().message;
  }
}

}  // namespace
}  // namespace lexroute
