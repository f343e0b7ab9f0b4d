#include "services/redis/notifier.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "services/common/log.h"
#include "services/redis/cluster_router.h"
#include "services/redis/redis_connection.h"

namespace lexroute {
namespace {
// How long the first question about a channel waits for its subscription: one round trip when
// Redis is there; when it is not, the caller goes on (and learns of changes by its timeout).
constexpr auto kSubscribeWait = std::chrono::milliseconds(500);
// How often, in Sentinel mode, the subscription checks it is on the master the sentinels name,
// and how long it waits for each sentinel then.
constexpr auto kSubscriptionMasterRecheck = std::chrono::seconds(1);
constexpr auto kSubscriptionSentinelAsk = std::chrono::milliseconds(250);
constexpr auto kSubscriptionMapRecheck = std::chrono::seconds(5);
// How long a channel nobody asks about any more stays subscribed.
constexpr auto kUnsubscribeAfter = std::chrono::seconds(10);
}  // namespace

Notifier::Notifier(RedisEndpoint endpoint)
    : endpoint_(std::move(endpoint)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  thread_ = std::thread([this] { run(); });
}

Notifier::~Notifier() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_everyone();
    wanted_changed();
  }
  subscription_confirmed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::wanted_changed() {
  wanted_changed_ = true;
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof(one));
}

void Notifier::await_subscription(std::unique_lock<std::mutex>& lock, const std::string& channel) {
  subscription_confirmed_.wait_for(
      lock, kSubscribeWait, [&] { return stopping_.load() || subscribed_.contains(channel); });
}

Notifier::Channel& Notifier::channel_of(const std::string& name) {
  auto [it, created] = channels_.try_emplace(name);
  if (created) {
    it->second.generation = ++last_generation_;
    wanted_changed();
  }
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
  std::unique_lock lock(mutex_);
  channel_of(channel);
  await_subscription(lock, channel);
  // Looked up again: while this thread waited, the channel may have been forgotten and re-made.
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
  if (!c.watched()) {
    channels_.erase(channel);
    wanted_changed();
  }
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
  if (!it->second.watched()) {
    channels_.erase(it);
    wanted_changed();
  }
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
  std::unique_lock lock(mutex_);
  if (wake_.try_emplace(channel).second) {
    wanted_changed();
    await_subscription(lock, channel);
  }
  WakeBuffer& b = wake_[channel];
  *complete = b.complete;
  b.complete = true;
  return std::exchange(b.messages, {});
}

void Notifier::connected() {
  // Anything published while we were away is unknown: tell every waiter to look again.
  ++reconnects_;
  for (auto& [name, buffer] : wake_) buffer.complete = false;
  wake_everyone();
}

namespace {
// One subscription connection: to a cluster master (`node` its address), or to the one server.
struct SubscriptionLink {
  redisContext* ctx = nullptr;
  std::unordered_set<std::string> channels;  // SSUBSCRIBE sent here
};

std::string reply_string(const redisReply* r) {
  return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}
}  // namespace

void Notifier::run() {
  // In a cluster: the slot map, to subscribe to each channel on the master serving it.
  std::unique_ptr<ClusterRouter> router;
  if (endpoint_.uses_cluster()) {
    router = std::make_unique<ClusterRouter>(
        ClusterRouter::Options{endpoint_, 1, std::chrono::seconds(1)});
  }
  std::map<std::string, SubscriptionLink> links;        // by node; "" without a cluster
  std::unordered_map<std::string, std::string> placed;  // channel -> its link's node
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> unwanted_since;
  auto last_look = std::chrono::steady_clock::now();
  auto master_asked = last_look;
  auto map_asked = last_look;
  auto forget = [&](const std::string& channel) {
    placed.erase(channel);
    unwanted_since.erase(channel);
    std::lock_guard lock(mutex_);
    subscribed_.erase(channel);
    wanted_changed_ = true;
  };
  auto drop_link = [&](const std::string& node) {
    auto it = links.find(node);
    if (it == links.end()) return;
    redisFree(it->second.ctx);
    for (const auto& channel : it->second.channels) forget(channel);
    links.erase(it);
    if (router) router->map_changed();
  };

  while (!stopping_.load()) {
    // Where to listen: every master of the cluster, or the one server (the master the sentinels
    // name now, in Sentinel mode), the same way in as every pool connection.
    std::map<std::string, RedisEndpoint> nodes;
    if (router) {
      if (auto map = router->slot_map(); map) {
        for (const auto& master : (*map)->masters) {
          nodes[master.to_string()] = router->node_endpoint(master);
        }
      }
    } else {
      nodes[""] = endpoint_;
    }
    bool unreachable = false;
    for (auto it = links.begin(); it != links.end();) {
      std::string node = (it++)->first;
      if (!nodes.contains(node)) drop_link(node);  // no longer a master
    }
    for (const auto& [node, endpoint] : nodes) {
      if (links.contains(node)) continue;
      auto opened = open_redis_connection(endpoint, std::chrono::seconds(1));
      if (!opened) {
        if (router) router->map_changed();
        unreachable = true;
        continue;
      }
      links[node].ctx = *opened;
      std::lock_guard lock(mutex_);
      connected();
      wanted_changed_ = true;
    }

    std::vector<std::string> wanted;
    bool look = false;
    {
      std::lock_guard lock(mutex_);
      look = std::exchange(wanted_changed_, false);
      if (look) {
        for (const auto& [name, c] : channels_) wanted.push_back(name);
        for (const auto& [name, b] : wake_) wanted.push_back(name);
      }
    }
    auto now = std::chrono::steady_clock::now();
    // Cluster mode: the map is read again now and then even when nothing said it changed, so a
    // subscription never stays on a node that no longer serves its channel's slot.
    if (router && now - map_asked > kSubscriptionMapRecheck) {
      map_asked = now;
      router->map_changed();
    }
    // Sentinel mode: SPUBLISH is not passed on to replicas outside a cluster, so a connection
    // left on a master demoted by a switchover would hear nothing until it breaks.
    if (endpoint_.uses_sentinels() && links.contains("") &&
        now - master_asked > kSubscriptionMasterRecheck) {
      master_asked = now;
      auto named = ask_sentinels_for_master(endpoint_, kSubscriptionSentinelAsk);
      HostPort at = connected_address(links[""].ctx);
      if (named && (named->host != at.host || named->port != at.port)) {
        LOG_INFO("redis", "pub/sub moves to the master the sentinels name now, ",
                 named->to_string());
        drop_link("");
        continue;
      }
    }
    // Forgotten channels are given up only after a while: a feed forgets its channel between
    // two looks and asks again at once, and should find it still subscribed.
    if (!look && now - last_look > kUnsubscribeAfter) {
      std::lock_guard lock(mutex_);
      for (const auto& [name, c] : channels_) wanted.push_back(name);
      for (const auto& [name, b] : wake_) wanted.push_back(name);
      look = true;
    }
    if (look) {
      last_look = now;
      std::unordered_set<std::string> want(wanted.begin(), wanted.end());
      for (auto it = placed.begin(); it != placed.end();) {
        if (want.contains(it->first)) {
          unwanted_since.erase(it->first);
          ++it;
          continue;
        }
        auto since = unwanted_since.try_emplace(it->first, now).first;
        if (now - since->second < kUnsubscribeAfter) {
          ++it;
          continue;
        }
        unwanted_since.erase(since);
        if (auto link = links.find(it->second); link != links.end()) {
          redisAppendCommand(link->second.ctx, "SUNSUBSCRIBE %b", it->first.data(),
                             it->first.size());
          link->second.channels.erase(it->first);
        }
        {
          std::lock_guard lock(mutex_);
          subscribed_.erase(it->first);
        }
        it = placed.erase(it);
      }
      for (const auto& channel : wanted) {
        if (placed.contains(channel)) continue;
        std::string node;
        if (router) {
          auto master = router->master_of(channel);
          node = master ? master->to_string() : std::string();
        }
        auto link = links.find(node);
        if (link == links.end()) {
          std::lock_guard lock(mutex_);
          wanted_changed_ = true;  // once its master is reachable
          continue;
        }
        redisAppendCommand(link->second.ctx, "SSUBSCRIBE %b", channel.data(), channel.size());
        link->second.channels.insert(channel);
        placed[channel] = node;
      }
    }
    for (auto& [node, link] : links) {
      int done = 0;
      while (!done && redisBufferWrite(link.ctx, &done) == REDIS_OK) {
      }
    }

    // Not a loop of connection attempts while Redis is away, however often channels change.
    if (unreachable) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
    std::vector<std::string> fd_nodes;
    for (const auto& [node, link] : links) {
      fds.push_back({link.ctx->fd, POLLIN, 0});
      fd_nodes.push_back(node);
    }
    if (::poll(fds.data(), fds.size(), 200) < 0) continue;
    if ((fds[0].revents & POLLIN) != 0) {
      uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof(count));
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      const std::string& node = fd_nodes[i - 1];
      SubscriptionLink& link = links[node];
      bool healthy = redisBufferRead(link.ctx) == REDIS_OK;
      void* raw = nullptr;
      while (healthy && redisGetReplyFromReader(link.ctx, &raw) == REDIS_OK && raw != nullptr) {
        std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(static_cast<redisReply*>(raw),
                                                                      &freeReplyObject);
        raw = nullptr;
        if (reply->type == REDIS_REPLY_ERROR) {
          // MOVED: the map changed under a subscription; start this link over.
          healthy = false;
          break;
        }
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;
        std::string kind = reply_string(reply->element[0]);
        std::string channel = reply_string(reply->element[1]);
        if (kind == "smessage") {
          bump(channel, reply_string(reply->element[2]));
        } else if (kind == "ssubscribe" && link.channels.contains(channel)) {
          {
            std::lock_guard lock(mutex_);
            subscribed_.insert(channel);
            // watch() does not wait for this: its watchers look again now, so nothing published
            // between their first look and the subscription is missed.
            if (auto it = channels_.find(channel);
                it != channels_.end() && !it->second.watchers.empty()) {
              it->second.generation = ++last_generation_;
              it->second.announce();
            }
          }
          subscription_confirmed_.notify_all();
        } else if (kind == "sunsubscribe" && link.channels.contains(channel)) {
          // Not asked for: the channel's slot left this master. Subscribed again where it went.
          link.channels.erase(channel);
          forget(channel);
          if (router) router->map_changed();
        }
      }
      if (!healthy || link.ctx->err != 0) {
        if (!stopping_.load()) {
          LOG_WARN("redis", "pub/sub connection to ", node.empty() ? endpoint_.to_string() : node,
                   " lost; reconnecting");
        }
        drop_link(node);
      }
    }
  }
  for (auto& [node, link] : links) redisFree(link.ctx);
}

}  // namespace lexroute
