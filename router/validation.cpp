#include "router/validation.h"

#include <absl/time/time.h>
#include <google/protobuf/util/time_util.h>

#include <set>

#include "router/roster.h"
#include "router/text.h"

namespace lexroute {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::util::TimeUtil;

constexpr const char* kNameRule = "1-64 letters, digits, '-', '_' or '.'";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// A payload_ref is a URI into the firm's document store ("https://docs.firm.example/...",
// "dms://matter-7/doc/123" where the firm allows dms). Requiring a scheme keeps document text
// out of lexroute; which schemes a firm may use is checked at intake (router/payload_schemes.h).
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
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// A title is shown to staff as a line of text: bounded, and nothing that moves or hides text.
Result<void> validate_title(std::string_view title) {
  if (auto ok = validate_text(title, limits::kTitle, "spec.title"); !ok) return ok;
  if (has_control_characters(title)) {
    return fail(Errc::kInvalidArgument,
                "title must be one line of text: no control, line-separator or bidi characters",
                "spec.title");
  }
  return {};
}

Result<void> at_most(int count, int limit, std::string_view field) {
  if (count <= limit) return {};
  return fail(Errc::kInvalidArgument, cat("at most ", limit, " items, got ", count),
              std::string(field));
}

// Each entry of a list of codes ("es", "us-ny") is a name.
Result<void> names_in(const google::protobuf::RepeatedPtrField<std::string>& list, int limit,
                      std::string_view field, std::string_view example) {
  if (auto ok = at_most(list.size(), limit, field); !ok) return ok;
  for (int i = 0; i < list.size(); ++i) {
    if (!is_valid_name(list[i])) {
      return fail(Errc::kInvalidArgument, cat("must be a code such as ", example),
                  cat(field, "[", i, "]"));
    }
  }
  return {};
}

Result<void> utf8_in(const google::protobuf::Message& message, const std::string& prefix) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    std::string name = prefix.empty() ? f->name() : cat(prefix, ".", f->name());
    int n = f->is_repeated() ? reflection->FieldSize(message, f) : 1;
    for (int i = 0; i < n; ++i) {
      std::string path = f->is_repeated() ? cat(name, "[", i, "]") : name;
      if (f->type() == FieldDescriptor::TYPE_STRING) {
        std::string scratch;
        const std::string& value =
            f->is_repeated() ? reflection->GetRepeatedStringReference(message, f, i, &scratch)
                             : reflection->GetStringReference(message, f, &scratch);
        if (!is_valid_utf8(value)) {
          return fail(Errc::kInvalidArgument, "is not valid UTF-8", path);
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const auto& inner = f->is_repeated() ? reflection->GetRepeatedMessage(message, f, i)
                                             : reflection->GetMessage(message, f);
        if (auto ok = utf8_in(inner, path); !ok) return ok;
      }
    }
  }
  return {};
}

}  // namespace

Result<void> validate_task_id(std::string_view task_id, std::string_view field) {
  if (task_id.empty()) {
    return fail(Errc::kInvalidArgument, "task_id is required", std::string(field));
  }
  bool printable = std::all_of(task_id.begin(), task_id.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x21 && static_cast<unsigned char>(c) <= 0x7e;
  });
  if (task_id.size() > limits::kTaskId || !printable) {
    return fail(Errc::kInvalidArgument,
                cat("not a task id (at most ", limits::kTaskId,
                    " printable characters): ", bounded_quote(task_id)),
                std::string(field));
  }
  return {};
}

Result<void> validate_timestamp(const google::protobuf::Timestamp& at, std::string_view field) {
  if (at.nanos() < 0 || at.nanos() > 999'999'999) {
    return fail(Errc::kInvalidArgument, cat("nanos must be 0 to 999999999, got ", at.nanos()),
                std::string(field));
  }
  if (at.seconds() < TimeUtil::kTimestampMinSeconds ||
      at.seconds() > TimeUtil::kTimestampMaxSeconds) {
    return fail(Errc::kInvalidArgument,
                cat("seconds must fall within the years 1 to 9999, got ", at.seconds()),
                std::string(field));
  }
  return {};
}

Result<void> validate_text(std::string_view text, size_t max_bytes, std::string_view field) {
  if (text.size() > max_bytes) {
    return fail(Errc::kInvalidArgument,
                cat("must be at most ", max_bytes, " bytes, got ", text.size()),
                std::string(field));
  }
  if (!is_valid_utf8(text)) {
    return fail(Errc::kInvalidArgument, "is not valid UTF-8", std::string(field));
  }
  return {};
}

Result<void> validate_utf8(const google::protobuf::Message& message, std::string_view prefix) {
  return utf8_in(message, std::string(prefix));
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > limits::kName) return false;
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
  if (auto ok =
          at_most(spec.required_skills_size(), limits::kRequiredSkills, "spec.required_skills");
      !ok) {
    return ok;
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
  if (auto ok = validate_timestamp(spec.deadline(), "spec.deadline"); !ok) return ok;
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
  if (spec.payload_ref().size() > limits::kPayloadRef ||
      !looks_like_reference(spec.payload_ref())) {
    return fail(Errc::kInvalidArgument,
                "payload_ref must be a URI (at most 2048 characters) into the firm's document "
                "store, never document content",
                "spec.payload_ref");
  }
  if (auto ok = validate_title(spec.title()); !ok) return ok;
  if (spec.confidentiality_tier() < 0 || spec.confidentiality_tier() > 4) {
    return fail(Errc::kInvalidArgument,
                cat("confidentiality_tier must be 0 to 4, got ", spec.confidentiality_tier()),
                "spec.confidentiality_tier");
  }
  if (auto ok =
          names_in(spec.languages(), limits::kTaskLanguages, "spec.languages", "'es' or 'pt-br'");
      !ok) {
    return ok;
  }
  if (auto ok = names_in(spec.allowed_regions(), limits::kAllowedRegions, "spec.allowed_regions",
                         "'eu' or 'us'");
      !ok) {
    return ok;
  }
  if (!spec.jurisdiction().empty() && !is_valid_name(spec.jurisdiction())) {
    return fail(Errc::kInvalidArgument, "jurisdiction must be a code such as 'us-ny'",
                "spec.jurisdiction");
  }
  if (auto ok = at_most(spec.parties_size(), limits::kParties, "spec.parties"); !ok) return ok;
  for (int i = 0; i < spec.parties_size(); ++i) {
    std::string field = cat("spec.parties[", i, "]");
    if (spec.parties(i).empty()) {
      return fail(Errc::kInvalidArgument, "party must not be empty", field);
    }
    if (auto ok = validate_text(spec.parties(i), limits::kParty, field); !ok) return ok;
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
  if (key.size() > limits::kIdempotencyKey) {
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
    return fail(Errc::kInvalidArgument, cat("id must be ", kNameRule), "staff.id");
  }
  if (auto ok = validate_utf8(staff, "staff"); !ok) return ok;
  absl::TimeZone tz;
  if (staff.time_zone().empty() || staff.time_zone().size() > limits::kTimeZone ||
      !absl::LoadTimeZone(staff.time_zone(), &tz)) {
    return fail(Errc::kInvalidArgument,
                cat("time_zone ", bounded_quote(staff.time_zone()), " is not an IANA time zone"),
                "staff.time_zone");
  }
  if (auto ok = validate_text(staff.display_name(), limits::kDisplayName, "staff.display_name");
      !ok) {
    return ok;
  }
  if (!staff.region().empty() && !is_valid_name(staff.region())) {
    return fail(Errc::kInvalidArgument, "region must be a name such as 'eu' or 'us'",
                "staff.region");
  }
  if (staff.capacity() < 1 || staff.capacity() > 100) {
    return fail(Errc::kInvalidArgument, cat("capacity must be 1 to 100, got ", staff.capacity()),
                "staff.capacity");
  }
  if (auto ok = at_most(staff.skills_size(), limits::kStaffSkills, "staff.skills"); !ok) {
    return ok;
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
  if (auto ok = names_in(staff.languages(), limits::kStaffLanguages, "staff.languages",
                         "'es' or 'pt-br'");
      !ok) {
    return ok;
  }
  if (auto ok = names_in(staff.jurisdictions(), limits::kJurisdictions, "staff.jurisdictions",
                         "'us-ny' or 'uk-ew'");
      !ok) {
    return ok;
  }
  if (auto ok = at_most(staff.walls_size(), limits::kWalls, "staff.walls"); !ok) return ok;
  for (int i = 0; i < staff.walls_size(); ++i) {
    const auto& w = staff.walls(i);
    std::string field = cat("staff.walls[", i, "]");
    if (!w.firm_id().empty() && !is_valid_name(w.firm_id())) {
      return fail(Errc::kInvalidArgument, cat("firm_id must be ", kNameRule), field + ".firm_id");
    }
    if (!w.matter_id().empty() && !is_valid_name(w.matter_id())) {
      return fail(Errc::kInvalidArgument, cat("matter_id must be ", kNameRule),
                  field + ".matter_id");
    }
    if (auto ok = validate_text(w.party(), limits::kParty, field + ".party"); !ok) return ok;
    if (auto ok = validate_text(w.reason(), limits::kReason, field + ".reason"); !ok) return ok;
  }
  if (auto ok = at_most(staff.shifts_size(), limits::kShifts, "staff.shifts"); !ok) return ok;
  if (auto ok = at_most(staff.exceptions_size(), limits::kScheduleExceptions, "staff.exceptions");
      !ok) {
    return ok;
  }
  for (int i = 0; i < staff.exceptions_size(); ++i) {
    if (auto ok = validate_text(staff.exceptions(i).note(), limits::kExceptionNote,
                                cat("staff.exceptions[", i, "].note"));
        !ok) {
      return ok;
    }
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

Result<void> validate_pool_scaling(const v1::PoolScaling& scaling) {
  if (scaling.max_active() < 1 || scaling.max_active() > 10000) {
    return fail(Errc::kInvalidArgument, "scaling.max_active must be 1 to 10000",
                "scaling.max_active");
  }
  if (scaling.min_active() < 0 || scaling.min_active() > scaling.max_active()) {
    return fail(Errc::kInvalidArgument, "scaling.min_active must be 0 to max_active",
                "scaling.min_active");
  }
  if (scaling.has_surge_start()) {
    if (auto ok = validate_timestamp(scaling.surge_start(), "scaling.surge_start"); !ok) return ok;
  }
  if (scaling.has_surge_end()) {
    if (auto ok = validate_timestamp(scaling.surge_end(), "scaling.surge_end"); !ok) return ok;
  }
  if (scaling.has_surge_start() && scaling.has_surge_end() &&
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(scaling.surge_end()) <=
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(scaling.surge_start())) {
    return fail(Errc::kInvalidArgument, "scaling.surge_end must be after surge_start",
                "scaling.surge_end");
  }
  if (scaling.target_time_to_offer_seconds() < 0 ||
      scaling.target_time_to_offer_seconds() > 86400) {
    return fail(Errc::kInvalidArgument, "scaling.target_time_to_offer_seconds must be 0 to 86400",
                "scaling.target_time_to_offer_seconds");
  }
  if (scaling.bench_staff_size() > limits::kBenchStaff) {
    return fail(Errc::kInvalidArgument,
                cat("scaling.bench_staff may list at most ", limits::kBenchStaff, " staff"),
                "scaling.bench_staff");
  }
  std::set<std::string> seen;
  for (int i = 0; i < scaling.bench_staff_size(); ++i) {
    const std::string& id = scaling.bench_staff(i);
    std::string field = cat("scaling.bench_staff[", i, "]");
    if (!is_valid_name(id)) {
      return fail(Errc::kInvalidArgument, cat("not a staff id: ", bounded_quote(id)), field);
    }
    if (!seen.insert(id).second) {
      return fail(Errc::kInvalidArgument, cat(bounded_quote(id), " is listed twice"), field);
    }
  }
  return {};
}

}  // namespace lexroute
