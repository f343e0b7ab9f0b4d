#include "tests/support/builders.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "tests/support/dev_node.h"

namespace lexroute::testing {

using google::protobuf::util::TimeUtil;

v1::SubmitTaskRequest review_task(const ReviewTask& task) {
  v1::SubmitTaskRequest r;
  if (!task.idempotency_key.empty()) r.set_idempotency_key(task.idempotency_key);
  auto* s = r.mutable_spec();
  s->set_matter_id(task.matter);
  if (!task.pool.empty()) s->set_pool(task.pool);
  if (task.priority != 0) s->set_priority(task.priority);
  s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
  auto* skill = s->add_required_skills();
  skill->set_skill("doc-review");
  skill->set_min_proficiency(task.min_proficiency);
  *s->mutable_deadline() =
      TimeUtil::GetCurrentTime() + TimeUtil::HoursToDuration(task.due_in.count());
  s->set_effort_minutes(task.effort_minutes);
  s->set_payload_ref(task.payload_ref.empty()
                         ? "https://dms.acme.example/" + task.matter + "/doc/" + task.document
                         : task.payload_ref);
  return r;
}

v1::SubmitTaskRequest numbered_review_task(int i, int matters, std::chrono::hours due_in) {
  return review_task({.matter = "m-" + std::to_string(i % matters),
                      .payload_ref = "https://dms.acme.example/doc/" + std::to_string(i),
                      .min_proficiency = 2,
                      .effort_minutes = 10,
                      .due_in = due_in});
}

v1::UpsertStaffRequest reviewer(const Reviewer& staff) {
  v1::UpsertStaffRequest req;
  auto* s = req.mutable_staff();
  s->set_id(staff.id);
  s->set_time_zone(staff.time_zone);
  s->set_capacity(staff.capacity);
  if (!staff.region.empty()) s->set_region(staff.region);
  if (!staff.pool.empty()) s->set_pool(staff.pool);
  if (!staff.vendor.empty()) s->set_vendor(staff.vendor);
  auto* skill = s->add_skills();
  skill->set_skill("doc-review");
  skill->set_proficiency(staff.proficiency);
  for (const auto& [day, start, end] : staff.shifts) {
    auto* shift = s->add_shifts();
    shift->set_day(day);
    shift->set_start(start);
    shift->set_end(end);
  }
  req.set_issue_token(true);
  return req;
}

void create_firm(v1::Admin::Stub& admin, const std::string& admin_key, const std::string& firm_id,
                 std::string* api_key) {
  v1::CreateFirmRequest req;
  req.set_firm_id(firm_id);
  v1::CreateFirmResponse resp;
  auto status = admin.CreateFirm(as(admin_key).get(), req, &resp);
  ASSERT_TRUE(status.ok()) << firm_id << ": " << status.error_message();
  *api_key = resp.api_key();
}

void set_available(v1::WorkerGateway::Stub& gateway, const std::string& token) {
  v1::SetAvailabilityRequest req;
  req.set_availability(v1::AVAILABILITY_AVAILABLE);
  v1::SetAvailabilityResponse resp;
  auto status = gateway.SetAvailability(as(token).get(), req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

void add_simulated_reviewers(v1::Admin::Stub& admin, const std::string& admin_key, int count,
                             Reviewer shape, std::vector<StaffSimulator::Member>& out) {
  for (int i = 0; i < count; ++i) {
    shape.id = "s" + std::to_string(i);
    v1::UpsertStaffResponse resp;
    auto status = admin.UpsertStaff(as(admin_key).get(), reviewer(shape), &resp);
    ASSERT_TRUE(status.ok()) << shape.id << ": " << status.error_message();
    out.push_back({resp.staff().id(), resp.staff_token()});
  }
}

}  // namespace lexroute::testing
