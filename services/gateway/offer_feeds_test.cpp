#include "services/gateway/offer_feeds.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "services/common/request_parsing.h"
#include "services/redis/keys.h"
#include "tests/fakes/fake_change_signals.h"
#include "tests/fakes/fake_offer_source.h"
#include "tests/support/eventually.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;

constexpr char kFeedPool[] = "feed-pool";
constexpr auto kWithin = 10s;  // far below OfferFeeds::kRecheck: only a wake-up brings news

// WorkerGateway with only StreamOffers served, on the async API as GatewayService serves it.
class StreamOffersOnly
    : public v1::WorkerGateway::WithAsyncMethod_StreamOffers<v1::WorkerGateway::Service> {
 public:
  void request(grpc::ServerContext* context, grpc::ByteBuffer* request,
               grpc::ServerAsyncWriter<v1::OfferEvent>* writer, grpc::ServerCompletionQueue* queue,
               void* tag) {
    static const int stream_offers =
        method_index(v1::WorkerGateway::service_full_name(), "StreamOffers");
    RequestAsyncServerStreaming(stream_offers, context, request, writer, queue, queue, tag);
  }
};

// One staff member's StreamOffers call, read on a thread of its own.
class FeedReader {
 public:
  FeedReader(v1::WorkerGateway::Stub& stub, const std::string& token) {
    context_.AddMetadata("authorization", "Bearer " + token);
    thread_ = std::thread([this, &stub] {
      auto reader = stub.StreamOffers(&context_, v1::StreamOffersRequest());
      v1::OfferEvent event;
      while (reader->Read(&event)) {
        std::lock_guard lock(mutex_);
        events_.push_back(event);
      }
      grpc::Status status = reader->Finish();
      std::lock_guard lock(mutex_);
      status_ = status;
    });
  }
  ~FeedReader() {
    context_.TryCancel();
    thread_.join();
  }

  // The staff member hangs up.
  void cancel() { context_.TryCancel(); }
  std::vector<v1::OfferEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  // Task ids of the offers received so far, one per event, in order.
  std::vector<std::string> offered() {
    std::vector<std::string> ids;
    for (const auto& event : events()) {
      if (event.has_offered()) ids.push_back(event.offered().task_id());
    }
    return ids;
  }
  // How the call ended, once it has.
  std::optional<grpc::Status> status() {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  grpc::ClientContext context_;
  std::mutex mutex_;
  std::vector<v1::OfferEvent> events_;
  std::optional<grpc::Status> status_;
  std::thread thread_;
};

v1::Offer offer_of(const std::string& task_id) {
  v1::Offer offer;
  offer.set_task_id(task_id);
  offer.set_matter_id("m-" + task_id);
  return offer;
}

// OfferFeeds behind a real gRPC server on a free local port, with the offer source in memory.
class OfferFeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    queues_ = std::make_unique<CompletionQueues>(builder, 2);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
    ASSERT_NE(port, 0);
    queues_->start();
    feeds_.serve(*queues_, [this](grpc::ServerContext* context, grpc::ByteBuffer* request,
                                  grpc::ServerAsyncWriter<v1::OfferEvent>* writer,
                                  grpc::ServerCompletionQueue* queue, void* tag) {
      service_.request(context, request, writer, queue, tag);
    });
    stub_ = v1::WorkerGateway::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                           grpc::InsecureChannelCredentials()));
    source.admit("ann-token", ann);
    source.admit("bob-token", bob);
  }

  // The gateway's shutdown order (Node): feeds, server, the feeds' queues.
  void TearDown() override {
    readers_.clear();
    feeds_.stop();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    EXPECT_TRUE(feeds_.wait_for_streams(10s));
    if (queues_) queues_->shutdown();
  }

  FeedReader& open_feed(const std::string& token) {
    readers_.push_back(std::make_unique<FeedReader>(*stub_, token));
    return *readers_.back();
  }
  std::string channel_of(const StaffIdentity& me) {
    return keys::staff_channel(me.pool, me.staff_id);
  }

  const StaffIdentity ann{kFeedPool, "ann"};
  const StaffIdentity bob{kFeedPool, "bob"};
  testing::FakeChangeSignals signals;
  testing::FakeOfferSource source{signals};
  StreamOffersOnly service_;
  OfferFeeds feeds_{source, signals};
  std::unique_ptr<CompletionQueues> queues_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::WorkerGateway::Stub> stub_;
  std::vector<std::unique_ptr<FeedReader>> readers_;
};

TEST_F(OfferFeedsTest, EachFeedGetsItsOwnOffersWhenTheSignalsAnnounceThem) {
  FeedReader& anns = open_feed("ann-token");
  FeedReader& bobs = open_feed("bob-token");
  // Both feeds are open and looked at once, with nothing on offer yet.
  ASSERT_TRUE(testing::eventually([&] { return source.looks() >= 2; }, kWithin));
  ASSERT_TRUE(testing::eventually(
      [&] {
        return signals.watchers(channel_of(ann)) == 1 && signals.watchers(channel_of(bob)) == 1;
      },
      kWithin));

  source.put_up(ann, offer_of("t-ann"));
  source.put_up(bob, offer_of("t-bob"));
  signals.announce(channel_of(ann));
  signals.announce(channel_of(bob));
  ASSERT_TRUE(testing::eventually([&] { return !anns.offered().empty(); }, kWithin));
  ASSERT_TRUE(testing::eventually([&] { return !bobs.offered().empty(); }, kWithin));
  EXPECT_EQ(anns.offered(), std::vector<std::string>{"t-ann"});
  EXPECT_EQ(anns.events()[0].offered().matter_id(), "m-t-ann");
  EXPECT_EQ(bobs.offered(), std::vector<std::string>{"t-bob"});

  source.withdraw(ann, "t-ann");
  signals.announce(channel_of(ann));
  ASSERT_TRUE(testing::eventually([&] { return anns.events().size() == 2; }, kWithin));
  EXPECT_EQ(anns.events()[1].withdrawn_task_id(), "t-ann");
}

TEST_F(OfferFeedsTest, StopEndsEveryFeedWithOk) {
  source.put_up(ann, offer_of("t-ann"));
  FeedReader& anns = open_feed("ann-token");
  FeedReader& bobs = open_feed("bob-token");
  ASSERT_TRUE(testing::eventually([&] { return !anns.offered().empty(); }, kWithin));
  ASSERT_TRUE(testing::eventually([&] { return source.looks() >= 2; }, kWithin));

  feeds_.stop();
  ASSERT_TRUE(testing::eventually([&] { return anns.status() && bobs.status(); }, kWithin));
  EXPECT_EQ(anns.status()->error_code(), grpc::StatusCode::OK) << anns.status()->error_message();
  EXPECT_EQ(bobs.status()->error_code(), grpc::StatusCode::OK) << bobs.status()->error_message();
  EXPECT_EQ(anns.offered(), std::vector<std::string>{"t-ann"});
}

TEST_F(OfferFeedsTest, AReconnectOfTheSignalsResendsEverything) {
  source.put_up(ann, offer_of("t-ann"));
  FeedReader& anns = open_feed("ann-token");
  ASSERT_TRUE(testing::eventually([&] { return anns.offered().size() == 1; }, kWithin));

  signals.reconnect();
  ASSERT_TRUE(testing::eventually([&] { return anns.offered().size() == 2; }, kWithin));
  EXPECT_EQ(anns.offered(), (std::vector<std::string>{"t-ann", "t-ann"}));
}

TEST_F(OfferFeedsTest, AnUnknownTokenIsRefused) {
  FeedReader& stranger = open_feed("no-such-token");
  ASSERT_TRUE(testing::eventually([&] { return stranger.status().has_value(); }, kWithin));
  EXPECT_EQ(stranger.status()->error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(stranger.events().empty());
  EXPECT_EQ(source.looks(), 0u);
}

TEST_F(OfferFeedsTest, AFeedThatEndsStopsWatchingItsChannel) {
  FeedReader& anns = open_feed("ann-token");
  ASSERT_TRUE(testing::eventually([&] { return signals.watchers(channel_of(ann)) == 1; }, kWithin));

  anns.cancel();
  ASSERT_TRUE(testing::eventually([&] { return anns.status().has_value(); }, kWithin));
  EXPECT_TRUE(testing::eventually([&] { return signals.watchers(channel_of(ann)) == 0; }, kWithin));
}

TEST_F(OfferFeedsTest, AFeedThatFoundTheStoreAwayLooksAgainSoonWithoutASignal) {
  source.set_away(true);
  FeedReader& anns = open_feed("ann-token");
  ASSERT_TRUE(testing::eventually([&] { return source.looks() >= 1; }, kWithin));

  source.put_up(ann, offer_of("t-ann"));
  source.set_away(false);
  ASSERT_TRUE(testing::eventually([&] { return !anns.offered().empty(); }, kWithin));
  EXPECT_EQ(anns.offered(), std::vector<std::string>{"t-ann"});
}

}  // namespace
}  // namespace lexroute
