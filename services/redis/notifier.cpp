#include "services/redis/notifier.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <utility>

#include "services/common/log.h"

namespace lexroute {

Notifier::Notifier(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  thread_ = std::thread([this] { run(); });
}

Notifier::~Notifier() { stop(); }

void Notifier::stop() {
  stopping_ = true;
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Notifier::generation(const std::string& channel) {
  std::lock_guard lock(mutex_);
  return generations_[channel] + reconnects_;
}

uint64_t Notifier::connections() {
  std::lock_guard lock(mutex_);
  return reconnects_;
}

void Notifier::wait(const std::string& channel, uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    return stopping_.load() || generations_[channel] + reconnects_ != seen;
  });
}

namespace {
constexpr size_t kMaxBufferedWakes = 100000;

bool is_wake_channel(const std::string& channel) {
  return channel.size() > 5 && channel.compare(channel.size() - 5, 5, ":wake") == 0;
}
}  // namespace

void Notifier::bump(const std::string& channel, std::string payload) {
  {
    std::lock_guard lock(mutex_);
    ++generations_[channel];
    if (is_wake_channel(channel)) {
      WakeBuffer& b = wake_[channel];
      if (b.messages.size() < kMaxBufferedWakes) {
        b.messages.push_back(std::move(payload));
      } else {
        b.complete = false;
      }
    }
  }
  changed_.notify_all();
}

std::vector<std::string> Notifier::take_wake_messages(const std::string& channel, bool* complete) {
  std::lock_guard lock(mutex_);
  WakeBuffer& b = wake_[channel];
  *complete = b.complete;
  b.complete = true;
  return std::exchange(b.messages, {});
}

void Notifier::run() {
  while (!stopping_.load()) {
    timeval tv{1, 0};
    redisContext* ctx = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
    if (ctx == nullptr || ctx->err != 0) {
      if (ctx) redisFree(ctx);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    redisAppendCommand(ctx, "PSUBSCRIBE lx:*:notify:* lx:*:wake");
    int done = 0;
    while (!done && redisBufferWrite(ctx, &done) == REDIS_OK) {
    }
    {
      // Anything published while we were away is unknown: tell every waiter to look again.
      std::lock_guard lock(mutex_);
      ++reconnects_;
      for (auto& [name, buffer] : wake_) buffer.complete = false;
    }
    changed_.notify_all();
    bool healthy = true;
    while (healthy && !stopping_.load()) {
      pollfd pfd{ctx->fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, 200);
      if (ready < 0) break;
      if (ready == 0) continue;
      if (redisBufferRead(ctx) != REDIS_OK) break;
      void* raw = nullptr;
      while (redisGetReplyFromReader(ctx, &raw) == REDIS_OK && raw != nullptr) {
        auto* reply = static_cast<redisReply*>(raw);
        // pmessage: ["pmessage", pattern, channel, payload]
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4) {
          bump(std::string(reply->element[2]->str, reply->element[2]->len),
               std::string(reply->element[3]->str, reply->element[3]->len));
        }
        freeReplyObject(reply);
        raw = nullptr;
      }
      if (ctx->err != 0) healthy = false;
    }
    redisFree(ctx);
    if (!stopping_.load()) {
      LOG_WARN("redis", "pub/sub connection to ", endpoint_.to_string(), " lost; reconnecting");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace lexroute
