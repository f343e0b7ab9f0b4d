#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lexroute/v1/admin.grpc.pb.h"
#include "lexroute/v1/intake.pb.h"
#include "lexroute/v1/worker.grpc.pb.h"
#include "workers/staff_simulator.h"

namespace lexroute::testing {

// What most tests submit: a document review. Each field says what a test may change; the payload
// reference is https://dms.acme.example/<matter>/doc/<document> unless `payload_ref` is set.
struct ReviewTask {
  std::string matter = "m-1";
  std::string pool;  // the default pool when empty
  int priority = 0;
  std::string document = "7";
  std::string payload_ref;
  std::string idempotency_key;
  int min_proficiency = 3;
  int effort_minutes = 20;
  std::chrono::hours due_in{24};
};
v1::SubmitTaskRequest review_task(const ReviewTask& task = {});

// The many-task tests' task number `i`: matter m-<i % matters>, proficiency 2, ten minutes.
v1::SubmitTaskRequest numbered_review_task(int i, int matters = 20,
                                           std::chrono::hours due_in = std::chrono::hours(24));

// A document reviewer, with a staff token issued. Empty fields stay unset (the default pool, no
// region or vendor, no shifts: always on shift).
struct Shift {
  std::string day;  // MON .. SUN
  std::string start;
  std::string end;
};
struct Reviewer {
  std::string id;
  int capacity = 2;
  int proficiency = 3;
  std::string time_zone = "Europe/Belfast";
  std::string region;
  std::string pool;
  std::string vendor;
  std::vector<Shift> shifts;
};
v1::UpsertStaffRequest reviewer(const Reviewer& staff);

// Creates the firm `firm_id` through Admin and sets `api_key` to its key. Call inside
// ASSERT_NO_FATAL_FAILURE.
void create_firm(v1::Admin::Stub& admin, const std::string& admin_key, const std::string& firm_id,
                 std::string* api_key);

// Makes the staff member holding `token` AVAILABLE. Call inside ASSERT_NO_FATAL_FAILURE.
void set_available(v1::WorkerGateway::Stub& gateway, const std::string& token);

// Adds reviewers s0 .. s<count - 1> through Admin (asserting each is stored) and returns them as
// simulated staff members. Call inside ASSERT_NO_FATAL_FAILURE.
void add_simulated_reviewers(v1::Admin::Stub& admin, const std::string& admin_key, int count,
                             Reviewer shape, std::vector<StaffSimulator::Member>& out);

}  // namespace lexroute::testing
