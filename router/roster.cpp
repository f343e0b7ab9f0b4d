#include "router/roster.h"

#include <absl/time/civil_time.h>

#include "router/text.h"

namespace lexroute {
namespace {

std::optional<absl::Weekday> parse_day(std::string_view day) {
  static constexpr std::pair<std::string_view, absl::Weekday> kDays[] = {
      {"MON", absl::Weekday::monday},    {"TUE", absl::Weekday::tuesday},
      {"WED", absl::Weekday::wednesday}, {"THU", absl::Weekday::thursday},
      {"FRI", absl::Weekday::friday},    {"SAT", absl::Weekday::saturday},
      {"SUN", absl::Weekday::sunday}};
  std::string upper(day);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [name, wd] : kDays) {
    if (upper == name) return wd;
  }
  return std::nullopt;
}

std::optional<absl::CivilDay> parse_date(const std::string& text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !parse_int(std::string_view(text).substr(0, 4), &y) ||
      !parse_int(std::string_view(text).substr(5, 2), &m) ||
      !parse_int(std::string_view(text).substr(8, 2), &d)) {
    return std::nullopt;
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;  // 2026-02-30
  return day;
}

}  // namespace

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> parse_clock_minutes(std::string_view text, bool allow_end_of_day) {
  int h = 0, m = 0;
  if (text.size() != 5 || text[2] != ':' || !parse_int(text.substr(0, 2), &h) ||
      !parse_int(text.substr(3, 2), &m) || m < 0 || m > 59 || h < 0) {
    return std::nullopt;
  }
  if (h == 24 && m == 0 && allow_end_of_day) return 1440;
  if (h > 23) return std::nullopt;
  return h * 60 + m;
}

Result<StaffProfile> profile_from(const v1::Staff& staff) {
  StaffProfile p;
  p.id = staff.id();
  p.pool = staff.pool();
  p.vendor = staff.vendor();
  p.region = lower(staff.region());
  p.capacity = staff.capacity();
  for (const auto& s : staff.skills()) p.skills.push_back({s.skill(), s.proficiency()});
  for (const auto& l : staff.languages()) p.languages.push_back(lower(l));
  for (const auto& j : staff.jurisdictions()) p.jurisdictions.push_back(lower(j));
  p.clearance = staff.clearance();
  for (int i = 0; i < staff.walls_size(); ++i) {
    const auto& w = staff.walls(i);
    if (w.firm_id().empty() && w.matter_id().empty() && w.party().empty()) {
      return fail(Errc::kInvalidArgument, "a wall must name a firm, a matter or a party",
                  cat("staff.walls[", i, "]"));
    }
    p.walls.push_back({w.firm_id(), w.matter_id(), lower(w.party())});
  }
  if (staff.shifts().empty() && staff.exceptions().empty()) return p;

  std::vector<WeeklyShift> shifts;
  for (int i = 0; i < staff.shifts_size(); ++i) {
    const auto& s = staff.shifts(i);
    std::string field = cat("staff.shifts[", i, "]");
    auto day = parse_day(s.day());
    if (!day) return fail(Errc::kInvalidArgument, "day must be MON..SUN", field + ".day");
    auto start = parse_clock_minutes(s.start(), false);
    if (!start) return fail(Errc::kInvalidArgument, "start must be HH:MM", field + ".start");
    auto end = parse_clock_minutes(s.end(), true);
    if (!end || *end == *start) {
      return fail(Errc::kInvalidArgument, "end must be HH:MM and differ from start",
                  field + ".end");
    }
    shifts.push_back({*day, *start, *end});
  }
  std::vector<ScheduleException> exceptions;
  for (int i = 0; i < staff.exceptions_size(); ++i) {
    const auto& e = staff.exceptions(i);
    std::string field = cat("staff.exceptions[", i, "]");
    auto date = parse_date(e.date());
    if (!date) return fail(Errc::kInvalidArgument, "date must be YYYY-MM-DD", field + ".date");
    ScheduleException ex;
    ex.date = *date;
    std::string kind = lower(e.kind());
    if (kind == "off") {
      ex.kind = ScheduleException::Kind::kOff;
    } else if (kind == "work") {
      ex.kind = ScheduleException::Kind::kWork;
    } else {
      return fail(Errc::kInvalidArgument, "kind must be OFF or WORK", field + ".kind");
    }
    auto start = e.start().empty() ? std::optional<int>(0) : parse_clock_minutes(e.start(), false);
    auto end = e.end().empty() ? std::optional<int>(1440) : parse_clock_minutes(e.end(), true);
    if (!start) return fail(Errc::kInvalidArgument, "start must be HH:MM", field + ".start");
    if (!end || *end == *start) {
      return fail(Errc::kInvalidArgument, "end must be HH:MM and differ from start",
                  field + ".end");
    }
    ex.start_minute = *start;
    ex.end_minute = *end;
    exceptions.push_back(ex);
  }
  auto schedule = Schedule::create(staff.time_zone(), std::move(shifts), std::move(exceptions));
  if (!schedule) {
    Error e = schedule.error();
    e.field = "staff." + e.field;
    return std::unexpected(e);
  }
  p.schedule = std::move(*schedule);
  return p;
}

TaskRequirements requirements_from(const v1::TaskSubmitted& task) {
  const v1::TaskSpec& spec = task.spec();
  TaskRequirements r;
  r.pool = spec.pool();
  r.vendor = spec.vendor();
  for (const auto& s : spec.required_skills()) r.skills.push_back({s.skill(), s.min_proficiency()});
  for (const auto& l : spec.languages()) r.languages.push_back(lower(l));
  r.jurisdiction = lower(spec.jurisdiction());
  r.confidentiality_tier = spec.confidentiality_tier();
  for (const auto& region : spec.allowed_regions()) r.allowed_regions.push_back(lower(region));
  r.firm = task.firm_id();
  r.matter = spec.matter_id();
  for (const auto& party : spec.parties()) r.parties.push_back(lower(party));
  r.effort_minutes = spec.effort_minutes();
  r.deadline = spec.has_deadline() ? absl::FromUnixSeconds(spec.deadline().seconds())
                                   : absl::InfiniteFuture();
  r.priority = spec.priority();
  return r;
}

}  // namespace lexroute
