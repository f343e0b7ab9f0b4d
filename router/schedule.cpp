#include "router/schedule.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory_resource>
#include <utility>

#include "router/text.h"

namespace lexroute {
namespace {

constexpr int kMinutesPerDay = 1440;
// How far shift_end follows a stretch that runs past midnight day after day.
constexpr int kMaxStretchDays = 14;
// next_shift_start looks at a couple of local days first (the usual answer is today or
// tomorrow), then a week per pass.
constexpr int kFirstSearchDays = 2;
constexpr int kSearchChunkDays = 7;

bool dated_before(const ScheduleException& e, absl::CivilDay d) { return e.date < d; }

struct Interval {
  absl::Time start;
  absl::Time end;
};

// Skipped local times (spring forward) map to the transition instant; repeated ones (fall back)
// to their first occurrence.
absl::Time local_to_abs(const absl::TimeZone& zone, absl::CivilDay day, int minute) {
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilMinute(day) + minute);
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

Interval local_interval(const absl::TimeZone& zone, absl::CivilDay day, int start_minute,
                        int end_minute) {
  const absl::CivilDay end_day = end_minute <= start_minute ? day + 1 : day;
  return {local_to_abs(zone, day, start_minute), local_to_abs(zone, end_day, end_minute)};
}

void sort_and_merge(std::pmr::vector<Interval>& v) {
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::size_t n = 0;
  for (const Interval& iv : v) {
    if (n > 0 && iv.start <= v[n - 1].end) {
      v[n - 1].end = std::max(v[n - 1].end, iv.end);
    } else {
      v[n++] = iv;
    }
  }
  v.resize(n);
}

// Working time over a range of local days as sorted, disjoint, non-adjacent absolute intervals.
// The working memory sits on the stack, so a typical roster costs no heap allocation per query.
class WorkingTime {
 public:
  WorkingTime(const absl::TimeZone& zone, const std::vector<WeeklyShift>& shifts,
              const std::vector<ScheduleException>& exceptions)
      : zone_(zone),
        shifts_(shifts),
        exceptions_(exceptions),
        pool_(buffer_.data(), buffer_.size()),
        work_(&pool_),
        off_(&pool_),
        out_(&pool_) {}

  WorkingTime(const WorkingTime&) = delete;
  WorkingTime& operator=(const WorkingTime&) = delete;

  // Exact for every instant from the start of local day `first` to the start of `last` + 1.
  // Local day d depends on items dated d - 1 (crossing midnight) and d; the extra day either
  // side is margin for zone offsets.
  void build(absl::CivilDay first, absl::CivilDay last) {
    const absl::CivilDay from = first - 2;
    const absl::CivilDay to = last + 1;
    const auto exc_begin =
        std::lower_bound(exceptions_.begin(), exceptions_.end(), from, dated_before);
    const auto exc_end =
        std::upper_bound(exc_begin, exceptions_.end(), to,
                         [](absl::CivilDay d, const ScheduleException& e) { return d < e.date; });

    std::array<std::size_t, 7> per_weekday{};
    for (const WeeklyShift& s : shifts_) ++per_weekday[static_cast<std::size_t>(s.day)];
    std::size_t n_work = 0;
    for (absl::CivilDay d = from; d <= to; ++d) {
      n_work += per_weekday[static_cast<std::size_t>(absl::GetWeekday(d))];
    }
    const auto n_exc = static_cast<std::size_t>(exc_end - exc_begin);
    work_.clear();
    off_.clear();
    out_.clear();
    work_.reserve(n_work + n_exc);
    off_.reserve(n_exc);

    auto add = [](std::pmr::vector<Interval>& v, Interval iv) {
      if (iv.start < iv.end) v.push_back(iv);  // empty when it falls wholly in a DST gap
    };
    for (absl::CivilDay d = from; d <= to; ++d) {
      const absl::Weekday wd = absl::GetWeekday(d);
      for (const WeeklyShift& s : shifts_) {
        if (s.day == wd) add(work_, local_interval(zone_, d, s.start_minute, s.end_minute));
      }
    }
    for (auto it = exc_begin; it != exc_end; ++it) {
      add(it->kind == ScheduleException::Kind::kWork ? work_ : off_,
          local_interval(zone_, it->date, it->start_minute, it->end_minute));
    }
    sort_and_merge(work_);
    sort_and_merge(off_);

    out_.reserve(work_.size() + off_.size());
    std::size_t j = 0;
    for (const Interval& w : work_) {
      absl::Time cur = w.start;
      while (j < off_.size() && off_[j].end <= cur) ++j;
      for (std::size_t k = j; cur < w.end; ++k) {
        if (k == off_.size() || off_[k].start >= w.end) {
          out_.push_back({cur, w.end});
          break;
        }
        if (off_[k].start > cur) out_.push_back({cur, off_[k].start});
        cur = std::max(cur, off_[k].end);
      }
    }
  }

  // The first interval ending after `t`, or nullptr.
  const Interval* first_ending_after(absl::Time t) const {
    const auto it = std::partition_point(out_.begin(), out_.end(),
                                         [t](const Interval& iv) { return iv.end <= t; });
    return it == out_.end() ? nullptr : &*it;
  }

  const Interval* containing(absl::Time t) const {
    const Interval* iv = first_ending_after(t);
    return iv != nullptr && iv->start <= t ? iv : nullptr;
  }

  absl::Time day_start(absl::CivilDay d) const { return local_to_abs(zone_, d, 0); }

 private:
  const absl::TimeZone& zone_;
  const std::vector<WeeklyShift>& shifts_;
  const std::vector<ScheduleException>& exceptions_;
  alignas(std::max_align_t) std::array<std::byte, 4096> buffer_;
  std::pmr::monotonic_buffer_resource pool_;
  std::pmr::vector<Interval> work_;
  std::pmr::vector<Interval> off_;
  std::pmr::vector<Interval> out_;
};

bool valid_weekday(absl::Weekday d) {
  const auto v = static_cast<int>(d);
  return v >= static_cast<int>(absl::Weekday::monday) &&
         v <= static_cast<int>(absl::Weekday::sunday);
}

bool valid_start(int minute) { return minute >= 0 && minute < kMinutesPerDay; }
bool valid_end(int minute) { return minute >= 1 && minute <= kMinutesPerDay; }

// Infinite instants have no local day to start from.
bool is_finite(absl::Time t) { return t != absl::InfiniteFuture() && t != absl::InfinitePast(); }

}  // namespace

Result<Schedule> Schedule::create(std::string_view time_zone, std::vector<WeeklyShift> shifts,
                                  std::vector<ScheduleException> exceptions) {
  Schedule s;
  s.zone_name_ = std::string(time_zone);
  if (s.zone_name_.empty() || !absl::LoadTimeZone(s.zone_name_, &s.zone_)) {
    return fail(Errc::kInvalidArgument, cat("time_zone '", time_zone, "' is not an IANA time zone"),
                "time_zone");
  }
  for (std::size_t i = 0; i < shifts.size(); ++i) {
    const WeeklyShift& sh = shifts[i];
    if (!valid_weekday(sh.day)) {
      return fail(Errc::kInvalidArgument, "day must be a weekday", cat("shifts[", i, "].day"));
    }
    if (!valid_start(sh.start_minute)) {
      return fail(Errc::kInvalidArgument, "start_minute must be 0..1439",
                  cat("shifts[", i, "].start_minute"));
    }
    if (!valid_end(sh.end_minute)) {
      return fail(Errc::kInvalidArgument, "end_minute must be 1..1440",
                  cat("shifts[", i, "].end_minute"));
    }
  }
  for (std::size_t i = 0; i < exceptions.size(); ++i) {
    const ScheduleException& e = exceptions[i];
    // Bounded so day arithmetic around any date stays far from overflow.
    if (e.date.year() < 1 || e.date.year() > 9999) {
      return fail(Errc::kInvalidArgument, "date must be in years 1..9999",
                  cat("exceptions[", i, "].date"));
    }
    if (e.kind != ScheduleException::Kind::kOff && e.kind != ScheduleException::Kind::kWork) {
      return fail(Errc::kInvalidArgument, "kind must be kOff or kWork",
                  cat("exceptions[", i, "].kind"));
    }
    if (!valid_start(e.start_minute)) {
      return fail(Errc::kInvalidArgument, "start_minute must be 0..1439",
                  cat("exceptions[", i, "].start_minute"));
    }
    if (!valid_end(e.end_minute)) {
      return fail(Errc::kInvalidArgument, "end_minute must be 1..1440",
                  cat("exceptions[", i, "].end_minute"));
    }
  }
  // Sorted by date so a query finds the exceptions near it by binary search.
  std::stable_sort(
      exceptions.begin(), exceptions.end(),
      [](const ScheduleException& a, const ScheduleException& b) { return a.date < b.date; });
  s.shifts_ = std::move(shifts);
  s.exceptions_ = std::move(exceptions);
  return s;
}

bool Schedule::on_shift(absl::Time t) const {
  if (!is_finite(t)) return false;
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  WorkingTime wt(zone_, shifts_, exceptions_);
  wt.build(day, day);
  return wt.containing(t) != nullptr;
}

std::optional<absl::Time> Schedule::shift_end(absl::Time t) const {
  if (!is_finite(t)) return std::nullopt;
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  WorkingTime wt(zone_, shifts_, exceptions_);
  absl::Time window_end;
  // Usually settled within a day or two; rebuild wider only while the stretch runs on.
  for (int ahead : {2, 8, kMaxStretchDays}) {
    const absl::CivilDay last = day + ahead;
    wt.build(day, last);
    const Interval* iv = wt.containing(t);
    if (iv == nullptr) return std::nullopt;
    window_end = wt.day_start(last + 1);
    if (iv->end < window_end) return iv->end;
  }
  // Still working at the cap: report the furthest end that is known to be right.
  return window_end;
}

std::optional<absl::Time> Schedule::next_shift_start(absl::Time t, absl::Duration horizon) const {
  if (!is_finite(t)) return std::nullopt;
  const absl::Time limit = t + horizon;
  const absl::CivilDay day = absl::ToCivilDay(t, zone_);
  // Past the last exception the weekly pattern repeats unchanged, so if two weeks beyond it hold
  // no working time, none ever comes; this ends the search for an infinite horizon.
  absl::CivilDay stop = (exceptions_.empty() ? day : std::max(day, exceptions_.back().date)) + 15;
  if (limit < absl::InfiniteFuture()) stop = std::min(stop, absl::ToCivilDay(limit, zone_));
  stop = std::max(stop, day);

  WorkingTime wt(zone_, shifts_, exceptions_);
  int chunk = kFirstSearchDays;
  for (absl::CivilDay first = day; first <= stop; chunk = kSearchChunkDays) {
    const absl::CivilDay last = std::min(first + (chunk - 1), stop);
    wt.build(first, last);
    const absl::Time lower = std::max(t, wt.day_start(first));
    if (const Interval* iv = wt.first_ending_after(lower)) {
      const absl::Time start = std::max(iv->start, lower);
      if (start == t) return t;
      // A start past the exact window may be wrong (later days not built); the next pass has it.
      if (start < wt.day_start(last + 1)) {
        return start <= limit ? std::optional<absl::Time>(start) : std::nullopt;
      }
    }
    first = last + 1;
    if (shifts_.empty()) {
      // Only kWork exceptions can add time: jump to the next one. One dated `last` may cross
      // midnight into `first`, hence the search from `last`.
      const auto next = std::find_if(
          std::lower_bound(exceptions_.begin(), exceptions_.end(), last, dated_before),
          exceptions_.end(),
          [](const ScheduleException& e) { return e.kind == ScheduleException::Kind::kWork; });
      if (next == exceptions_.end()) return std::nullopt;
      first = std::max(first, next->date);
    }
  }
  return std::nullopt;
}

}  // namespace lexroute
