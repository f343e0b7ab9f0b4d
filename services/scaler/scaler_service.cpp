#include "services/scaler/scaler_service.h"

#include <google/protobuf/util/time_util.h>

#include "router/roster.h"
#include "router/text.h"
#include "services/common/log.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;

// A decision that changes nothing is recorded again only after this long.
constexpr absl::Duration kRecordUnchangedEvery = absl::Minutes(10);
// Someone called in (always in their working hours) who has not signed in after this long no
// longer counts as supply, so the next round calls in someone else; after the second, they are
// released as a no-show.
constexpr absl::Duration kNoShowUncounted = absl::Minutes(15);
constexpr absl::Duration kNoShowReleased = absl::Minutes(60);

std::optional<absl::Time> time_of(const google::protobuf::Timestamp& t, bool set) {
  if (!set) return std::nullopt;
  return absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(t));
}

google::protobuf::Timestamp timestamp(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

}  // namespace

void ScalerService::start() {
  task_ = std::make_unique<PeriodicTask>(options_.interval, [this] {
    if (auto r = step(); !r) LOG_WARN("scaler", "round skipped: ", r.error().message);
  });
  task_->start();
  LOG_INFO("scaler", "started as ", options_.holder, ", every ", options_.interval.count(), " ms");
}

void ScalerService::stop() {
  if (task_) task_->stop();
}

Result<size_t> ScalerService::step() {
  // Three rounds of silence and another replica takes over.
  auto held = pools_.hold_lease(options_.holder, 3 * options_.interval);
  if (!held) return std::unexpected(held.error());
  if (!*held) return 0;
  auto names = staff_.pools();
  if (!names) return std::unexpected(names.error());
  size_t planned = 0;
  for (const auto& pool : *names) {
    auto scaling = pools_.scaling(pool);
    if (!scaling) return std::unexpected(scaling.error());
    if (!*scaling) continue;
    if (auto s = scale(pool, **scaling); !s) return std::unexpected(s.error());
    ++planned;
  }
  return planned;
}

int ScalerService::completed_last_hour(const std::string& pool, int64_t total) {
  absl::Time now = absl::FromChrono(clock_.now());
  auto& samples = completions_[pool];
  samples.emplace_back(now, total);
  while (samples.size() > 1 && samples[1].first <= now - absl::Hours(1)) samples.pop_front();
  return static_cast<int>(total - samples.front().second);
}

Result<void> ScalerService::scale(const std::string& pool, const v1::PoolScaling& scaling) {
  absl::Time now = absl::FromChrono(clock_.now());
  auto roster = staff_.roster(pool);
  if (!roster) return std::unexpected(roster.error());
  auto bench = pools_.bench(pool);
  if (!bench) return std::unexpected(bench.error());
  auto backlog = pools_.backlog(pool);
  if (!backlog) return std::unexpected(backlog.error());
  auto last_call_in = pools_.last_call_in(pool);
  if (!last_call_in) return std::unexpected(last_call_in.error());
  auto completed = pools_.completed(pool);
  if (!completed) return std::unexpected(completed.error());
  auto unanswered = pools_.unanswered_call_ins(pool);
  if (!unanswered) return std::unexpected(unanswered.error());

  ScalingInput in;
  in.now = now;
  in.backlog = std::move(*backlog);
  in.min_active = scaling.min_active();
  in.max_active = scaling.max_active();
  in.surge_start = time_of(scaling.surge_start(), scaling.has_surge_start());
  in.surge_end = time_of(scaling.surge_end(), scaling.has_surge_end());
  in.last_call_in = *last_call_in;
  std::map<std::string, std::string> vendor_of;
  std::vector<std::string> no_shows;
  for (const auto& s : *roster) {
    auto profile = profile_from(s);
    if (!profile) continue;  // admin validated it; routers skip it loudly too
    vendor_of[s.id()] = s.vendor();
    auto state = bench->find(s.id());
    ScalingWorker w{s.id(), profile->schedule, false};
    if (state == bench->end()) {
      in.active.push_back(std::move(w));
    } else if (state->second == "CALLED_IN") {
      auto asked = unanswered->find(s.id());
      if (asked != unanswered->end() && now - asked->second >= kNoShowReleased) {
        no_shows.push_back(s.id());
      } else if (asked == unanswered->end() || now - asked->second < kNoShowUncounted) {
        w.called_in = true;
        in.active.push_back(std::move(w));
      }
    } else {
      in.bench.push_back(std::move(w));
    }
  }

  ScalingPlan plan = plan_scaling(in);
  v1::ScalingDecision d;
  *d.mutable_at() = timestamp(now);
  d.set_backlog_tasks(static_cast<int32_t>(in.backlog.size()));
  d.set_backlog_effort_minutes(plan.backlog_minutes);
  if (plan.earliest_deadline) *d.mutable_earliest_deadline() = timestamp(*plan.earliest_deadline);
  d.set_active(plan.active);
  d.set_desired(plan.desired);
  d.set_bench_on_shift(plan.bench_on_shift);
  d.set_reason(plan.reason);
  d.set_completed_last_hour(completed_last_hour(pool, *completed));

  for (const auto& id : plan.call_in) {
    auto done = pools_.call_in(pool, id, vendor_of[id], plan.reason);
    if (!done) return std::unexpected(done.error());
    if (*done) d.add_called_in(id);
  }
  for (const auto& id : plan.release) {
    auto done = pools_.release(pool, id, vendor_of[id], plan.reason);
    if (!done) return std::unexpected(done.error());
    if (*done) d.add_released(id);
  }
  for (const auto& id : no_shows) {
    auto done = pools_.release(pool, id, vendor_of[id],
                               "did not sign in within 60 minutes of being called in");
    if (!done) return std::unexpected(done.error());
    if (*done) d.add_released(id);
  }

  auto& last = last_recorded_[pool];
  bool changed = d.called_in_size() > 0 || d.released_size() > 0 || d.desired() != last.desired() ||
                 !last.has_at() || now - time_of(last.at(), true).value() >= kRecordUnchangedEvery;
  if (!changed) return {};
  if (auto r = pools_.record(pool, d); !r) return r;
  last = d;
  if (d.called_in_size() + d.released_size() > 0 || plan.deadline_at_risk) {
    LOG_INFO("scaler", "pool=", pool, " backlog ", d.backlog_tasks(), " tasks / ",
             d.backlog_effort_minutes(), " min, active ", d.active(), ", desired ", d.desired(),
             ", called in ", d.called_in_size(), ", released ", d.released_size(), ": ",
             d.reason());
  }
  return {};
}

}  // namespace lexroute
