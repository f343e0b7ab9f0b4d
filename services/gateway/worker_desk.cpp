#include "services/gateway/worker_desk.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "router/outcomes.h"
#include "router/payload_schemes.h"
#include "router/validation.h"
#include "services/common/log.h"
#include "services/redis/keys.h"
#include "services/redis/staff_store.h"

namespace lexroute {
namespace {

using google::protobuf::util::TimeUtil;

// Completions a feed reports: enough to hold the whole of today in any time zone, a 25-hour day
// included; the app shows those of the staff member's today (docs/worker-app.md).
constexpr int64_t kDoneWindowMs = 25LL * 3600 * 1000;

v1::Availability to_proto(Availability a) {
  switch (a) {
    case Availability::kAvailable:
      return v1::AVAILABILITY_AVAILABLE;
    case Availability::kOnBreak:
      return v1::AVAILABILITY_ON_BREAK;
    case Availability::kOffline:
      break;
  }
  return v1::AVAILABILITY_OFFLINE;
}

Result<void> require_task_id(const std::string& task_id) { return validate_task_id(task_id); }

// Adds what is new in `now_ids` (ids of open offers, or of accepted work) compared with `sent`,
// and forgets what left it. `event_for(id)` is the event announcing an id, nullopt when it is not
// (or no longer) theirs in that state: it is looked at again next time. `left(id)` is the event
// for an id that left, if the receiver needs one.
void add_changes(const std::vector<std::string>& now_ids, std::set<std::string>& sent,
                 const std::function<std::optional<v1::OfferEvent>(const std::string&)>& event_for,
                 const std::function<std::optional<v1::OfferEvent>(const std::string&)>& left,
                 std::vector<v1::OfferEvent>& events) {
  std::set<std::string> now(now_ids.begin(), now_ids.end());
  for (const auto& id : now) {
    if (sent.contains(id)) continue;
    auto event = event_for(id);
    if (!event) continue;
    events.push_back(std::move(*event));
    sent.insert(id);
  }
  for (auto it = sent.begin(); it != sent.end();) {
    if (now.contains(*it)) {
      ++it;
      continue;
    }
    if (auto event = left(*it)) events.push_back(std::move(*event));
    it = sent.erase(it);
  }
}

// The rules both doors apply to an accept or a completion before asking Redis.
Result<void> check_step(const WorkerDesk::Step& step) {
  if (step.accept) return require_task_id(step.accept->task_id());
  const v1::CompleteTaskRequest& request = *step.complete;
  if (auto ok = require_task_id(request.task_id()); !ok) return ok;
  if (!is_valid_name(request.outcome())) {
    return fail(Errc::kInvalidArgument,
                "outcome is required: 1-64 letters, digits, '-', '_' or '.'", "outcome");
  }
  if (auto ok = validate_text(request.note(), limits::kNote, "note"); !ok) return ok;
  return {};
}

}  // namespace

v1::Offer to_offer(const v1::Task& task) {
  v1::Offer offer;
  offer.set_task_id(task.id());
  offer.set_matter_id(task.spec().matter_id());
  offer.set_kind(task.spec().kind());
  offer.set_priority(task.spec().priority());
  offer.set_effort_minutes(task.spec().effort_minutes());
  *offer.mutable_deadline() = task.spec().deadline();
  // Intake took only the firm's schemes; a task stored before that rule, or with a scheme no firm
  // may add any more, is shown without its link.
  if (is_renderable_payload_ref(task.spec().payload_ref())) {
    offer.set_payload_ref(task.spec().payload_ref());
  }
  offer.set_title(task.spec().title());
  for (auto outcome : allowed_outcomes(task.spec().kind())) {
    offer.add_allowed_outcomes(std::string(outcome));
  }
  offer.set_status(task.status());
  offer.set_outcome(task.outcome());
  for (const auto& step : task.history()) {
    if (step.status() == v1::TASK_STATUS_OFFERED) *offer.mutable_offered_at() = step.at();
    if (step.status() == v1::TASK_STATUS_COMPLETED) *offer.mutable_completed_at() = step.at();
  }
  return offer;
}

Result<StaffIdentity> WorkerDesk::authenticate(const std::string& staff_token) {
  return credentials_.authenticate_staff(staff_token);
}

Result<std::vector<Result<StaffIdentity>>> WorkerDesk::authenticate(
    const std::vector<std::string>& tokens) {
  return credentials_.authenticate_staff(tokens);
}

Result<v1::SignInResponse> WorkerDesk::sign_in(const StaffIdentity& me) {
  auto profile = staff_.get(me.pool, me.staff_id);
  if (!profile) return std::unexpected(profile.error());
  v1::SignInResponse response;
  response.set_staff_id(profile->id());
  response.set_display_name(profile->display_name());
  response.set_time_zone(profile->time_zone());
  response.set_capacity(profile->capacity());
  return response;
}

Result<v1::SetAvailabilityResponse> WorkerDesk::set_availability(
    const StaffIdentity& me, const v1::SetAvailabilityRequest& request) {
  Availability a;
  switch (request.availability()) {
    case v1::AVAILABILITY_OFFLINE:
      a = Availability::kOffline;
      break;
    case v1::AVAILABILITY_AVAILABLE:
      a = Availability::kAvailable;
      break;
    case v1::AVAILABILITY_ON_BREAK:
      a = Availability::kOnBreak;
      break;
    default:
      return fail(Errc::kInvalidArgument, "availability must be OFFLINE, AVAILABLE or ON_BREAK",
                  "availability");
  }
  auto saved = presence_.set_availability(me.pool, me.staff_id, a);
  if (!saved) return std::unexpected(saved.error());
  LOG_INFO("gateway", "staff=", me.staff_id, " is ", availability_name(a));
  v1::SetAvailabilityResponse response;
  response.set_availability(request.availability());
  return response;
}

Result<v1::HeartbeatResponse> WorkerDesk::heartbeat(const StaffIdentity& me) {
  return std::move(heartbeats({&me}).front());
}

std::vector<Result<v1::HeartbeatResponse>> WorkerDesk::heartbeats(
    const std::vector<const StaffIdentity*>& who) {
  std::vector<std::pair<std::string, std::string>> staff;
  staff.reserve(who.size());
  for (const auto* me : who) staff.emplace_back(me->pool, me->staff_id);
  auto beats = presence_.heartbeats(staff);
  std::vector<Result<v1::HeartbeatResponse>> answers;
  answers.reserve(who.size());
  for (size_t i = 0; i < who.size(); ++i) {
    if (!beats) {
      answers.push_back(std::unexpected(beats.error()));
    } else if (!(*beats)[i]) {
      answers.push_back(std::unexpected((*beats)[i].error()));
    } else {
      v1::HeartbeatResponse response;
      response.set_availability(to_proto((*beats)[i]->availability));
      response.set_interval_seconds((*beats)[i]->interval_seconds);
      answers.push_back(std::move(response));
    }
  }
  return answers;
}

Result<v1::Task> WorkerDesk::accept(const StaffIdentity& me,
                                    const v1::OfferActionRequest& request) {
  return std::move(take_steps({{&me, &request, nullptr}}).front());
}

Result<v1::Task> WorkerDesk::reject(const StaffIdentity& me,
                                    const v1::OfferActionRequest& request) {
  if (auto ok = require_task_id(request.task_id()); !ok) return std::unexpected(ok.error());
  if (auto ok = validate_text(request.reason(), limits::kReason, "reason"); !ok) {
    return std::unexpected(ok.error());
  }
  std::string reason = request.reason().empty() ? "no reason given" : request.reason();
  auto task = tasks_.reject(me.pool, me.staff_id, request.task_id(), reason);
  if (task) {
    LOG_INFO("gateway", "task=", request.task_id(), " staff=", me.staff_id, " rejected: ", reason);
  }
  return task;
}

Result<v1::Task> WorkerDesk::complete(const StaffIdentity& me,
                                      const v1::CompleteTaskRequest& request) {
  return std::move(take_steps({{&me, nullptr, &request}}).front());
}

std::vector<Result<v1::Task>> WorkerDesk::take_steps(const std::vector<Step>& steps) {
  std::vector<Result<v1::Task>> answers(steps.size());
  std::vector<DeskTasks::StaffStep> valid;
  std::vector<size_t> asked;  // answers[] index of each valid step
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    if (auto ok = check_step(step); !ok) {
      answers[i] = std::unexpected(ok.error());
      continue;
    }
    if (step.accept) {
      valid.push_back({DeskTasks::StaffStep::Kind::kAccept,
                       step.me->pool,
                       step.me->staff_id,
                       step.accept->task_id(),
                       {},
                       {}});
    } else {
      valid.push_back({DeskTasks::StaffStep::Kind::kComplete, step.me->pool, step.me->staff_id,
                       step.complete->task_id(), step.complete->outcome(), step.complete->note()});
    }
    asked.push_back(i);
  }
  refuse_outcomes_not_of_their_kind(valid, asked, answers);
  if (valid.empty()) return answers;
  auto taken = tasks_.take_steps(valid);
  for (size_t k = 0; k < asked.size(); ++k) {
    if (!taken) {
      answers[asked[k]] = std::unexpected(taken.error());
      continue;
    }
    answers[asked[k]] = std::move((*taken)[k]);
    if (answers[asked[k]]) {
      const DeskTasks::StaffStep& v = valid[k];
      LOG_DEBUG("gateway", "task=", v.task_id, " staff=", v.staff, " ",
                v.kind == DeskTasks::StaffStep::Kind::kAccept ? "accepted" : "completed ",
                v.outcome);
    }
  }
  return answers;
}

void WorkerDesk::refuse_outcomes_not_of_their_kind(std::vector<DeskTasks::StaffStep>& valid,
                                                   std::vector<size_t>& asked,
                                                   std::vector<Result<v1::Task>>& answers) {
  std::vector<std::string> ids;
  std::vector<size_t> of;  // valid[] index of each id
  for (size_t k = 0; k < valid.size(); ++k) {
    if (valid[k].kind != DeskTasks::StaffStep::Kind::kComplete) continue;
    ids.push_back(valid[k].task_id);
    of.push_back(k);
  }
  if (ids.empty()) return;
  // A task's kind never changes, so it can be read before the step is taken. The script still
  // decides everything else: whether the task is theirs, and whether it is accepted.
  auto found = tasks_.look_up(ids, std::vector<bool>(ids.size(), true));
  std::vector<bool> refused(valid.size(), false);
  for (size_t j = 0; j < ids.size(); ++j) {
    size_t k = of[j];
    if (!found) {
      answers[asked[k]] = std::unexpected(found.error());
      refused[k] = true;
      continue;
    }
    const auto& task = (*found)[j].task;
    // Someone else's task, or none: the script refuses it without a word about its kind.
    if (!task || task->staff_id() != valid[k].staff || task->spec().pool() != valid[k].pool)
      continue;
    if (auto ok = check_outcome(task->spec().kind(), valid[k].outcome); !ok) {
      answers[asked[k]] = std::unexpected(ok.error());
      refused[k] = true;
    }
  }
  size_t kept = 0;
  for (size_t k = 0; k < valid.size(); ++k) {
    if (refused[k]) continue;
    if (kept != k) {
      valid[kept] = std::move(valid[k]);
      asked[kept] = asked[k];
    }
    ++kept;
  }
  valid.resize(kept);
  asked.resize(kept);
}

void WorkerDesk::offer_changes(std::span<FeedLook> looks) {
  std::vector<std::pair<std::string, std::string>> staff;
  staff.reserve(looks.size());
  for (auto& look : looks) {
    look.events.reset();
    if (uint64_t c = signals_.connections(); c != look.state->connection) {
      // Redis may have restarted and lost its last second of writes, taking back an accept or a
      // completion the app saw succeed: send everything again and let the app de-duplicate.
      look.state->connection = c;
      look.state->sent_offers.clear();
      look.state->sent_work.clear();
      look.state->sent_done.clear();
    }
    staff.emplace_back(look.me->pool, look.me->staff_id);
  }
  auto held = staff_.holdings(staff);
  if (!held) return;

  // Every task some feed must look at: new ones to announce (read whole), and ones that left, to
  // tell a completion from a withdrawal (status only). An offer that became accepted work of the
  // same person needs no look: they accepted it through this feed's offer.
  std::vector<std::string> ids;
  std::vector<bool> whole;
  std::unordered_map<std::string, size_t> index;
  auto want = [&](const std::string& id, bool all) {
    auto [it, added] = index.try_emplace(id, ids.size());
    if (added) {
      ids.push_back(id);
      whole.push_back(all);
    } else if (all) {
      whole[it->second] = true;
    }
  };
  auto contains = [](const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  const int64_t now_ms = clock_.now_ms();
  // Per feed, the recent completions it reports, and when each was made.
  std::vector<std::vector<std::string>> done_ids(looks.size());
  std::unordered_map<std::string, int64_t> done_at;
  for (size_t i = 0; i < looks.size(); ++i) {
    const StaffRecords::Holdings& h = (*held)[i];
    FeedState& state = *looks[i].state;
    for (auto it = state.sent_offers.begin(); it != state.sent_offers.end();) {
      if (!contains(h.open_offers, *it) && contains(h.accepted_work, *it)) {
        state.sent_work.insert(*it);
        it = state.sent_offers.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto* now : {&h.open_offers, &h.accepted_work}) {
      const auto& sent = now == &h.open_offers ? state.sent_offers : state.sent_work;
      for (const auto& id : *now) {
        if (!sent.contains(id)) want(id, true);
      }
      for (const auto& id : sent) {
        if (!contains(*now, id)) want(id, false);
      }
    }
    for (const auto& [id, at_ms] : h.recently_done) {
      if (at_ms < now_ms - kDoneWindowMs) continue;
      done_ids[i].push_back(id);
      done_at[id] = at_ms;
      if (!state.sent_done.contains(id)) want(id, true);
    }
  }
  auto found = tasks_.look_up(ids, whole);
  if (!found) return;

  for (size_t i = 0; i < looks.size(); ++i) {
    const StaffIdentity& me = *looks[i].me;
    FeedState& state = *looks[i].state;
    // The task if it is `me`'s and in `status`.
    auto theirs = [&](const std::string& id, v1::TaskStatus status) -> const DeskTasks::TaskLook* {
      auto it = index.find(id);
      if (it == index.end()) return nullptr;
      const DeskTasks::TaskLook& look = (*found)[it->second];
      if (!look.task || look.task->status() != status || look.task->staff_id() != me.staff_id) {
        return nullptr;
      }
      return &look;
    };
    auto event_as = [&](v1::TaskStatus status, bool accepted) {
      return [&, status, accepted](const std::string& id) -> std::optional<v1::OfferEvent> {
        const DeskTasks::TaskLook* look = theirs(id, status);
        if (!look) return std::nullopt;
        v1::OfferEvent event;
        v1::Offer* offer = accepted ? event.mutable_accepted() : event.mutable_offered();
        *offer = to_offer(*look->task);
        if (!accepted && look->offer_expires_ms) {
          *offer->mutable_expires_at() = TimeUtil::MillisecondsToTimestamp(*look->offer_expires_ms);
        }
        return event;
      };
    };
    auto withdrawal = [](const std::string& id) {
      v1::OfferEvent event;
      event.set_withdrawn_task_id(id);
      return event;
    };
    auto offer_left = [&](const std::string& id) -> std::optional<v1::OfferEvent> {
      if (theirs(id, v1::TASK_STATUS_ACCEPTED)) {
        // The app accepted it through this feed's offer: nothing to say.
        state.sent_work.insert(id);
        return std::nullopt;
      }
      if (theirs(id, v1::TASK_STATUS_COMPLETED)) return std::nullopt;
      return withdrawal(id);
    };
    auto work_left = [&](const std::string& id) -> std::optional<v1::OfferEvent> {
      // A completion is told by its `done` event.
      if (theirs(id, v1::TASK_STATUS_COMPLETED)) return std::nullopt;
      return withdrawal(id);
    };
    auto done_event = [&](const std::string& id) -> std::optional<v1::OfferEvent> {
      const DeskTasks::TaskLook* look = theirs(id, v1::TASK_STATUS_COMPLETED);
      if (!look) return std::nullopt;
      v1::OfferEvent event;
      *event.mutable_done() = to_offer(*look->task);
      *event.mutable_done()->mutable_completed_at() =
          TimeUtil::MillisecondsToTimestamp(done_at[id]);
      return event;
    };
    auto done_left = [](const std::string&) -> std::optional<v1::OfferEvent> {
      return std::nullopt;  // out of the window: the app drops it at the end of the day
    };
    std::vector<v1::OfferEvent> events;
    add_changes((*held)[i].open_offers, state.sent_offers, event_as(v1::TASK_STATUS_OFFERED, false),
                offer_left, events);
    add_changes((*held)[i].accepted_work, state.sent_work, event_as(v1::TASK_STATUS_ACCEPTED, true),
                work_left, events);
    add_changes(done_ids[i], state.sent_done, done_event, done_left, events);
    const auto server_time = TimeUtil::MillisecondsToTimestamp(clock_.now_ms());
    for (auto& event : events) *event.mutable_server_time() = server_time;
    looks[i].events = std::move(events);
  }
}

}  // namespace lexroute
