#pragma once

// The fields of a task hash (keys::task), in one place for the C++ stores. The Lua scripts in
// scripts/ write the same names as their own literals (a script cannot include a header):
//   record_queued.lua, route_task.lua    firm spec submitted_ms priority expire status
//   route_task.lua                       status staff offered_ms decision attempts
//   accept_offer.lua                     status accepted_ms
//   complete_task.lua                    status completed_ms outcome note
//   reject_offer.lua, expire_offer.lua,
//   take_back_work.lua                   status (staff removed)
//   cancel_task.lua                      status cancelled_ms
//   pass_deadline.lua                    overdue status expired_ms
// task_fields_test.cpp checks that every field a script writes is named here.
namespace lexroute::task_fields {

inline constexpr const char* kFirm = "firm";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kSpec = "spec";  // serialized v1::TaskSpec
inline constexpr const char* kPriority = "priority";
inline constexpr const char* kExpire = "expire";      // "1": EXPIRED at the deadline
inline constexpr const char* kStaff = "staff";        // the current holder, while there is one
inline constexpr const char* kDecision = "decision";  // serialized v1::RoutingDecision
inline constexpr const char* kAttempts = "attempts";  // offers made so far
inline constexpr const char* kOutcome = "outcome";
inline constexpr const char* kNote = "note";
inline constexpr const char* kOverdue = "overdue";  // "1" once the deadline passed
inline constexpr const char* kSubmittedMs = "submitted_ms";
inline constexpr const char* kOfferedMs = "offered_ms";
inline constexpr const char* kAcceptedMs = "accepted_ms";
inline constexpr const char* kCompletedMs = "completed_ms";
inline constexpr const char* kCancelledMs = "cancelled_ms";
inline constexpr const char* kExpiredMs = "expired_ms";

inline constexpr const char* kAll[] = {
    kFirm,      kStatus,     kSpec,        kPriority,    kExpire,   kStaff,
    kDecision,  kAttempts,   kOutcome,     kNote,        kOverdue,  kSubmittedMs,
    kOfferedMs, kAcceptedMs, kCompletedMs, kCancelledMs, kExpiredMs};

}  // namespace lexroute::task_fields
