#pragma once

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/error.h"

namespace lexroute {

// One weekly working period in the staff member's local time. Minutes count from local
// midnight (0..1439 for the start, 1..1440 for the end). end_minute <= start_minute means the
// shift crosses midnight and ends on the next local day.
struct WeeklyShift {
  absl::Weekday day = absl::Weekday::monday;
  int start_minute = 0;
  int end_minute = 0;
};

// A dated change to the weekly pattern, in local time on `date`:
// kOff removes working time in [start, end) on that date (0..1440 = the whole day: a holiday,
// time off); kWork adds working time (overtime). end_minute <= start_minute crosses midnight.
struct ScheduleException {
  enum class Kind { kOff, kWork };
  absl::CivilDay date;
  Kind kind = Kind::kOff;
  int start_minute = 0;
  int end_minute = 1440;
};

// When a staff member works, in absolute time, derived through the IANA time-zone database
// (absl over tzdata): DST changes and half-hour zones need no special cases. A local time that
// does not exist (the spring-forward gap) maps to the transition instant; a local time that
// happens twice (fall-back) maps to its first occurrence. Pure: no clock inside.
class Schedule {
 public:
  // INVALID_ARGUMENT naming the problem for an unknown zone or out-of-range minutes.
  static Result<Schedule> create(std::string_view time_zone, std::vector<WeeklyShift> shifts,
                                 std::vector<ScheduleException> exceptions);

  // Whether `t` falls in working time.
  bool on_shift(absl::Time t) const;
  // If on shift at `t`: when this stretch of working time ends (adjacent or overlapping shifts
  // count as one stretch). nullopt when off shift.
  std::optional<absl::Time> shift_end(absl::Time t) const;
  // The earliest moment >= t that is working time, looking no further than t + horizon.
  // Returns t itself when on shift at t.
  std::optional<absl::Time> next_shift_start(absl::Time t, absl::Duration horizon) const;

  const absl::TimeZone& zone() const { return zone_; }
  const std::string& zone_name() const { return zone_name_; }

 private:
  Schedule() = default;

  absl::TimeZone zone_;
  std::string zone_name_;
  std::vector<WeeklyShift> shifts_;
  std::vector<ScheduleException> exceptions_;
};

}  // namespace lexroute
