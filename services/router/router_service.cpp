#include "services/router/router_service.h"

#include <absl/strings/str_format.h>
#include <absl/time/clock.h>

#include "router/parking.h"
#include "router/roster.h"
#include "router/text.h"
#include "services/common/log.h"
#include "services/kafka/topics.h"
#include "services/redis/keys.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

// Consumed records routed per Redis round trip: one per task leaves the router waiting on Redis,
// and bigger batches hold Redis longer (docs/performance.md, "Measured choices").
constexpr size_t kRouteBatch = 256;
constexpr size_t kWaitingPerPass = 200;
constexpr auto kWaitingPassEvery = 500ms;

google::protobuf::Timestamp to_timestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
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
  auto consumer = open_feed_([this](const std::string& topic, int32_t partition) {
    return ledger_.start(topic, partition);
  });
  if (!consumer) return std::unexpected(consumer.error());
  consumer_ = std::move(*consumer);
  std::string cluster = options_.kafka_cluster_id;
  if (cluster.empty()) {
    auto id = consumer_->cluster_id();
    if (!id) return std::unexpected(id.error());
    cluster = *id;
  }
  ledger_.set_cluster(std::move(cluster));
  thread_ = std::thread([this] { run(); });
  LOG_INFO("router", "joined consumer group ", options_.group_id, " on ", topics::kTasks,
           " of Kafka cluster ", ledger_.cluster());
  return {};
}

int64_t RouterService::drain(std::chrono::milliseconds timeout) {
  draining_ = true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t unrouted = -1;
  while (std::chrono::steady_clock::now() < deadline && thread_.joinable()) {
    unrouted = unrouted_.load();
    if (unrouted == 0) break;
    std::this_thread::sleep_for(20ms);
  }
  return unrouted;
}

void RouterService::stop() {
  if (stopping_.exchange(true)) return;
  if (thread_.joinable()) thread_.join();
  if (consumer_) consumer_->close();
  LOG_INFO("router", "stopped after routing ", routed_.load(), " tasks");
}

Result<RouterService::Routing> RouterService::decide(const v1::TaskSubmitted& task,
                                                     const RoutingRecords::WaitingTask* waiting) {
  Routing r;
  r.task = &task;
  r.from_waiting = waiting != nullptr;
  r.req = requirements_from(task);
  if (waiting) {
    r.req.excluded_staff = waiting->excluded_staff;
    r.attempts = waiting->attempts;
  }
  r.now = absl::FromChrono(clock_.now());
  PoolViews::View* view = &views_.open(r.req.pool);
  auto deciding = std::chrono::steady_clock::now();
  r.decision = view->directory.decide(r.req, r.now, view->settings.strategy);
  if (options_.metrics) {
    options_.metrics->decision_time(r.req.pool, std::chrono::steady_clock::now() - deciding);
  }
  if (r.decision.qualified == 0 && last_forced_refresh_ < batch_started_) {
    // The roster may have changed since the last look; be sure before calling it unroutable.
    // Once per batch is enough: every task in it was consumed before the batch started.
    last_forced_refresh_ = std::chrono::steady_clock::now();
    if (auto fresh = views_.refresh_roster(true); !fresh) return std::unexpected(fresh.error());
    if (auto states = views_.refresh_states(true); !states) return std::unexpected(states.error());
    r.decision = view->directory.decide(r.req, r.now, view->settings.strategy);
  }
  r.record = to_record(r.decision, r.now);
  r.timeout_s = task.spec().offer_timeout_seconds() > 0 ? task.spec().offer_timeout_seconds()
                                                        : view->settings.offer_timeout_seconds;
  if (offers_exhausted(r.attempts, view->settings.max_offer_attempts)) {
    // Escalation has run its course (docs/routing.md): hard constraints are never relaxed.
    r.decision.ranked.clear();
    r.decision.qualified = 0;
    r.decision.blocking.reset();
  }
  r.attempt.task = &task;
  return r;
}

bool RouterService::next_attempt(Routing& r) {
  PoolViews::View& view = views_.at(r.req.pool);
  const Decision& d = r.decision;
  if (r.next_candidate < d.ranked.size()) {
    const auto& candidate = d.ranked[r.next_candidate++];
    r.attempt.staff_id = candidate.staff_id;
    r.attempt.offer_expires_ms = absl::ToUnixMillis(r.now + absl::Seconds(r.timeout_s));
    r.record.set_chosen_staff_id(candidate.staff_id);
    r.record.set_outcome("OFFERED");
    r.record.set_reason(cat("highest score ", absl::StrFormat("%.2f", candidate.score), " among ",
                            d.eligible, " eligible staff"));
    r.attempt.decision = r.record.SerializeAsString();
    view.directory.reserve(candidate.staff_id, r.now);
    return true;
  }
  r.record.clear_chosen_staff_id();
  if (r.from_waiting && d.qualified > 0) return false;  // still waiting; nothing new to write

  r.parked = true;
  r.attempt.staff_id.clear();
  Parking parking = park({d, r.req, r.now, r.attempts, view.settings.max_offer_attempts});
  r.attempt.unroutable = parking.status == Parking::Status::kUnroutable;
  r.attempt.reason = parking.reason;
  r.unroutable_because = parking.because;
  r.record.set_outcome(r.attempt.unroutable ? "UNROUTABLE" : "WAITING");
  if (parking.expected_start)
    *r.record.mutable_expected_start() = to_timestamp(*parking.expected_start);
  r.record.set_sla_at_risk(parking.sla_at_risk);
  if (parking.sla_at_risk) {
    LOG_WARN("router", "task=", r.task->task_id(), " SLA at risk: ", r.attempt.reason);
  }
  r.record.set_reason(r.attempt.reason);
  r.attempt.decision = r.record.SerializeAsString();
  return true;
}

void RouterService::uncount(Routing& r) {
  if (r.parked) return;
  views_.at(r.req.pool).directory.release(r.attempt.staff_id, r.now);
}

bool RouterService::settle(Routing& r, RoutingRecords::RouteOutcome outcome) {
  using RouteOutcome = RoutingRecords::RouteOutcome;
  const v1::TaskSubmitted& task = *r.task;
  if (outcome == RouteOutcome::kRewound) {
    uncount(r);
    rewind_needed_ = true;
    return true;
  }
  if (!r.attempt.offset_field.empty()) {
    // Remember what this write stored, to notice if Redis forgets it.
    ledger_.stored(r.req.pool, r.attempt.offset_field, r.attempt.next_offset);
  }
  if (outcome == RouteOutcome::kSkipped) {  // routed before (a replay): nothing was written
    uncount(r);
    return true;
  }
  if (!r.parked) {
    PoolViews::View& view = views_.at(r.req.pool);
    const std::string& staff = r.attempt.staff_id;
    if (outcome == RouteOutcome::kOffered) {
      view.directory.note_offer(staff, r.req, r.now);
      ++routed_;
      if (options_.metrics) options_.metrics->decided(task, "offered");
      LOG_DEBUG("router", "task=", task.task_id(), " offered to staff=", staff);
      return true;
    }
    // Our view was stale: Redis says this person has no room.
    if (options_.metrics) options_.metrics->reservation_lost(r.req.pool);
    view.directory.mark_full(staff, r.now);
    return false;
  }
  if (outcome == RouteOutcome::kUnroutable) {
    ++routed_;
    if (options_.metrics) {
      options_.metrics->decided(task, "unroutable");
      options_.metrics->unroutable(task, r.unroutable_because);
    }
    LOG_INFO("router", "task=", task.task_id(), " unroutable: ", r.attempt.reason);
  } else if (outcome == RouteOutcome::kWaiting) {
    ++routed_;
    if (options_.metrics) options_.metrics->decided(task, "waiting");
    LOG_DEBUG("router", "task=", task.task_id(), " waiting: ", r.attempt.reason);
  }
  return true;
}

Result<void> RouterService::route_rest(Routing& r) {
  while (next_attempt(r)) {
    auto outcome = tasks_.route(r.attempt);
    if (!outcome) {
      uncount(r);
      return std::unexpected(outcome.error());
    }
    if (settle(r, *outcome)) return {};
  }
  return {};
}

Result<void> RouterService::route_all(std::vector<Routing>& routings) {
  std::vector<const RoutingRecords::RouteAttempt*> attempts;
  attempts.reserve(routings.size());
  for (auto& r : routings) attempts.push_back(&r.attempt);
  auto outcomes = tasks_.route_each(attempts);
  if (!outcomes) {
    for (auto& r : routings) uncount(r);
    return std::unexpected(outcomes.error());
  }
  // Every outcome is taken before any retry: a retry that fails must not leave the offers made
  // after it uncounted.
  std::vector<Routing*> refused;
  for (size_t k = 0; k < routings.size(); ++k) {
    if (!settle(routings[k], (*outcomes)[k])) refused.push_back(&routings[k]);
  }
  for (Routing* r : refused) {
    if (auto rest = route_rest(*r); !rest) return rest;
  }
  return {};
}

Result<void> RouterService::route_batch(const std::vector<const ConsumedRecord*>& records) {
  batch_started_ = std::chrono::steady_clock::now();
  std::vector<v1::TaskSubmitted> tasks(records.size());
  std::vector<Routing> routings;
  routings.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const ConsumedRecord& record = *records[i];
    if (!tasks[i].ParseFromString(record.value) || tasks[i].task_id().empty()) {
      LOG_ERROR("router", "unreadable record at ", record.topic, "/", record.partition, "@",
                record.offset, "; skipped");
      continue;
    }
    auto r = decide(tasks[i], nullptr);
    if (!r) {
      for (auto& planned : routings) uncount(planned);
      return std::unexpected(r.error());
    }
    // Each write stores its record's offset: every outcome of route_task leaves the task
    // somewhere durable, so the batch's writes may go in one pipeline.
    RoutingRecords::RouteAttempt& a = r->attempt;
    a.offset_field = ledger_.field(record.topic, record.partition);
    a.next_offset = record.offset + 1;
    a.last_stored_offset = ledger_.last_stored(r->req.pool, a.offset_field);
    if (next_attempt(*r)) routings.push_back(std::move(*r));
  }
  return route_all(routings);
}

void RouterService::rewind() {
  LOG_WARN("router",
           "Redis holds older offsets than this router stored: it lost writes (a "
           "restart?); routing again from what it still has");
  rewind_needed_ = false;
  pending_.clear();
  ledger_.forget_what_we_stored();
  views_.read_everything_again();
  consumer_->rewind();
  ++rewinds_;
  if (options_.metrics) options_.metrics->rewound();
}

Result<void> RouterService::route_waiting() {
  batch_started_ = std::chrono::steady_clock::now();
  for (const auto& [name, view] : views_.all()) {
    if (!view.directory.anyone_has_room()) continue;
    auto ids = tasks_.waiting(name, kWaitingPerPass);
    if (!ids) return std::unexpected(ids.error());
    auto waiting = tasks_.waiting_tasks(name, *ids);
    if (!waiting) return std::unexpected(waiting.error());
    std::vector<Routing> routings;
    for (const auto& w : *waiting) {
      if (!views_.pool(name)->directory.anyone_has_room()) break;
      auto r = decide(w.task, &w);
      if (!r) {
        for (auto& planned : routings) uncount(planned);
        return std::unexpected(r.error());
      }
      if (next_attempt(*r)) routings.push_back(std::move(*r));
    }
    if (auto routed = route_all(routings); !routed) return routed;
  }
  return {};
}

void RouterService::report_lag() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_lag_report_ < 1s) return;
  last_lag_report_ = now;
  std::map<int32_t, int64_t> lag = consumer_->lag();
  partitions_held_ = lag.size();
  if (options_.metrics == nullptr) return;
  for (const auto& r : pending_) ++lag[r.partition];
  options_.metrics->consumer_lag(std::string(topics::kTasks), lag);
  options_.metrics->data_loss(std::string(topics::kTasks), consumer_->data_loss_events());
}

void RouterService::run() {
  while (!stopping_.load()) {
    if (draining_.load()) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_unrouted_check_ >= 50ms) {
        last_unrouted_check_ = now;
        auto unread = consumer_->unread();
        unrouted_ = unread ? *unread + static_cast<int64_t>(pending_.size()) : -1;
      }
    }
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
    for (const auto& [name, view] : views_.all()) {
      uint64_t g = signals_.generation(keys::wake_channel(name));
      if (wake_seen_[name] != g) {
        wake_seen_[name] = g;
        woken = true;
      }
    }
    auto now = std::chrono::steady_clock::now();
    // The clock's work (timeouts, deadlines, presence, a lost-writes check) every half second;
    // waiting work also as soon as someone may have room. Each is a few round trips per pool,
    // too many to spend on every wake at thousands of tasks a second.
    bool clock_due = now - last_waiting_pass_ >= kWaitingPassEvery;
    bool waiting_due = woken || clock_due;
    if (pending_.empty() && !waiting_due) continue;

    if (auto r = views_.refresh_roster(false); !r) {
      retry_later(r.error());
      continue;
    }
    if (auto s = views_.refresh_states(); !s) {
      retry_later(s.error());
      continue;
    }
    if (clock_due) {
      last_waiting_pass_ = now;
      auto lost = ledger_.redis_lost_writes();
      if (!lost) {
        retry_later(lost.error());
        continue;
      }
      if (*lost) rewind_needed_ = true;
      if (rewind_needed_) {
        rewind();
        continue;
      }
      if (auto e = sweeps_.run(views_, kWaitingPerPass); !e) {
        retry_later(e.error());
        continue;
      }
    }
    if (waiting_due) {
      if (auto w = route_waiting(); !w) {
        retry_later(w.error());
        continue;
      }
    }
    if (clock_due) ++clock_passes_;

    std::map<int32_t, int64_t> done;
    while (!pending_.empty() && !stopping_.load()) {
      std::vector<const ConsumedRecord*> batch;
      for (size_t i = 0; i < pending_.size() && batch.size() < kRouteBatch; ++i) {
        batch.push_back(&pending_[i]);
      }
      if (auto routed = route_batch(batch); !routed) {
        retry_later(routed.error());
        break;
      }
      if (rewind_needed_) break;  // these records are routed again after the rewind
      for (size_t i = 0; i < batch.size(); ++i) {
        done[pending_.front().partition] = pending_.front().offset + 1;
        ++consumed_;
        pending_.pop_front();
      }
    }
    consumer_->commit(done);
    if (rewind_needed_) rewind();
  }
}

}  // namespace lexroute
