// One routing decision of the pure routing core (StaffDirectory::decide) against a realistic,
// deterministic roster of 1,000 / 10,000 / 100,000 staff. Figures and how to run it:
// docs/performance.md. Not a ctest test.

#include <absl/time/civil_time.h>
#include <absl/time/time.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "router/schedule.h"
#include "router/staff.h"
#include "router/staff_directory.h"
#include "router/task_requirements.h"

namespace lexroute {
namespace {

constexpr int kSkills = 20;
constexpr int kFirms = 50;
constexpr int kMatters = 500;
constexpr int kParties = 200;
constexpr size_t kTasks = 1000;
constexpr uint64_t kSeed = 20260114;

constexpr std::array<const char*, 5> kRegions = {"us", "eu", "uk", "apac", "latam"};
constexpr std::array<const char*, 8> kLanguages = {"en", "es", "fr", "de", "pt", "zh", "ja", "hi"};
constexpr std::array<const char*, 10> kJurisdictions = {
    "us-ny", "us-ca", "us-de", "us-tx", "uk-ew", "uk-sc", "de", "fr", "sg", "au-nsw"};

// Where each region's staff live; latam staff work from the American zones (no latam zone in
// the set), so their shifts line up with the US ones.
struct RegionZones {
  const char* region;
  std::vector<const char*> zones;
};
const std::array<RegionZones, 5>& region_zones() {
  static const std::array<RegionZones, 5> zones = {{
      {"us", {"America/Chicago", "America/New_York"}},
      {"eu", {"Europe/Berlin"}},
      {"uk", {"Europe/London", "Europe/Belfast"}},
      {"apac", {"Asia/Manila", "Asia/Kolkata", "Australia/Sydney"}},
      {"latam", {"America/Chicago", "America/New_York"}},
  }};
  return zones;
}

// Wednesday 2026-01-14 13:00 UTC: Europe and India mid-shift, the US morning starting, Manila's
// late day shift and night shifts, Sydney's night shifts only. About half the roster is on
// shift. No DST change nearby.
absl::Time weekday_now() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 14, 13, 0, 0), absl::UTCTimeZone());
}
// Sunday 2026-01-18 13:00 UTC: every zone is in its weekend, nobody is on shift.
absl::Time sunday_now() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 18, 13, 0, 0), absl::UTCTimeZone());
}

// Deterministic across standard libraries: mt19937_64's output is specified, and the helpers
// below do their own (slightly biased, which does not matter here) range reduction.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  int between(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(gen_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return between(0, 99) < percent; }
  template <typename T, size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[static_cast<size_t>(between(0, static_cast<int>(N) - 1))];
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(between(0, static_cast<int>(items.size()) - 1))];
  }
  // `count` distinct values in 0..n-1.
  std::vector<int> distinct(int count, int n) {
    std::vector<int> out;
    while (static_cast<int>(out.size()) < count) {
      int v = between(0, n - 1);
      bool seen = false;
      for (int o : out) seen = seen || o == v;
      if (!seen) out.push_back(v);
    }
    return out;
  }

 private:
  std::mt19937_64 gen_;
};

std::string skill_name(int i) { return "skill-" + std::to_string(i); }
std::string firm_name(int i) { return "firm-" + std::to_string(i); }
std::string matter_name(int i) { return "matter-" + std::to_string(i); }
std::string party_name(int i) { return "party-" + std::to_string(i); }

Schedule make_schedule(Rng& rng, const char* zone) {
  // Most staff work days starting 06:00..14:00 local; some work nights that cross midnight
  // (20:00..23:00 starts), more of them in the offshore zones that serve other regions' hours.
  const std::string z = zone;
  const bool offshore = z == "Asia/Manila" || z == "Asia/Kolkata" || z == "Australia/Sydney";
  const int start_hour = rng.chance(offshore ? 35 : 5) ? rng.between(20, 23) : rng.between(6, 14);
  const int start = start_hour * 60;
  const int end = (start + 8 * 60) % 1440;
  std::vector<WeeklyShift> shifts;
  for (absl::Weekday d : {absl::Weekday::monday, absl::Weekday::tuesday, absl::Weekday::wednesday,
                          absl::Weekday::thursday, absl::Weekday::friday}) {
    shifts.push_back({d, start, end == 0 ? 1440 : end});
  }
  auto s = Schedule::create(zone, std::move(shifts), {});
  if (!s) {
    std::fprintf(stderr, "Schedule::create(%s): %s\n", zone, s.error().message.c_str());
    std::abort();
  }
  return *std::move(s);
}

StaffProfile make_staff(Rng& rng, int i) {
  StaffProfile p;
  p.id = "staff-" + std::to_string(i);
  p.pool = "default";
  p.vendor = "vendor-" + std::to_string(rng.between(0, 3));
  const RegionZones& rz = rng.pick(region_zones());
  p.region = rz.region;
  p.capacity = rng.between(1, 5);
  for (int s : rng.distinct(rng.between(3, 5), kSkills)) {
    p.skills.push_back({skill_name(s), rng.between(1, 5)});
  }
  // Mostly English first; 1-3 distinct languages.
  std::vector<int> langs = rng.distinct(rng.between(1, 3), static_cast<int>(kLanguages.size()));
  if (rng.chance(80) && langs[0] != 0) {
    bool has_en = false;
    for (int l : langs) has_en = has_en || l == 0;
    if (!has_en) langs[0] = 0;
  }
  for (int l : langs) p.languages.emplace_back(kLanguages[static_cast<size_t>(l)]);
  for (int j : rng.distinct(rng.between(0, 2), static_cast<int>(kJurisdictions.size()))) {
    p.jurisdictions.emplace_back(kJurisdictions[static_cast<size_t>(j)]);
  }
  p.clearance = rng.between(0, 4);
  if (rng.chance(5)) {
    const int walls = rng.between(1, 2);
    for (int w = 0; w < walls; ++w) {
      switch (rng.between(0, 2)) {
        case 0:
          p.walls.push_back({firm_name(rng.between(0, kFirms - 1)), "", ""});
          break;
        case 1:
          p.walls.push_back({firm_name(rng.between(0, kFirms - 1)),
                             matter_name(rng.between(0, kMatters - 1)), ""});
          break;
        default:
          p.walls.push_back({"", "", party_name(rng.between(0, kParties - 1))});
          break;
      }
    }
  }
  p.schedule = make_schedule(rng, rng.pick(rz.zones));
  return p;
}

StaffState make_state(Rng& rng, int capacity) {
  StaffState s;
  const int roll = rng.between(0, 99);
  s.availability = roll < 70   ? Availability::kAvailable
                   : roll < 90 ? Availability::kOffline
                               : Availability::kOnBreak;
  s.load = rng.between(0, capacity);
  return s;
}

TaskRequirements make_task(Rng& rng) {
  TaskRequirements t;
  t.pool = "default";
  for (int s : rng.distinct(rng.between(1, 2), kSkills)) {
    t.skills.push_back({skill_name(s), rng.between(1, 3)});
  }
  if (rng.chance(30)) {
    for (int r : rng.distinct(rng.between(1, 2), static_cast<int>(kRegions.size()))) {
      t.allowed_regions.emplace_back(kRegions[static_cast<size_t>(r)]);
    }
  }
  if (rng.chance(20)) t.languages.emplace_back(rng.pick(kLanguages));
  if (rng.chance(10)) t.jurisdiction = rng.pick(kJurisdictions);
  t.confidentiality_tier = rng.between(0, 2);
  // A matter belongs to one firm.
  const int matter = rng.between(0, kMatters - 1);
  t.firm = firm_name(matter % kFirms);
  t.matter = matter_name(matter);
  const int parties = rng.between(0, 2);
  for (int p = 0; p < parties; ++p) t.parties.push_back(party_name(rng.between(0, kParties - 1)));
  t.effort_minutes = rng.between(15, 120);
  return t;
}

struct World {
  StaffDirectory directory;
  std::vector<std::pair<std::string, StaffState>> states;
  std::vector<TaskRequirements> tasks;
  std::vector<size_t> bucket;  // per task: staff holding its rarest required skill
};

// Built once per roster size, shared by both benchmarks and every repetition.
World& world(size_t staff) {
  static std::map<size_t, std::unique_ptr<World>> worlds;
  auto& slot = worlds[staff];
  if (slot) return *slot;
  slot = std::make_unique<World>();
  World& w = *slot;
  Rng rng(kSeed);
  w.states.reserve(staff);
  for (size_t i = 0; i < staff; ++i) {
    StaffProfile p = make_staff(rng, static_cast<int>(i));
    w.states.emplace_back(p.id, make_state(rng, p.capacity));
    w.directory.upsert(std::move(p));
  }
  for (const auto& [id, s] : w.states) w.directory.set_state(id, s);
  Rng task_rng(kSeed + 1);
  for (size_t i = 0; i < kTasks; ++i) w.tasks.push_back(make_task(task_rng));
  std::map<std::string, size_t> holders;
  for (const auto& [id, s] : w.states) {
    for (const auto& skill : w.directory.profile(id)->skills) ++holders[skill.skill];
  }
  for (const auto& t : w.tasks) {
    size_t rarest = staff;
    for (const auto& need : t.skills) rarest = std::min(rarest, holders[need.skill]);
    w.bucket.push_back(rarest);
  }
  return w;
}

// Brings the directory to its steady state for `now`: skill index built and every staff
// member's shift status cached (the cache holds one moment's answer, so each benchmark warms for
// its own; the first decision at a new moment refreshes every member's shift status and ready
// bits, which is not what is timed). With everyone offline for a moment, a skill-only task is
// eligible for nobody, so decide() walks the skill's whole bucket; every staff member has at
// least 3 skills. Returns how many staff each task's decision examined, sorted.
std::vector<size_t> warm(World& w, absl::Time now) {
  for (const auto& [id, s] : w.states) w.directory.set_state(id, {Availability::kOffline, 0});
  for (int s = 0; s < kSkills; ++s) {
    TaskRequirements t;
    t.pool = "default";
    t.skills = {{skill_name(s), 1}};
    benchmark::DoNotOptimize(w.directory.decide(t, now, BalanceStrategy::kLeastLoaded));
  }
  for (const auto& [id, s] : w.states) w.directory.set_state(id, s);
  // One pass over the tasks to settle the allocator and the CPU caches; it also tallies how many
  // staff each task's decision examines, for the percentiles.
  std::vector<size_t> examined;
  for (const auto& t : w.tasks) {
    examined.push_back(w.directory.decide(t, now, BalanceStrategy::kLeastLoaded).examined);
  }
  std::sort(examined.begin(), examined.end());
  return examined;
}

void run(benchmark::State& state, absl::Time now) {
  World& w = world(static_cast<size_t>(state.range(0)));
  const std::vector<size_t> examined_once = warm(w, now);

  size_t next = 0;
  int64_t found = 0;
  int64_t examined = 0;
  int64_t walked_all = 0;
  for (auto _ : state) {
    const TaskRequirements& task = w.tasks[next];
    const size_t bucket = w.bucket[next];
    if (++next == w.tasks.size()) next = 0;
    Decision d = w.directory.decide(task, now, BalanceStrategy::kLeastLoaded);
    benchmark::DoNotOptimize(d);
    found += d.ranked.empty() ? 0 : 1;
    examined += static_cast<int64_t>(d.examined);
    walked_all += d.examined == bucket ? 1 : 0;
  }
  const auto avg = benchmark::Counter::kAvgIterations;
  state.counters["found"] = benchmark::Counter(static_cast<double>(found), avg);
  state.counters["examined"] = benchmark::Counter(static_cast<double>(examined), avg);
  state.counters["walked_all"] = benchmark::Counter(static_cast<double>(walked_all), avg);
  // Per task, over one pass of all tasks (the mean above is over the timed decisions).
  auto percentile = [&](size_t p) {
    return static_cast<double>(examined_once[(examined_once.size() - 1) * p / 100]);
  };
  state.counters["examined_p50"] = percentile(50);
  state.counters["examined_p90"] = percentile(90);
  state.SetItemsProcessed(state.iterations());
}

// The usual case: a weekday afternoon (UTC), about half the roster on shift.
void BM_Decide(benchmark::State& state) { run(state, weekday_now()); }
// The worst case: nobody is on shift, so every decision walks the whole bucket of its rarest
// required skill to say why and until when.
void BM_DecideNobodyOnShift(benchmark::State& state) { run(state, sunday_now()); }

BENCHMARK(BM_Decide)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_DecideNobodyOnShift)->Arg(1000)->Arg(10000)->Arg(100000);

}  // namespace
}  // namespace lexroute

BENCHMARK_MAIN();
