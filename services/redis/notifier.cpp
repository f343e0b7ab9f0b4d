#include "services/redis/notifier.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <utility>

#include "services/common/log.h"
#include "services/redis/redis_connection.h"

namespace lexroute {

Notifier::Notifier(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  thread_ = std::thread([this] { run(); });
}

Notifier::~Notifier() { stop(); }

void Notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_everyone();
  }
  if (thread_.joinable()) thread_.join();
}

Notifier::Channel& Notifier::channel_of(const std::string& name) {
  auto [it, created] = channels_.try_emplace(name);
  if (created) it->second.generation = ++last_generation_;
  return it->second;
}

void Notifier::Channel::announce() {
  if (waiters > 0) changed.notify_all();
  for (auto& [id, on_change] : watchers) on_change();
}

void Notifier::wake_everyone() {
  for (auto& [name, c] : channels_) {
    c.generation = ++last_generation_;
    c.announce();
  }
}

uint64_t Notifier::generation(const std::string& channel) {
  std::lock_guard lock(mutex_);
  return channel_of(channel).generation;
}

uint64_t Notifier::connections() {
  std::lock_guard lock(mutex_);
  return reconnects_;
}

void Notifier::wait(const std::string& channel, uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  Channel& c = channel_of(channel);
  ++c.waiters;
  c.changed.wait_for(lock, timeout, [&] { return stopping_.load() || c.generation != seen; });
  --c.waiters;
  if (!c.watched()) channels_.erase(channel);
}

Notifier::WatchId Notifier::watch(const std::string& channel, std::function<void()> on_change) {
  std::lock_guard lock(mutex_);
  WatchId id = ++last_watch_;
  channel_of(channel).watchers.emplace_back(id, std::move(on_change));
  return id;
}

void Notifier::unwatch(const std::string& channel, WatchId id) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  std::erase_if(it->second.watchers, [id](const auto& w) { return w.first == id; });
  if (!it->second.watched()) channels_.erase(it);
}

namespace {
constexpr size_t kMaxBufferedWakes = 100000;

bool is_wake_channel(const std::string& channel) {
  return channel.size() > 5 && channel.compare(channel.size() - 5, 5, ":wake") == 0;
}
}  // namespace

void Notifier::bump(const std::string& channel, std::string payload) {
  std::lock_guard lock(mutex_);
  bool wake = is_wake_channel(channel);
  auto it = channels_.find(channel);
  if (it == channels_.end() && !wake) return;  // nobody watches it
  Channel& c = it != channels_.end() ? it->second : channel_of(channel);
  c.generation = ++last_generation_;
  if (wake) {
    WakeBuffer& b = wake_[channel];
    if (b.messages.size() < kMaxBufferedWakes) {
      b.messages.push_back(std::move(payload));
    } else {
      b.complete = false;
    }
  }
  c.announce();
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
    // The same way in as every pool connection: AUTH, and the master the sentinels name now.
    auto opened = open_redis_connection(endpoint_, std::chrono::seconds(1));
    if (!opened) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    redisContext* ctx = *opened;
    redisAppendCommand(ctx, "PSUBSCRIBE lx:*:notify:* lx:*:wake");
    int done = 0;
    while (!done && redisBufferWrite(ctx, &done) == REDIS_OK) {
    }
    {
      // Anything published while we were away is unknown: tell every waiter to look again.
      std::lock_guard lock(mutex_);
      ++reconnects_;
      for (auto& [name, buffer] : wake_) buffer.complete = false;
      wake_everyone();
    }
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
