// Requests that are not valid encodings of their message, sent as raw bytes over a real socket to
// every method of every service: each is answered INVALID_ARGUMENT naming the request type, the
// server's log does not grow a line per request, and valid calls keep working.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "tests/support/builders.h"
#include "tests/support/dev_node.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;
using testing::as;

// Calls `method` with `messages` as they are, whatever the method's kind, and reads every reply.
grpc::Status call_raw(std::shared_ptr<grpc::Channel> channel, const std::string& method,
                      const std::string& secret, const std::vector<std::string>& messages) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + secret);
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  // One operation at a time, so the next event on the queue is always the one just started.
  auto done = [&queue] {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(queue.Next(&tag, &ok));
    return ok;
  };
  auto call = stub.PrepareCall(&context, method, &queue);
  call->StartCall(nullptr);
  done();
  for (const auto& m : messages) {
    grpc::Slice slice(m);
    grpc::ByteBuffer bytes(&slice, 1);
    call->Write(bytes, nullptr);
    if (!done()) break;  // the server has already answered
  }
  call->WritesDone(nullptr);
  done();
  for (grpc::ByteBuffer reply;;) {
    call->Read(&reply, nullptr);
    if (!done()) break;
  }
  grpc::Status status;
  call->Finish(&status, nullptr);
  done();
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

std::string length_delimited(int field, const std::string& value) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(value.size()));
    coded.WriteString(value);
  }
  return out;
}

// `type` with invalid UTF-8 in its first string field, nested messages included; nullopt when it
// has none. Written by hand: serializing it with libprotobuf would log in this process too.
std::optional<std::string> invalid_utf8_in(const Descriptor& type, int depth = 0) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      return length_delimited(field->number(), "ok \xc3\x28 not");
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 4) {
      if (auto inner = invalid_utf8_in(*field->message_type(), depth + 1)) {
        return length_delimited(field->number(), *inner);
      }
    }
  }
  return std::nullopt;
}

// Field 1, 16 bytes long, of which 3 arrive.
const std::string kTruncated =
    "\x0a\x10"
    "abc";

// Random bytes whose first tag has wire type 7, which no message has: they fail to parse as any
// type, where random bytes that happen to read as unknown fields would not.
std::string random_bytes() {
  std::mt19937 random(18);
  std::string out(64, '\0');
  for (auto& c : out) c = static_cast<char>(random() & 0xff);
  out[0] = static_cast<char>((out[0] & 0x78) | 0x0f);
  return out;
}

class UnparsableRequests : public ::testing::Test {
 protected:
  void SetUp() override {
    dev = std::make_unique<testing::DevNode>(dir.str() + "/data");
    ASSERT_NO_FATAL_FAILURE(
        testing::create_firm(*dev->admin(), dev->admin_key(), "acme", &firm_key));
    v1::UpsertStaffResponse upserted;
    ASSERT_TRUE(dev->admin()
                    ->UpsertStaff(as(dev->admin_key()).get(),
                                  testing::reviewer(
                                      {.id = "ana", .proficiency = 4, .time_zone = "Asia/Manila"}),
                                  &upserted)
                    .ok());
    staff_token = upserted.staff_token();
  }

  // The credential each service takes.
  std::string secret_for(const std::string& service) const {
    if (service == "lexroute.v1.Admin") return dev->admin_key();
    if (service == "lexroute.v1.WorkerGateway") return staff_token;
    return firm_key;
  }

  static v1::SubmitTaskRequest review_task() {
    v1::SubmitTaskRequest r;
    auto* s = r.mutable_spec();
    s->set_matter_id("m-1");
    s->set_kind(v1::TASK_KIND_DOCUMENT_REVIEW);
    auto* sk = s->add_required_skills();
    sk->set_skill("doc-review");
    sk->set_min_proficiency(3);
    s->set_priority(5);
    *s->mutable_deadline() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                             google::protobuf::util::TimeUtil::HoursToDuration(24);
    s->set_effort_minutes(20);
    s->set_payload_ref("https://dms.acme.example/m-1/doc/7");
    return r;
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DevNode> dev;
  std::string firm_key, staff_token;
};

TEST_F(UnparsableRequests, EveryMethodAnswersInvalidArgumentNamingTheTypeAndTheLogStaysQuiet) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int sent = 0;
  int with_invalid_utf8 = 0;
  ::testing::internal::CaptureStderr();
  for (const char* name :
       {"lexroute.v1.TaskIntake", "lexroute.v1.Admin", "lexroute.v1.WorkerGateway"}) {
    const auto* service = pool->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      std::string path = "/" + service->full_name() + "/" + method->name();
      std::string expected = "request could not be parsed as " + method->input_type()->full_name();
      std::vector<std::pair<std::string, std::string>> cases = {{"truncated", kTruncated},
                                                                {"random bytes", random_bytes()}};
      if (auto utf8 = invalid_utf8_in(*method->input_type())) {
        cases.emplace_back("invalid UTF-8", *utf8);
        ++with_invalid_utf8;
      }
      for (const auto& [what, bytes] : cases) {
        auto status = call_raw(dev->channel(), path, secret_for(name), {bytes});
        ++sent;
        EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << path << " with " << what << ": " << status.error_message();
        EXPECT_EQ(status.error_message(), expected) << path << " with " << what;
      }
    }
  }
  // A flood of the kind libprotobuf logs about.
  v1::GetTaskRequest probe;
  auto utf8 = invalid_utf8_in(*probe.GetDescriptor());
  ASSERT_TRUE(utf8.has_value());
  int refused = 0;
  for (int i = 0; i < 100; ++i, ++sent) {
    auto status = call_raw(dev->channel(), "/lexroute.v1.TaskIntake/GetTask", firm_key, {*utf8});
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) ++refused;
  }
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(refused, 100);
  EXPECT_GT(with_invalid_utf8, 10);  // most request types have a string somewhere
  int utf8_lines = 0;
  for (size_t at = log.find("invalid UTF-8"); at != std::string::npos;
       at = log.find("invalid UTF-8", at + 1)) {
    ++utf8_lines;
  }
  EXPECT_LE(utf8_lines, 10) << sent << " requests sent, " << with_invalid_utf8 + 100
                            << " of them with invalid UTF-8";
}

TEST_F(UnparsableRequests, ABadMessageInABulkSubmitFailsTheCallBeforeItsBatchIsSubmitted) {
  std::string valid;
  ASSERT_TRUE(review_task().SerializeToString(&valid));
  auto status = call_raw(dev->channel(), "/lexroute.v1.TaskIntake/SubmitTasks", firm_key,
                         {valid, random_bytes(), valid});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(status.error_message(), "request could not be parsed as lexroute.v1.SubmitTaskRequest");
}

TEST_F(UnparsableRequests, ValidCallsStillWorkAfterAFloodOfBadOnes) {
  for (const char* method :
       {"/lexroute.v1.TaskIntake/SubmitTask", "/lexroute.v1.TaskIntake/SubmitTasks",
        "/lexroute.v1.WorkerGateway/StreamOffers", "/lexroute.v1.WorkerGateway/AcceptOffer"}) {
    for (int i = 0; i < 20; ++i) {
      std::string secret =
          std::string(method).find("Worker") != std::string::npos ? staff_token : firm_key;
      auto status = call_raw(dev->channel(), method, secret, {random_bytes()});
      ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method;
    }
  }
  auto gateway = dev->gateway();
  ASSERT_NO_FATAL_FAILURE(testing::set_available(*gateway, staff_token));
  testing::OfferStream offers(*gateway, staff_token);

  v1::SubmitTaskResponse submitted;
  auto status = dev->intake()->SubmitTask(as(firm_key).get(), review_task(), &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto event = offers.next(30s);  // the first consumer-group join takes a few seconds
  ASSERT_TRUE(event.has_value()) << "no offer reached the staff member";
  ASSERT_TRUE(event->has_offered());
  EXPECT_EQ(event->offered().task_id(), submitted.task_id());

  v1::OfferActionRequest accept;
  accept.set_task_id(submitted.task_id());
  v1::OfferActionResponse accepted;
  status = gateway->AcceptOffer(as(staff_token).get(), accept, &accepted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(accepted.work().status(), v1::TASK_STATUS_ACCEPTED);

  auto context = as(firm_key);
  v1::SubmitTasksResponse bulk;
  auto writer = dev->intake()->SubmitTasks(context.get(), &bulk);
  ASSERT_TRUE(writer->Write(review_task()));
  ASSERT_TRUE(writer->Write(review_task()));
  writer->WritesDone();
  status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(bulk.accepted(), 2);

  v1::Task task;
  v1::GetTaskRequest get;
  get.set_task_id(submitted.task_id());
  ASSERT_TRUE(dev->intake()->GetTask(as(firm_key).get(), get, &task).ok());
  EXPECT_EQ(task.status(), v1::TASK_STATUS_ACCEPTED);
}

}  // namespace
}  // namespace lexroute
