#include "router/validation.h"

#include <absl/time/time.h>

#include <set>

#include "router/roster.h"
#include "router/text.h"

namespace lexroute {
namespace {

constexpr size_t kMaxPayloadRef = 2048;
constexpr size_t kMaxIdempotencyKey = 128;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// A payload_ref is a URI into the firm's document store ("dms://matter-7/doc/123",
// "https://docs.firm.example/..."). Requiring a scheme keeps document text out of lexroute.
bool looks_like_reference(std::string_view ref) {
  auto colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = ref[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  for (char c : ref) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') return false;
  }
  return true;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

Result<void> validate_task_spec(v1::TaskSpec& spec, std::chrono::system_clock::time_point now) {
  if (spec.matter_id().empty()) {
    return fail(Errc::kInvalidArgument, "matter_id is required", "spec.matter_id");
  }
  if (!is_valid_name(spec.matter_id())) {
    return fail(Errc::kInvalidArgument, "matter_id must be 1-64 letters, digits, '-', '_' or '.'",
                "spec.matter_id");
  }
  if (spec.kind() == v1::TASK_KIND_UNSPECIFIED || !v1::TaskKind_IsValid(spec.kind())) {
    return fail(Errc::kInvalidArgument, "kind is required", "spec.kind");
  }
  if (spec.required_skills().empty()) {
    return fail(Errc::kInvalidArgument, "at least one required skill is needed",
                "spec.required_skills");
  }
  std::set<std::string> seen;
  for (int i = 0; i < spec.required_skills_size(); ++i) {
    const auto& s = spec.required_skills(i);
    std::string field = cat("spec.required_skills[", i, "]");
    if (!is_valid_name(s.skill())) {
      return fail(Errc::kInvalidArgument, "skill must be 1-64 letters, digits, '-', '_' or '.'",
                  field + ".skill");
    }
    if (s.min_proficiency() < 1 || s.min_proficiency() > 5) {
      return fail(Errc::kInvalidArgument,
                  cat("min_proficiency must be 1 to 5, got ", s.min_proficiency()),
                  field + ".min_proficiency");
    }
    if (!seen.insert(s.skill()).second) {
      return fail(Errc::kInvalidArgument, cat("skill '", s.skill(), "' is listed twice"),
                  field + ".skill");
    }
  }
  if (spec.priority() < 0 || spec.priority() > 9) {
    return fail(Errc::kInvalidArgument, cat("priority must be 0 to 9, got ", spec.priority()),
                "spec.priority");
  }
  if (!spec.has_deadline()) {
    return fail(Errc::kInvalidArgument, "deadline is required", "spec.deadline");
  }
  auto deadline =
      std::chrono::system_clock::time_point(std::chrono::seconds(spec.deadline().seconds()));
  if (deadline <= now) {
    return fail(Errc::kInvalidArgument, "deadline is in the past", "spec.deadline");
  }
  if (spec.effort_minutes() < 1 || spec.effort_minutes() > kMaxEffortMinutes) {
    return fail(
        Errc::kInvalidArgument,
        cat("effort_minutes must be 1 to ", kMaxEffortMinutes, ", got ", spec.effort_minutes()),
        "spec.effort_minutes");
  }
  if (spec.payload_ref().empty()) {
    return fail(Errc::kInvalidArgument, "payload_ref is required", "spec.payload_ref");
  }
  if (spec.payload_ref().size() > kMaxPayloadRef || !looks_like_reference(spec.payload_ref())) {
    return fail(Errc::kInvalidArgument,
                "payload_ref must be a URI (at most 2048 characters) into the firm's document "
                "store, never document content",
                "spec.payload_ref");
  }
  if (spec.confidentiality_tier() < 0 || spec.confidentiality_tier() > 4) {
    return fail(Errc::kInvalidArgument,
                cat("confidentiality_tier must be 0 to 4, got ", spec.confidentiality_tier()),
                "spec.confidentiality_tier");
  }
  for (int i = 0; i < spec.languages_size(); ++i) {
    if (!is_valid_name(spec.languages(i))) {
      return fail(Errc::kInvalidArgument, "language must be a code such as 'es' or 'pt-br'",
                  cat("spec.languages[", i, "]"));
    }
  }
  for (int i = 0; i < spec.allowed_regions_size(); ++i) {
    if (!is_valid_name(spec.allowed_regions(i))) {
      return fail(Errc::kInvalidArgument, "region must be a name such as 'eu' or 'us'",
                  cat("spec.allowed_regions[", i, "]"));
    }
  }
  if (!spec.jurisdiction().empty() && !is_valid_name(spec.jurisdiction())) {
    return fail(Errc::kInvalidArgument, "jurisdiction must be a code such as 'us-ny'",
                "spec.jurisdiction");
  }
  for (int i = 0; i < spec.parties_size(); ++i) {
    if (spec.parties(i).empty() || spec.parties(i).size() > 200) {
      return fail(Errc::kInvalidArgument, "party must be 1 to 200 characters",
                  cat("spec.parties[", i, "]"));
    }
  }
  if (!spec.vendor().empty() && !is_valid_name(spec.vendor())) {
    return fail(Errc::kInvalidArgument, "vendor must be 1-64 letters, digits, '-', '_' or '.'",
                "spec.vendor");
  }
  if (spec.offer_timeout_seconds() != 0 &&
      (spec.offer_timeout_seconds() < 10 || spec.offer_timeout_seconds() > 86400)) {
    return fail(Errc::kInvalidArgument,
                "offer_timeout_seconds must be 0 (the pool's) or 10 to 86400",
                "spec.offer_timeout_seconds");
  }
  if (spec.pool().empty()) spec.set_pool(std::string(kDefaultPool));
  if (!is_valid_name(spec.pool())) {
    return fail(Errc::kInvalidArgument, "pool must be 1-64 letters, digits, '-', '_' or '.'",
                "spec.pool");
  }
  return {};
}

Result<void> validate_idempotency_key(std::string_view key) {
  if (key.size() > kMaxIdempotencyKey) {
    return fail(Errc::kInvalidArgument, "idempotency_key must be at most 128 characters",
                "idempotency_key");
  }
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      return fail(Errc::kInvalidArgument, "idempotency_key must be printable ASCII without spaces",
                  "idempotency_key");
    }
  }
  return {};
}

Result<void> validate_staff(v1::Staff& staff) {
  if (!is_valid_name(staff.id())) {
    return fail(Errc::kInvalidArgument, "id must be 1-64 letters, digits, '-', '_' or '.'",
                "staff.id");
  }
  absl::TimeZone tz;
  if (staff.time_zone().empty() || !absl::LoadTimeZone(staff.time_zone(), &tz)) {
    return fail(Errc::kInvalidArgument,
                cat("time_zone '", staff.time_zone(), "' is not an IANA time zone"),
                "staff.time_zone");
  }
  if (staff.capacity() < 1 || staff.capacity() > 100) {
    return fail(Errc::kInvalidArgument, cat("capacity must be 1 to 100, got ", staff.capacity()),
                "staff.capacity");
  }
  std::set<std::string> seen;
  for (int i = 0; i < staff.skills_size(); ++i) {
    const auto& s = staff.skills(i);
    std::string field = cat("staff.skills[", i, "]");
    if (!is_valid_name(s.skill())) {
      return fail(Errc::kInvalidArgument, "skill must be 1-64 letters, digits, '-', '_' or '.'",
                  field + ".skill");
    }
    if (s.proficiency() < 1 || s.proficiency() > 5) {
      return fail(Errc::kInvalidArgument, cat("proficiency must be 1 to 5, got ", s.proficiency()),
                  field + ".proficiency");
    }
    if (!seen.insert(s.skill()).second) {
      return fail(Errc::kInvalidArgument, cat("skill '", s.skill(), "' is listed twice"),
                  field + ".skill");
    }
  }
  if (staff.clearance() < 0 || staff.clearance() > 4) {
    return fail(Errc::kInvalidArgument, cat("clearance must be 0 to 4, got ", staff.clearance()),
                "staff.clearance");
  }
  if (!staff.vendor().empty() && !is_valid_name(staff.vendor())) {
    return fail(Errc::kInvalidArgument, "vendor must be 1-64 letters, digits, '-', '_' or '.'",
                "staff.vendor");
  }
  // Shifts, exceptions and walls are checked by building the router's view of the profile.
  auto profile = profile_from(staff);
  if (!profile) return std::unexpected(profile.error());
  if (staff.pool().empty()) staff.set_pool(std::string(kDefaultPool));
  if (!is_valid_name(staff.pool())) {
    return fail(Errc::kInvalidArgument, "pool must be 1-64 letters, digits, '-', '_' or '.'",
                "staff.pool");
  }
  return {};
}

}  // namespace lexroute
