#include "services/router/router_service.h"

#include <absl/strings/str_format.h>
#include <absl/time/clock.h>

#include <algorithm>

#include "router/roster.h"
#include "router/text.h"
#include "services/common/log.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr size_t kCandidatesPerTask = 8;
constexpr size_t kWaitingPerPass = 200;
constexpr auto kRosterCheckEvery = 250ms;
constexpr auto kWaitingPassEvery = 500ms;
// A safety net under the change notifications, not the main way states arrive.
constexpr auto kFullStateRefreshEvery = 10s;

std::string offset_field(const std::string& topic, int32_t partition) {
  return cat(topic, "/", partition);
}

BalanceStrategy parse_strategy(const std::string& name) {
  if (name == "longest-idle") return BalanceStrategy::kLongestIdle;
  if (name == "round-robin") return BalanceStrategy::kRoundRobin;
  return BalanceStrategy::kLeastLoaded;
}

google::protobuf::Timestamp to_timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

std::string format_utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// The decision as ExplainTask shows it, before the outcome is known.
v1::RoutingDecision to_record(const Decision& d, absl::Time now) {
  v1::RoutingDecision r;
  *r.mutable_at() = to_timestamp(now);
  r.set_staff_considered(static_cast<int32_t>(d.pool_staff));
  r.set_staff_examined(static_cast<int32_t>(d.examined));
  for (size_t c = 0; c < kConstraintCount; ++c) {
    if (d.removed[c] == 0) continue;
    auto* count = r.add_removed_by();
    count->set_constraint(constraint_name(static_cast<Constraint>(c)));
    count->set_removed(static_cast<int32_t>(d.removed[c]));
  }
  for (const auto& p : d.ranked) {
    auto* c = r.add_top_candidates();
    c->set_staff_id(p.staff_id);
    c->set_score(p.score);
    c->set_affinity(p.affinity);
    c->set_fit(p.fit);
    c->set_shift_fit(p.shift_fit);
    c->set_balance(p.balance);
  }
  return r;
}

}  // namespace

Result<void> RouterService::start() {
  auto consumer =
      Consumer::create({options_.brokers, options_.group_id, std::string(topics::kTasks),
                        [this](const std::string& topic, int32_t partition) {
                          return start_offset(topic, partition);
                        },
                        options_.extra});
  if (!consumer) return std::unexpected(consumer.error());
  consumer_ = std::move(*consumer);
  thread_ = std::thread([this] { run(); });
  LOG_INFO("router", "joined consumer group ", options_.group_id, " on ", topics::kTasks);
  return {};
}

void RouterService::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->close();
  LOG_INFO("router", "stopped after routing ", routed_.load(), " tasks");
}

std::optional<int64_t> RouterService::start_offset(const std::string& topic, int32_t partition) {
  auto pools = staff_.pools();
  if (!pools) {
    LOG_WARN("router", "cannot read stored offsets: ", pools.error().message);
    return std::nullopt;
  }
  std::optional<int64_t> lowest;
  for (const auto& name : *pools) {
    auto offsets = tasks_.stored_offsets(name);
    if (!offsets) continue;
    auto it = offsets->find(offset_field(topic, partition));
    if (it != offsets->end()) lowest = std::min(lowest.value_or(it->second), it->second);
  }
  return lowest;
}

RouterService::PoolView& RouterService::pool(const std::string& name) {
  auto [it, inserted] = pools_.try_emplace(name);
  if (inserted) {
    // Offsets of every listed pool are read back at assignment; make sure this one is listed.
    if (auto listed = staff_.register_pool(name); !listed) {
      LOG_WARN("router", "pool=", name, " not listed: ", listed.error().message);
    }
  }
  return it->second;
}

Result<void> RouterService::refresh_roster(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_roster_check_ < kRosterCheckEvery) return {};
  last_roster_check_ = now;
  auto names = staff_.pools();
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) {
    PoolView& view = pool(name);
    auto version = staff_.roster_version(name);
    if (!version) return std::unexpected(version.error());
    if (*version == view.roster_version) continue;
    auto roster = staff_.roster(name);
    if (!roster) return std::unexpected(roster.error());
    auto settings = staff_.settings(name);
    if (!settings) return std::unexpected(settings.error());
    StaffDirectory fresh;
    for (const auto& s : *roster) {
      auto profile = profile_from(s);
      if (!profile) {
        // Admin validated it on the way in; a record that no longer parses is skipped, loudly.
        LOG_ERROR("router", "pool=", name, " staff=", s.id(),
                  " unusable: ", profile.error().message);
        continue;
      }
      fresh.upsert(std::move(*profile));
    }
    view.directory = std::move(fresh);
    view.roster_version = *version;
    view.strategy = parse_strategy(settings->strategy);
    view.settings = *settings;
    view.needs_full_refresh = true;  // the fresh directory knows no states yet
    LOG_INFO("router", "pool=", name, " roster v", *version, ": ", view.directory.size(), " staff");
  }
  return {};
}

Result<void> RouterService::refresh_states(bool force_full) {
  absl::Time now = absl::FromChrono(clock_.now());
  auto steady_now = std::chrono::steady_clock::now();
  for (auto& [name, view] : pools_) {
    bool complete = false;
    auto messages = notifier_.take_wake_messages(keys::wake_channel(name), &complete);
    bool full = force_full || !complete || view.needs_full_refresh ||
                steady_now - view.last_full_refresh >= kFullStateRefreshEvery;
    if (full) {
      auto states = staff_.states(name);
      if (!states) return std::unexpected(states.error());
      for (const auto& [id, state] : *states) view.directory.set_state(id, state, now);
      view.needs_full_refresh = false;
      view.last_full_refresh = steady_now;
      continue;
    }
    std::vector<std::string> changed;
    for (const auto& m : messages) {
      auto space = m.find(' ');
      if (space != std::string::npos) changed.push_back(m.substr(space + 1));
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    auto states = staff_.states(name, changed);
    if (!states) {
      view.needs_full_refresh = true;  // these changes are not applied: catch up in full
      return std::unexpected(states.error());
    }
    for (const auto& [id, state] : *states) view.directory.set_state(id, state, now);
  }
  return {};
}

Result<void> RouterService::route_one(const v1::TaskSubmitted& task, bool from_waiting,
                                      const std::string& field, int64_t next_offset) {
  TaskRequirements req = requirements_from(task);
  if (from_waiting) {
    auto excluded = tasks_.excluded_staff(task.task_id());
    if (!excluded) return std::unexpected(excluded.error());
    req.excluded_staff = std::move(*excluded);
  }
  absl::Time now = absl::FromChrono(clock_.now());
  PoolView* view = &pool(req.pool);
  auto deciding = std::chrono::steady_clock::now();
  Decision d = view->directory.decide(req, now, view->strategy);
  if (options_.metrics) {
    options_.metrics->decision_time(req.pool, std::chrono::steady_clock::now() - deciding);
  }
  if (d.qualified == 0) {
    // The roster may have changed since the last look; be sure before calling it unroutable.
    if (auto fresh = refresh_roster(true); !fresh) return fresh;
    if (auto states = refresh_states(true); !states) return states;
    view = &pool(req.pool);
    d = view->directory.decide(req, now, view->strategy);
  }
  v1::RoutingDecision record = to_record(d, now);
  int timeout_s = task.spec().offer_timeout_seconds() > 0 ? task.spec().offer_timeout_seconds()
                                                          : view->settings.offer_timeout_seconds;
  int attempts = 0;
  if (from_waiting) {
    auto tried = tasks_.attempts(task.task_id());
    if (!tried) return std::unexpected(tried.error());
    attempts = *tried;
  }
  if (attempts >= view->settings.max_offer_attempts) {
    // Escalation has run its course (docs/routing.md): hard constraints are never relaxed.
    d.ranked.clear();
    d.qualified = 0;
    d.blocking.reset();
  }

  TaskStore::RouteAttempt attempt;
  attempt.task = &task;
  attempt.offset_field = field;
  attempt.next_offset = next_offset;
  if (!field.empty()) {
    auto& stored = stored_by_us_[req.pool];
    if (auto it = stored.find(field); it != stored.end()) attempt.last_stored_offset = it->second;
  }
  // After a write that stored the offset: remember it, to notice if Redis forgets it.
  auto note_stored = [&] {
    if (field.empty()) return;
    int64_t& mine = stored_by_us_[req.pool][field];
    mine = std::max(mine, next_offset);
  };
  for (const auto& candidate : d.ranked) {
    attempt.staff_id = candidate.staff_id;
    attempt.offer_expires_ms = absl::ToUnixMillis(now + absl::Seconds(timeout_s));
    record.set_chosen_staff_id(candidate.staff_id);
    record.set_outcome("OFFERED");
    record.set_reason(cat("highest score ", absl::StrFormat("%.2f", candidate.score), " among ",
                          d.eligible, " eligible staff"));
    attempt.decision = record.SerializeAsString();
    auto outcome = tasks_.route(attempt);
    if (!outcome) return std::unexpected(outcome.error());
    if (*outcome == TaskStore::RouteOutcome::kRewound) {
      rewind_needed_ = true;
      return {};
    }
    if (*outcome != TaskStore::RouteOutcome::kStale) note_stored();
    const StaffState* known = view->directory.state(candidate.staff_id);
    StaffState state = known ? *known : StaffState{};
    if (*outcome == TaskStore::RouteOutcome::kOffered) {
      ++state.load;
      view->directory.set_state(candidate.staff_id, state, now);
      view->directory.note_offer(candidate.staff_id, req, now);
      ++routed_;
      if (options_.metrics) options_.metrics->decided(task, "offered");
      LOG_DEBUG("router", "task=", task.task_id(), " offered to staff=", candidate.staff_id);
      return {};
    }
    if (*outcome == TaskStore::RouteOutcome::kSkipped) return {};
    // Our view was stale: Redis says this person has no room. Skip them until the next refresh.
    if (options_.metrics) options_.metrics->reservation_lost(req.pool);
    const StaffProfile* profile = view->directory.profile(candidate.staff_id);
    state.load = profile ? profile->capacity : state.load + 1;
    view->directory.set_state(candidate.staff_id, state, now);
  }
  record.clear_chosen_staff_id();
  if (from_waiting && d.qualified > 0) return {};  // still waiting; nothing new to write

  attempt.staff_id.clear();
  std::string unroutable_because;  // a constraint name: a bounded metric label
  if (d.qualified == 0) {
    attempt.unroutable = true;
    if (attempts >= view->settings.max_offer_attempts) {
      attempt.reason = cat("offered ", attempts, " times; every offer was declined or timed out");
      unroutable_because = "max_offer_attempts";
    } else {
      Constraint blocking = d.blocking.value_or(Constraint::kSkills);
      unroutable_because = constraint_name(blocking);
      attempt.reason = cat(describe_requirement(blocking, req), ": 0 of ", d.pool_staff,
                           " staff in pool ", req.pool, " eligible");
    }
    record.set_outcome("UNROUTABLE");
  } else {
    record.set_outcome("WAITING");
    absl::Duration effort = absl::Minutes(req.effort_minutes);
    if (d.expected_start && *d.expected_start > now) {
      *record.mutable_expected_start() = to_timestamp(*d.expected_start);
      attempt.reason = cat("no qualified staff on shift; the earliest shift starts ",
                           format_utc(*d.expected_start));
      record.set_sla_at_risk(*d.expected_start + effort > req.deadline);
    } else if (d.expected_start) {
      attempt.reason = cat("all ", d.qualified, " qualified staff in pool ", req.pool,
                           " are busy or not signed in");
      record.set_sla_at_risk(now + effort > req.deadline);
    } else {
      attempt.reason = "no qualified staff has a shift in the next 14 days";
      record.set_sla_at_risk(true);
    }
    if (record.sla_at_risk()) {
      attempt.reason += cat("; SLA at risk: deadline ", format_utc(req.deadline));
      LOG_WARN("router", "task=", task.task_id(), " SLA at risk: ", attempt.reason);
    }
  }
  record.set_reason(attempt.reason);
  attempt.decision = record.SerializeAsString();
  auto outcome = tasks_.route(attempt);
  if (!outcome) return std::unexpected(outcome.error());
  if (*outcome == TaskStore::RouteOutcome::kRewound) {
    rewind_needed_ = true;
    return {};
  }
  note_stored();
  if (*outcome == TaskStore::RouteOutcome::kUnroutable) {
    ++routed_;
    if (options_.metrics) {
      options_.metrics->decided(task, "unroutable");
      options_.metrics->unroutable(task, unroutable_because);
    }
    LOG_INFO("router", "task=", task.task_id(), " unroutable: ", attempt.reason);
  } else if (*outcome == TaskStore::RouteOutcome::kWaiting) {
    ++routed_;
    if (options_.metrics) options_.metrics->decided(task, "waiting");
    LOG_DEBUG("router", "task=", task.task_id(), " waiting: ", attempt.reason);
  }
  return {};
}

Result<void> RouterService::sweep() {
  for (const auto& [name, view] : pools_) {
    auto expired = tasks_.expire_due_offers(name, kWaitingPerPass);
    if (!expired) return std::unexpected(expired.error());
    if (*expired > 0) LOG_INFO("router", "pool=", name, " ", *expired, " offers timed out");
    auto overdue = tasks_.pass_deadlines(name, kWaitingPerPass);
    if (!overdue) return std::unexpected(overdue.error());
    if (*overdue > 0)
      LOG_WARN("router", "pool=", name, " ", *overdue, " tasks passed their deadline");
    auto presence = presence_.sweep(name, view.settings, kWaitingPerPass);
    if (!presence) return std::unexpected(presence.error());
    if (presence->went_offline + presence->accepted_moved > 0) {
      LOG_INFO("router", "pool=", name, " ", presence->went_offline,
               " staff went offline without a heartbeat; ", presence->offers_moved, " offers and ",
               presence->accepted_moved, " accepted tasks moved on");
    }
  }
  return {};
}

Result<void> RouterService::check_stored_offsets() {
  for (const auto& [name, mine] : stored_by_us_) {
    auto stored = tasks_.stored_offsets(name);
    if (!stored) return std::unexpected(stored.error());
    for (const auto& [field, offset] : mine) {
      auto it = stored->find(field);
      if (it == stored->end() || it->second < offset) {
        rewind_needed_ = true;
        return {};
      }
    }
  }
  return {};
}

void RouterService::rewind() {
  LOG_WARN("router",
           "Redis holds older offsets than this router stored: it lost writes (a "
           "restart?); routing again from what it still has");
  rewind_needed_ = false;
  pending_.clear();
  stored_by_us_.clear();
  for (auto& [name, view] : pools_) {
    view.roster_version = -1;  // the roster and settings may have gone back too
    view.needs_full_refresh = true;
  }
  consumer_->rewind();
  ++rewinds_;
  if (options_.metrics) options_.metrics->rewound();
}

Result<void> RouterService::route_waiting() {
  for (auto& [name, view] : pools_) {
    if (!view.directory.anyone_has_room()) continue;
    auto ids = tasks_.waiting(name, kWaitingPerPass);
    if (!ids) return std::unexpected(ids.error());
    for (const auto& id : *ids) {
      if (!pools_[name].directory.anyone_has_room()) break;
      auto task = tasks_.submitted(id);
      if (!task) {
        if (task.error().code == Errc::kNotFound) continue;
        return std::unexpected(task.error());
      }
      auto routed = route_one(*task, true, "", 0);
      if (!routed) return routed;
    }
  }
  return {};
}

void RouterService::report_lag() {
  auto now = std::chrono::steady_clock::now();
  if (options_.metrics == nullptr || now - last_lag_report_ < 1s) return;
  last_lag_report_ = now;
  std::map<int32_t, int64_t> lag = consumer_->lag();
  for (const auto& r : pending_) ++lag[r.partition];
  options_.metrics->consumer_lag(std::string(topics::kTasks), lag);
  options_.metrics->data_loss(std::string(topics::kTasks), consumer_->data_loss_events());
}

void RouterService::run() {
  while (!stopping_.load()) {
    if (pending_.empty()) {
      for (auto& r : consumer_->poll(options_.batch, 20ms)) pending_.push_back(std::move(r));
    }
    report_lag();
    // Redis trouble anywhere below: keep what is pending, wait a little, and try again.
    auto retry_later = [&](const Error& e) {
      LOG_WARN("router", "redis: ", e.message, "; retrying");
      std::this_thread::sleep_for(200ms);
    };

    bool woken = false;
    for (const auto& [name, view] : pools_) {
      uint64_t g = notifier_.generation(keys::wake_channel(name));
      if (wake_seen_[name] != g) {
        wake_seen_[name] = g;
        woken = true;
      }
    }
    auto now = std::chrono::steady_clock::now();
    bool waiting_due = woken || now - last_waiting_pass_ >= kWaitingPassEvery;
    if (pending_.empty() && !waiting_due) continue;

    if (auto r = refresh_roster(false); !r) {
      retry_later(r.error());
      continue;
    }
    if (auto s = refresh_states(); !s) {
      retry_later(s.error());
      continue;
    }
    if (waiting_due) {
      last_waiting_pass_ = now;
      if (auto c = check_stored_offsets(); !c) {
        retry_later(c.error());
        continue;
      }
      if (rewind_needed_) {
        rewind();
        continue;
      }
      if (auto e = sweep(); !e) {
        retry_later(e.error());
        continue;
      }
      if (auto w = route_waiting(); !w) {
        retry_later(w.error());
        continue;
      }
    }

    std::map<int32_t, int64_t> done;
    while (!pending_.empty() && !stopping_.load()) {
      const ConsumedRecord& record = pending_.front();
      v1::TaskSubmitted task;
      if (!task.ParseFromString(record.value) || task.task_id().empty()) {
        LOG_ERROR("router", "unreadable record at ", record.topic, "/", record.partition, "@",
                  record.offset, "; skipped");
      } else {
        auto routed =
            route_one(task, false, offset_field(record.topic, record.partition), record.offset + 1);
        if (!routed) {
          retry_later(routed.error());
          break;
        }
        if (rewind_needed_) break;  // this record is routed again after the rewind
      }
      done[record.partition] = record.offset + 1;
      ++consumed_;
      pending_.pop_front();
    }
    consumer_->commit(done);
    if (rewind_needed_) rewind();
  }
}

}  // namespace lexroute
