#pragma once

#include <cstddef>

// How much of anything lexroute takes in one request: every string and every list the API
// accepts is bounded here, checked where it enters (router/validation.cpp, the roster import,
// the admin calls, the worker gateway's doors), and listed in docs/api.md. The bounds keep one
// task, one staff record and every answer and log line about them small.
namespace lexroute::limits {

// Strings, in bytes (UTF-8).
inline constexpr size_t kName = 64;             // ids chosen by people: firm, pool, staff,
                                                // matter, skill, language, region, vendor, ...
inline constexpr size_t kTaskId = 128;          // `<ms>-<random>@<pool>`
inline constexpr size_t kIdempotencyKey = 128;  // printable ASCII
inline constexpr size_t kPayloadRef = 2048;     // a URI, never document content
inline constexpr size_t kPayloadScheme = 32;    // a scheme a firm's admin adds ("dms")
inline constexpr size_t kTitle = 200;           // a task's title, shown to staff
inline constexpr size_t kParty = 200;
inline constexpr size_t kDisplayName = 200;
inline constexpr size_t kTimeZone = 64;  // IANA names are at most 32
inline constexpr size_t kReason = 500;   // cancel, reject and wall reasons
inline constexpr size_t kNote = 4000;    // a completion's note
inline constexpr size_t kExceptionNote = 500;
inline constexpr size_t kContact = 500;
inline constexpr size_t kShiftText = 16;  // a shift's or exception's day, date, kind or time

// Lists, in items.
inline constexpr int kRequiredSkills = 50;
inline constexpr int kTaskLanguages = 20;
inline constexpr int kAllowedRegions = 20;
inline constexpr int kParties = 100;
inline constexpr int kStaffSkills = 100;
inline constexpr int kStaffLanguages = 20;
inline constexpr int kJurisdictions = 50;
inline constexpr int kWalls = 1000;
inline constexpr int kShifts = 50;
inline constexpr int kScheduleExceptions = 400;
inline constexpr int kWallStaff = 1000;     // AddMatterWall.staff_ids
inline constexpr int kBenchStaff = 10000;   // PoolScaling.bench_staff
inline constexpr int kPayloadSchemes = 20;  // SetPayloadSchemes.schemes

inline constexpr size_t kRosterBytes = 16u << 20;  // ImportRoster.content

// How much of a caller's text an error message quotes back, escaped.
inline constexpr size_t kQuoted = 64;
// How much of any one field of a log line is written, escaped (services/common/log.h).
inline constexpr size_t kLogField = 1024;
// Pools an error names when a task asks for one that does not exist.
inline constexpr size_t kPoolsNamed = 10;

}  // namespace lexroute::limits
