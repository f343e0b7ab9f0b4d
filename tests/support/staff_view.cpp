#include "tests/support/staff_view.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <functional>
#include <set>

namespace lexroute::testing {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Calls `visit(path, field)` for every set field of `message` and, recursively, of every
// message it holds.
void walk(const Message& message, const std::string& path,
          const std::function<void(const std::string&, const FieldDescriptor&)>& visit) {
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // set fields only
  for (const FieldDescriptor* field : fields) {
    std::string here = path.empty() ? field->name() : path + "." + field->name();
    visit(here, *field);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        walk(reflection->GetRepeatedMessage(message, field, i),
             here + "[" + std::to_string(i) + "]", visit);
      }
    } else {
      walk(reflection->GetMessage(message, field), here, visit);
    }
  }
}

}  // namespace

const std::vector<std::string>& staff_view_fields() {
  static const std::vector<std::string> kFields{
      // A task as staff see it.
      "lexroute.v1.Offer.task_id",
      "lexroute.v1.Offer.matter_id",
      "lexroute.v1.Offer.kind",
      "lexroute.v1.Offer.priority",
      "lexroute.v1.Offer.effort_minutes",
      "lexroute.v1.Offer.deadline",
      "lexroute.v1.Offer.payload_ref",
      "lexroute.v1.Offer.offered_at",
      "lexroute.v1.Offer.expires_at",
      "lexroute.v1.Offer.title",
      "lexroute.v1.Offer.allowed_outcomes",
      "lexroute.v1.Offer.status",
      "lexroute.v1.Offer.outcome",
      "lexroute.v1.Offer.completed_at",
      "google.protobuf.Timestamp.seconds",
      "google.protobuf.Timestamp.nanos",
      // The answers and events that carry it.
      "lexroute.v1.OfferActionResponse.work",
      "lexroute.v1.OfferEvent.offered",
      "lexroute.v1.OfferEvent.withdrawn_task_id",
      "lexroute.v1.OfferEvent.accepted",
      "lexroute.v1.OfferEvent.done",
      "lexroute.v1.OfferEvent.server_time",
      // Their own profile and shift.
      "lexroute.v1.SignInResponse.staff_id",
      "lexroute.v1.SignInResponse.display_name",
      "lexroute.v1.SignInResponse.time_zone",
      "lexroute.v1.SignInResponse.capacity",
      "lexroute.v1.WebSignInResponse.staff",
      "lexroute.v1.WebSignInResponse.csrf_token",
      "lexroute.v1.SetAvailabilityResponse.availability",
      "lexroute.v1.HeartbeatResponse.availability",
      "lexroute.v1.HeartbeatResponse.interval_seconds",
  };
  return kFields;
}

std::vector<std::string> fields_beyond_staff_view(const Message& answer) {
  const auto& allowed = staff_view_fields();
  std::vector<std::string> beyond;
  walk(answer, "", [&](const std::string& path, const FieldDescriptor& field) {
    if (std::find(allowed.begin(), allowed.end(), field.full_name()) == allowed.end()) {
      beyond.push_back(path + " (" + std::string(field.full_name()) + ")");
    }
  });
  return beyond;
}

std::vector<std::string> set_fields(const Message& answer) {
  std::set<std::string> names;
  walk(answer, "", [&](const std::string&, const FieldDescriptor& field) {
    names.insert(std::string(field.full_name()));
  });
  return {names.begin(), names.end()};
}

}  // namespace lexroute::testing
