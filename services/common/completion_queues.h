#pragma once

#include <grpcpp/completion_queue.h>

#include <memory>
#include <thread>
#include <vector>

namespace grpc {
class ServerBuilder;
}

namespace lexroute {

// A few completion queues of our own, each drained by one thread, for calls that stay open all day
// (the offer feeds, on the server and in the load tester). Why not gRPC's callback API, as the
// short calls use: Debian's libgrpc
// is built without NDEBUG, and in that build every completion searches its queue's outstanding
// operations one by one, under the queue's lock. Each open stream keeps one outstanding, and on
// the callback API every call of the process shares one queue, so with 100,000 staff connected
// every submit, accept and complete would scan 100,000 entries (docs/performance.md, "Measured
// choices"). Here the feeds are spread over queues of their own: a feed's completion scans its
// shard, and the short calls scan none of the feeds.
class CompletionQueues {
 public:
  // An operation waiting on one of the queues; `complete` runs on that queue's thread.
  class Tag {
   public:
    virtual void complete(bool ok) = 0;

   protected:
    ~Tag() = default;
  };

  // A Tag that calls `owner->*react(ok)`: one per kind of operation a call starts, kept in the
  // call's object.
  template <typename Owner>
  class Step final : public Tag {
   public:
    Step(Owner* owner, void (Owner::*react)(bool)) : owner_(owner), react_(react) {}
    void complete(bool ok) override { (owner_->*react_)(ok); }

   private:
    Owner* owner_;
    void (Owner::*react_)(bool);
  };

  // Adds `count` queues to the server being built.
  CompletionQueues(grpc::ServerBuilder& builder, size_t count);
  // `count` queues for client calls.
  explicit CompletionQueues(size_t count);
  // shutdown(), if not yet done.
  ~CompletionQueues();
  CompletionQueues(const CompletionQueues&) = delete;
  CompletionQueues& operator=(const CompletionQueues&) = delete;

  size_t size() const { return queues_.size(); }
  grpc::CompletionQueue* at(size_t i) const { return queues_[i].get(); }
  // Only for the queues added to a server.
  grpc::ServerCompletionQueue* server_at(size_t i) const;

  // Starts each queue's thread; once the server is started.
  void start();
  // Once the server has shut down (it needs the threads until then): ends the queues and waits
  // for their threads to drain them.
  void shutdown();

 private:
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues_;
  bool for_server_ = false;
  std::vector<std::thread> threads_;
  bool shut_down_ = false;
};

}  // namespace lexroute
