#include "router/schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lexroute {
namespace {

using absl::Weekday;
using Kind = ScheduleException::Kind;

absl::Time utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

// A unique local wall time in `zone_name` (only for times that are not skipped or repeated).
absl::Time local(const char* zone_name, int y, int mo, int d, int h, int mi = 0) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(zone_name, &zone));
  const auto info = zone.At(absl::CivilSecond(y, mo, d, h, mi, 0));
  EXPECT_EQ(info.kind, absl::TimeZone::TimeInfo::UNIQUE) << "test helper needs a unique time";
  return info.pre;
}

constexpr int hm(int h, int m = 0) { return h * 60 + m; }

std::vector<WeeklyShift> weekdays(int start, int end) {
  std::vector<WeeklyShift> out;
  for (Weekday d : {Weekday::monday, Weekday::tuesday, Weekday::wednesday, Weekday::thursday,
                    Weekday::friday}) {
    out.push_back({d, start, end});
  }
  return out;
}

std::vector<WeeklyShift> every_day(int start, int end) {
  std::vector<WeeklyShift> out = weekdays(start, end);
  out.push_back({Weekday::saturday, start, end});
  out.push_back({Weekday::sunday, start, end});
  return out;
}

Schedule make(const char* zone, std::vector<WeeklyShift> shifts,
              std::vector<ScheduleException> exceptions = {}) {
  auto r = Schedule::create(zone, std::move(shifts), std::move(exceptions));
  EXPECT_TRUE(r.has_value()) << (r.has_value() ? "" : r.error().field + ": " + r.error().message);
  return *std::move(r);
}

// The calendar the tests below rely on.
TEST(ScheduleCalendar, DatesFallOnTheExpectedWeekdays) {
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(2026, 6, 1)), Weekday::monday);
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(2026, 3, 8)), Weekday::sunday);
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(2026, 11, 1)), Weekday::sunday);
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(2026, 3, 29)), Weekday::sunday);
  EXPECT_EQ(absl::GetWeekday(absl::CivilDay(2026, 10, 25)), Weekday::sunday);
}

// Manila is UTC+8 all year: 09:00-17:00 local is 01:00Z-09:00Z.
struct OnShiftCase {
  const char* name;
  absl::Time t;
  bool on;
};

class ScheduleManilaOnShift : public ::testing::TestWithParam<OnShiftCase> {};

TEST_P(ScheduleManilaOnShift, MatchesTheLocalShift) {
  const Schedule s = make("Asia/Manila", weekdays(hm(9), hm(17)));
  EXPECT_EQ(s.on_shift(GetParam().t), GetParam().on);
  EXPECT_EQ(s.shift_end(GetParam().t).has_value(), GetParam().on);
}

INSTANTIATE_TEST_SUITE_P(
    ScheduleInstants, ScheduleManilaOnShift,
    ::testing::Values(OnShiftCase{"mon_0859_local", utc(2026, 6, 1, 0, 59), false},
                      OnShiftCase{"mon_0900_local", utc(2026, 6, 1, 1, 0), true},
                      OnShiftCase{"mon_1659_local", utc(2026, 6, 1, 8, 59), true},
                      OnShiftCase{"mon_1700_local", utc(2026, 6, 1, 9, 0), false},
                      OnShiftCase{"sun_2300Z_is_mon_0700_local", utc(2026, 5, 31, 23, 0), false},
                      OnShiftCase{"fri_1200_local", utc(2026, 6, 5, 4, 0), true},
                      OnShiftCase{"sat_1200_local", utc(2026, 6, 6, 4, 0), false},
                      OnShiftCase{"sun_1200_local", utc(2026, 6, 7, 4, 0), false}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ScheduleManila, ShiftEndIsFiveLocal) {
  const Schedule s = make("Asia/Manila", weekdays(hm(9), hm(17)));
  EXPECT_EQ(s.shift_end(utc(2026, 6, 3, 5, 0)), utc(2026, 6, 3, 9, 0));
  EXPECT_EQ(s.shift_end(utc(2026, 6, 3, 1, 0)), utc(2026, 6, 3, 9, 0));
  EXPECT_EQ(s.shift_end(utc(2026, 6, 3, 9, 0)), std::nullopt);
}

TEST(ScheduleManila, NextShiftStartSpansTheWeekend) {
  const Schedule s = make("Asia/Manila", weekdays(hm(9), hm(17)));
  const absl::Time friday_evening = utc(2026, 6, 5, 12, 0);  // 20:00 Friday in Manila
  const absl::Time monday_nine = utc(2026, 6, 8, 1, 0);      // 09:00 Monday in Manila
  EXPECT_EQ(s.next_shift_start(friday_evening, absl::Hours(96)), monday_nine);
  // The horizon is inclusive, and too short a horizon finds nothing.
  EXPECT_EQ(s.next_shift_start(friday_evening, monday_nine - friday_evening), monday_nine);
  EXPECT_EQ(s.next_shift_start(friday_evening, monday_nine - friday_evening - absl::Seconds(1)),
            std::nullopt);
  // On shift: now.
  EXPECT_EQ(s.next_shift_start(utc(2026, 6, 5, 3, 0), absl::Hours(1)), utc(2026, 6, 5, 3, 0));
  EXPECT_EQ(s.next_shift_start(utc(2026, 6, 5, 3, 0), absl::ZeroDuration()), utc(2026, 6, 5, 3, 0));
}

TEST(ScheduleKolkata, HalfHourOffsetGivesExactUtcInstants) {
  const Schedule s = make("Asia/Kolkata", weekdays(hm(9, 30), hm(18)));
  EXPECT_FALSE(s.on_shift(utc(2026, 6, 2, 3, 59)));
  EXPECT_TRUE(s.on_shift(utc(2026, 6, 2, 4, 0)));
  EXPECT_TRUE(s.on_shift(utc(2026, 6, 2, 12, 29)));
  EXPECT_FALSE(s.on_shift(utc(2026, 6, 2, 12, 30)));
  EXPECT_EQ(s.shift_end(utc(2026, 6, 2, 4, 0)), utc(2026, 6, 2, 12, 30));
  EXPECT_EQ(s.next_shift_start(utc(2026, 6, 2, 0, 0), absl::Hours(24)), utc(2026, 6, 2, 4, 0));
}

// Finds a shift's start from the day before, then its absolute length.
absl::Duration sunday_shift_length(const Schedule& s, absl::Time saturday) {
  const auto start = s.next_shift_start(saturday, absl::Hours(48));
  EXPECT_TRUE(start.has_value());
  if (!start) return absl::ZeroDuration();
  const auto end = s.shift_end(*start);
  EXPECT_TRUE(end.has_value());
  return end ? *end - *start : absl::ZeroDuration();
}

TEST(ScheduleNewYork, SpringForwardShortensAndAutumnBackLengthensAShift) {
  const Schedule s = make("America/New_York", {{Weekday::sunday, hm(1), hm(5)}});
  // A plain Sunday: 4 h.
  EXPECT_EQ(sunday_shift_length(s, utc(2026, 2, 28, 12)), absl::Hours(4));
  // 2026-03-08: 01:00 EST (06:00Z) to 05:00 EDT (09:00Z).
  EXPECT_EQ(s.next_shift_start(utc(2026, 3, 7, 12), absl::Hours(48)), utc(2026, 3, 8, 6));
  EXPECT_EQ(sunday_shift_length(s, utc(2026, 3, 7, 12)), absl::Hours(3));
  // 2026-11-01: 01:00 EDT, the first of the two (05:00Z), to 05:00 EST (10:00Z).
  EXPECT_EQ(s.next_shift_start(utc(2026, 10, 31, 12), absl::Hours(48)), utc(2026, 11, 1, 5));
  EXPECT_EQ(sunday_shift_length(s, utc(2026, 10, 31, 12)), absl::Hours(5));
}

TEST(ScheduleNewYork, ShiftStartingInTheSpringGapStartsAtTheTransition) {
  const Schedule s = make("America/New_York", {{Weekday::sunday, hm(2, 30), hm(4)}});
  // 02:30 does not exist on 2026-03-08; the clocks jump at 02:00 EST = 07:00Z.
  EXPECT_EQ(s.next_shift_start(utc(2026, 3, 7, 12), absl::Hours(48)), utc(2026, 3, 8, 7));
  EXPECT_EQ(s.shift_end(utc(2026, 3, 8, 7)), utc(2026, 3, 8, 8));  // 04:00 EDT
  EXPECT_FALSE(s.on_shift(utc(2026, 3, 8, 6, 59)));
  // A week later, 02:30 EDT is 06:30Z.
  EXPECT_EQ(s.next_shift_start(utc(2026, 3, 14, 12), absl::Hours(48)), utc(2026, 3, 15, 6, 30));
}

struct LondonDay {
  absl::CivilDay day;
  int start_hour_utc;
};

class ScheduleLondon : public ::testing::TestWithParam<LondonDay> {};

TEST_P(ScheduleLondon, NineToFiveFollowsSummerTime) {
  const Schedule s = make("Europe/London", every_day(hm(9), hm(17)));
  const absl::CivilDay d = GetParam().day;
  const absl::Time midnight_utc = utc(d.year(), d.month(), d.day(), 0);
  const absl::Time start = utc(d.year(), d.month(), d.day(), GetParam().start_hour_utc);
  EXPECT_EQ(s.next_shift_start(midnight_utc, absl::Hours(20)), start);
  EXPECT_EQ(s.shift_end(start), start + absl::Hours(8));
  EXPECT_FALSE(s.on_shift(start - absl::Minutes(1)));
}

INSTANTIATE_TEST_SUITE_P(ScheduleAroundChanges, ScheduleLondon,
                         ::testing::Values(LondonDay{absl::CivilDay(2026, 3, 28), 9},
                                           LondonDay{absl::CivilDay(2026, 3, 30), 8},
                                           LondonDay{absl::CivilDay(2026, 10, 24), 8},
                                           LondonDay{absl::CivilDay(2026, 10, 26), 9}));

TEST(ScheduleNightShift, CrossesMidnightAndBelongsToItsStartDay) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, weekdays(hm(22), hm(6)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 1, 21, 59)));  // Monday
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 1, 23, 30)));
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 2, 5, 59)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 2, 6, 0)));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 1, 23, 0)), local(zone, 2026, 6, 2, 6, 0));
  // Friday's shift runs into Saturday; there is no Sunday shift to run into Monday.
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 6, 5, 0)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 1, 5, 0)));
}

TEST(ScheduleExceptions, HolidayRemovesTheDayAndTheSearchSkipsIt) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, weekdays(hm(9), hm(17)),
                          {{absl::CivilDay(2026, 6, 12), Kind::kOff, 0, 1440},   // Friday
                           {absl::CivilDay(2026, 6, 3), Kind::kOff, 0, 1440}});  // Wednesday
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 2, 12)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 3, 12)));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 3, 12)), std::nullopt);
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 6, 3, 8), absl::Hours(48)),
            local(zone, 2026, 6, 4, 9));
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 6, 12, 8), absl::Hours(96)),
            local(zone, 2026, 6, 15, 9));
}

TEST(ScheduleExceptions, HolidayRemovesTheTailOfThePreviousNightShift) {
  const char* zone = "Asia/Manila";
  const Schedule s =
      make(zone, weekdays(hm(22), hm(6)), {{absl::CivilDay(2026, 6, 2), Kind::kOff, 0, 1440}});
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 1, 23)));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 1, 23)), local(zone, 2026, 6, 2, 0));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 2, 3)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 2, 23)));
  // The off time covers only that date, so Tuesday night's shift resumes at midnight.
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 6, 2, 3), absl::Hours(48)),
            local(zone, 2026, 6, 3, 0));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 3, 0)), local(zone, 2026, 6, 3, 6));
}

TEST(ScheduleExceptions, TimeOffOnTwoDaysBothDelayTheNightShift) {
  const char* zone = "Asia/Manila";
  // Monday is a holiday, and Tuesday's first three hours are off too: of Monday night's shift
  // only Tuesday 03:00-06:00 is left.
  const Schedule s = make(zone, weekdays(hm(22), hm(6)),
                          {{absl::CivilDay(2026, 6, 1), Kind::kOff, 0, 1440},
                           {absl::CivilDay(2026, 6, 2), Kind::kOff, 0, hm(3)}});
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 5, 30, 12), absl::Hours(96)),
            local(zone, 2026, 6, 2, 3));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 2, 3)), local(zone, 2026, 6, 2, 6));
}

TEST(ScheduleExceptions, OvertimeOnSaturdayAddsAShift) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, weekdays(hm(9), hm(17)),
                          {{absl::CivilDay(2026, 6, 6), Kind::kWork, hm(10), hm(14)}});
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 6, 11)));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 6, 11)), local(zone, 2026, 6, 6, 14));
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 6, 5, 18), absl::Hours(72)),
            local(zone, 2026, 6, 6, 10));
  // Only that Saturday.
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 13, 11)));
}

TEST(ScheduleExceptions, OvertimeOverlappingAShiftExtendsTheStretch) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, weekdays(hm(9), hm(17)),
                          {{absl::CivilDay(2026, 6, 2), Kind::kWork, hm(16), hm(20)}});
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 2, 10)), local(zone, 2026, 6, 2, 20));
}

TEST(ScheduleExceptions, PartialTimeOffSplitsAShift) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, weekdays(hm(9), hm(17)),
                          {{absl::CivilDay(2026, 6, 2), Kind::kOff, hm(13), hm(15)}});
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 2, 12)), local(zone, 2026, 6, 2, 13));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 2, 13)));
  EXPECT_FALSE(s.on_shift(local(zone, 2026, 6, 2, 14, 59)));
  EXPECT_TRUE(s.on_shift(local(zone, 2026, 6, 2, 15)));
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 6, 2, 13, 30), absl::Hours(4)),
            local(zone, 2026, 6, 2, 15));
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 2, 15)), local(zone, 2026, 6, 2, 17));
}

TEST(ScheduleStretch, AdjacentDaysMergeIntoOneStretch) {
  const char* zone = "Europe/Berlin";
  const Schedule s = make(zone, {{Weekday::monday, 0, 1440}, {Weekday::tuesday, 0, 1440}});
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 1, 10)), local(zone, 2026, 6, 3, 0));
}

TEST(ScheduleStretch, ShiftEndFollowsALongStretchToItsEnd) {
  const char* zone = "Europe/Berlin";
  const Schedule s =
      make(zone, every_day(0, 1440), {{absl::CivilDay(2026, 6, 11), Kind::kOff, hm(12), hm(13)}});
  EXPECT_EQ(s.shift_end(local(zone, 2026, 6, 1, 10)), local(zone, 2026, 6, 11, 12));
}

TEST(ScheduleStretch, RoundTheClockRosterReportsAnEndAtLeastTwoWeeksOut) {
  const Schedule s = make("UTC", every_day(0, 1440));
  const absl::Time t = utc(2026, 6, 1, 10);
  const auto end = s.shift_end(t);
  ASSERT_TRUE(end.has_value());
  EXPECT_GE(*end, t + absl::Hours(24 * 14));
  EXPECT_LT(*end, absl::InfiniteFuture());
}

TEST(ScheduleSearch, LongHolidayIsSkippedWithinTheHorizon) {
  const char* zone = "Asia/Manila";
  std::vector<ScheduleException> leave;
  for (absl::CivilDay d(2026, 6, 1); d <= absl::CivilDay(2026, 6, 19); ++d) {
    leave.push_back({d, Kind::kOff, 0, 1440});
  }
  const Schedule s = make(zone, weekdays(hm(9), hm(17)), std::move(leave));
  const absl::Time from = local(zone, 2026, 5, 31, 12);
  const absl::Time back = local(zone, 2026, 6, 22, 9);
  EXPECT_EQ(s.next_shift_start(from, absl::Hours(24 * 30)), back);
  EXPECT_EQ(s.next_shift_start(from, back - from - absl::Minutes(1)), std::nullopt);
}

TEST(ScheduleSearch, OvertimeOnlyScheduleFindsAFarExceptionAndEnds) {
  const char* zone = "Asia/Manila";
  const Schedule s = make(zone, {}, {{absl::CivilDay(2026, 9, 1), Kind::kWork, hm(9), hm(12)}});
  const absl::Time from = local(zone, 2026, 6, 1, 0);
  EXPECT_EQ(s.next_shift_start(from, absl::InfiniteDuration()), local(zone, 2026, 9, 1, 9));
  EXPECT_EQ(s.next_shift_start(from, absl::Hours(24 * 60)), std::nullopt);
  EXPECT_EQ(s.next_shift_start(local(zone, 2026, 9, 1, 12), absl::InfiniteDuration()),
            std::nullopt);
}

TEST(ScheduleSearch, EmptyScheduleNeverWorks) {
  const Schedule s = make("UTC", {});
  EXPECT_FALSE(s.on_shift(utc(2026, 6, 1, 12)));
  EXPECT_EQ(s.next_shift_start(utc(2026, 6, 1, 12), absl::InfiniteDuration()), std::nullopt);
  EXPECT_FALSE(s.on_shift(absl::InfiniteFuture()));
}

struct BadInput {
  const char* name;
  const char* zone;
  std::vector<WeeklyShift> shifts;
  std::vector<ScheduleException> exceptions;
  const char* field;
};

class ScheduleBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(ScheduleBadInput, IsRejectedNamingTheField) {
  const BadInput& in = GetParam();
  auto r = Schedule::create(in.zone, in.shifts, in.exceptions);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(r.error().field, in.field);
}

const absl::CivilDay kDay(2026, 6, 1);
const WeeklyShift kGood{Weekday::monday, hm(9), hm(17)};

INSTANTIATE_TEST_SUITE_P(
    ScheduleFields, ScheduleBadInput,
    ::testing::Values(
        BadInput{"unknown_zone", "Mars/Olympus_Mons", {kGood}, {}, "time_zone"},
        BadInput{"abbreviation_zone", "Manila Time", {kGood}, {}, "time_zone"},
        BadInput{"empty_zone", "", {kGood}, {}, "time_zone"},
        BadInput{"start_1440",
                 "UTC",
                 {kGood, {Weekday::friday, 1440, 60}},
                 {},
                 "shifts[1].start_minute"},
        BadInput{
            "start_negative", "UTC", {{Weekday::monday, -1, 60}}, {}, "shifts[0].start_minute"},
        BadInput{"end_zero", "UTC", {{Weekday::monday, 60, 0}}, {}, "shifts[0].end_minute"},
        BadInput{"end_1441",
                 "UTC",
                 {kGood, kGood, {Weekday::monday, 60, 1441}},
                 {},
                 "shifts[2].end_minute"},
        BadInput{"exception_end_zero",
                 "UTC",
                 {kGood},
                 {{kDay, Kind::kOff, 0, 0}},
                 "exceptions[0].end_minute"},
        BadInput{"exception_start_1440",
                 "UTC",
                 {kGood},
                 {{kDay, Kind::kOff, 0, 1440}, {kDay, Kind::kWork, 1440, 1440}},
                 "exceptions[1].start_minute"},
        BadInput{"exception_start_negative",
                 "UTC",
                 {kGood},
                 {{kDay, Kind::kWork, -5, 60}},
                 "exceptions[0].start_minute"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(ScheduleCreate, AcceptsBoundaryMinutesAndKeepsTheZoneName) {
  auto r =
      Schedule::create("Asia/Kolkata", {{Weekday::monday, 1439, 1440}, {Weekday::sunday, 0, 1}},
                       {{kDay, Kind::kOff, 0, 1440}, {kDay, Kind::kWork, 1439, 1}});
  ASSERT_TRUE(r.has_value()) << r.error().field;
  EXPECT_EQ(r->zone_name(), "Asia/Kolkata");
  EXPECT_EQ(r->zone().name(), "Asia/Kolkata");
}

}  // namespace
}  // namespace lexroute
