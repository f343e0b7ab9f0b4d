#include "services/gateway/worker_app_server.h"

#include <sys/resource.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "router/text.h"
#include "services/common/host_port.h"
#include "services/common/log.h"
#include "services/gateway/https_certificate.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/web_door_guards.h"
#include "services/gateway/worker_app_routes.h"

namespace lexroute {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Connections are cheap to wait on; these threads only move bytes.
constexpr int kIoThreads = 2;
// Requests that wait on Redis (sign-in, actions, a feed's session check) run here, so a slow
// store holds these threads, never the door.
constexpr size_t kHandlerThreads = 8;
constexpr auto kHandshakeDeadline = 10s;
// From the moment the door waits for a request until it has all of it: an idle keep-alive
// connection closes after this, and a client trickling its header gets no longer.
constexpr auto kRequestDeadline = 10s;
// The same once a request on the connection proved a session: long enough that a page's
// heartbeats (every 15 s) and actions reuse its connection instead of opening new ones.
constexpr auto kSignedInDeadline = 60s;
constexpr auto kWriteDeadline = 30s;
constexpr uint32_t kMaxHeader = 8 * 1024;
constexpr uint64_t kMaxBody = 64 * 1024;
// A comment line this often keeps proxies from closing an idle feed and finds pages gone.
constexpr auto kFeedKeepAlive = 10s;
// How often an open feed checks that its session still stands (signed out elsewhere, or the
// staff token revoked): a feed outlives its session by at most this long.
constexpr auto kFeedSessionCheck = 15s;
// A page this far behind in reading its feed is dropped; it reconnects and is sent everything.
constexpr size_t kMaxUnsentFeedBytes = 256 * 1024;
// File descriptors kept for Redis, Kafka, gRPC and the rest when sizing the door.
constexpr size_t kReservedFiles = 1024;

// One chunk of a chunked body.
std::string chunk(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return cat(std::string_view(size, n), data, "\r\n");
}

// Raises the soft open-file limit to the hard one; answers how many files may be open.
size_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? SIZE_MAX : static_cast<size_t>(limit.rlim_cur);
}

}  // namespace

// A connection the door can close from any thread.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  virtual void shut() = 0;
};

struct WorkerAppServer::Door {
  Door(WorkerDesk& desk, SessionStore& sessions, LiveFeeds& live, bool https,
       WebDoorMetrics* door_metrics, WebDoorLimits::Settings settings)
      : routes(desk, sessions, https), feeds(live), metrics(door_metrics), limits(settings) {}

  // Destroyed last but for what its handlers use, which are below it.
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(kIoThreads);
  asio::thread_pool handlers{kHandlerThreads};
  std::unique_ptr<HttpsCertificate> certificate;
  std::unique_ptr<asio::ssl::context> tls;  // over HTTPS
  std::unique_ptr<tcp::acceptor> acceptor;
  WorkerAppRoutes routes;
  LiveFeeds& feeds;
  WebDoorMetrics* metrics;  // may be null
  WebDoorLimits limits;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> threads;

  std::mutex mutex;
  std::unordered_map<WebDoorLimits::Connection, std::weak_ptr<Connection>> open;  // mutex
  WebDoorLimits::Connection next_id = 1;                                          // mutex

  void shut(WebDoorLimits::Connection id) {
    std::shared_ptr<Connection> connection;
    {
      std::lock_guard lock(mutex);
      if (auto it = open.find(id); it != open.end()) connection = it->second.lock();
    }
    if (connection) connection->shut();
  }
  void forget(WebDoorLimits::Connection id) {
    limits.closed(id);
    {
      std::lock_guard lock(mutex);
      open.erase(id);
    }
    count();
  }
  // Sets the gauges from the limits' counts.
  void count() {
    if (!metrics) return;
    size_t anonymous = limits.anonymous();
    size_t all = limits.connections();
    metrics->holding(anonymous, all > anonymous ? all - anonymous : 0, limits.feeds());
  }
  asio::awaitable<void> accept();
  template <typename Stream>
  void serve(tcp::socket socket);
};

namespace {

// One client connection, plain or TLS, on a strand of its own: requests one after the other
// (HTTP/1.1 keep-alive), and once a request opens the offer feed, that feed until it ends.
template <typename Stream>
class Session final : public Connection {
 public:
  Session(WorkerAppServer::Door& door, WebDoorLimits::Connection id, Stream stream)
      : door_(door), id_(id), stream_(std::move(stream)), wake_(stream_.get_executor()) {}
  ~Session() override { door_.forget(id_); }

  using Executor = typename Stream::executor_type;

  Executor get_executor() { return stream_.get_executor(); }

  void shut() override {
    asio::post(stream_.get_executor(), [self = shared_from_this(), this] {
      closing_ = true;
      wake_.cancel();
      beast::get_lowest_layer(stream_).close();
    });
  }

  asio::awaitable<void> run();

 private:
  class PageFeed;

  auto& socket_layer() { return beast::get_lowest_layer(stream_); }
  asio::awaitable<bool> write_response(WebResponse& response);
  asio::awaitable<void> serve_feed(WebAnswer& answer);
  asio::awaitable<bool> write_text(std::string text);

  WorkerAppServer::Door& door_;
  const WebDoorLimits::Connection id_;
  Stream stream_;
  asio::steady_timer wake_;  // a feed waits on it for news
  bool closing_ = false;

  // The feed's news, on the strand.
  std::string unsent_;
  bool feed_ended_ = false;
};

// What LiveFeeds hands a page's news to: passed onto the connection's strand as SSE text.
template <typename Stream>
class Session<Stream>::PageFeed final : public FeedReceiver {
 public:
  explicit PageFeed(std::weak_ptr<Session> session) : session_(std::move(session)) {}

  void receive(std::vector<v1::OfferEvent> events, bool first) override {
    std::string text;
    for (const auto& event : events) text += cat("data: ", json::from_message(event), "\n\n");
    // Everything open was sent: a page that reconnected drops what was not sent again.
    if (first) text += "event: synced\ndata: {}\n\n";
    pass([text = std::move(text)](Session& s) {
      s.unsent_ += text;
      // A page that stopped reading: drop it rather than hold its backlog.
      if (s.unsent_.size() > kMaxUnsentFeedBytes) s.feed_ended_ = true;
    });
  }
  void end() override {
    pass([](Session& s) { s.feed_ended_ = true; });
  }

 private:
  template <typename Change>
  void pass(Change change) {
    // A live session keeps the door, and so its strand, alive.
    auto session = session_.lock();
    if (!session) return;
    asio::post(session->stream_.get_executor(), [session, change = std::move(change)] {
      change(*session);
      session->wake_.cancel();
    });
  }

  std::weak_ptr<Session> session_;
};

template <typename Stream>
asio::awaitable<void> Session<Stream>::run() {
  auto self = this->shared_from_this();
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    socket_layer().expires_after(kHandshakeDeadline);
    auto [handshake] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (handshake) co_return;
  }
  beast::flat_buffer buffer;
  bool signed_in = false;
  while (!closing_ && !door_.stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeader);
    parser.body_limit(kMaxBody);
    socket_layer().expires_after(signed_in ? kSignedInDeadline : kRequestDeadline);
    auto [read, bytes] = co_await http::async_read(stream_, buffer, parser, kTuple);
    (void)bytes;
    if (read == http::error::body_limit || read == http::error::header_limit) {
      WebRequest refused;
      refused.version(11);
      refused.keep_alive(false);
      bool body = read == http::error::body_limit;
      auto response = web_door::error_response(
          refused, body ? 413 : 431,
          {Errc::kInvalidArgument, body ? "request body too large" : "request header too large",
           body ? "body" : "header"});
      co_await write_response(response);
      break;
    }
    if (read) break;
    socket_layer().expires_never();
    door_.limits.request_in(id_);
    WebRequest request = parser.release();
    WebAnswer answer = co_await asio::co_spawn(
        door_.handlers,
        [this, &request]() -> asio::awaitable<WebAnswer> {
          co_return door_.routes.answer(request);
        },
        asio::use_awaitable);
    if (answer.feed_for) {
      co_await serve_feed(answer);
      break;
    }
    door_.limits.request_out(id_, answer.signed_in);
    signed_in = signed_in || answer.signed_in;
    door_.count();
    bool keep_alive = answer.response.keep_alive();
    if (!co_await write_response(answer.response) || !keep_alive) break;
  }
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  } else if (!closing_) {
    socket_layer().expires_after(1s);
    co_await stream_.async_shutdown(kTuple);
  }
}

template <typename Stream>
asio::awaitable<bool> Session<Stream>::write_response(WebResponse& response) {
  socket_layer().expires_after(kWriteDeadline);
  auto [wrote, bytes] = co_await http::async_write(stream_, response, kTuple);
  (void)bytes;
  socket_layer().expires_never();
  co_return !wrote;
}

template <typename Stream>
asio::awaitable<bool> Session<Stream>::write_text(std::string text) {
  socket_layer().expires_after(kWriteDeadline);
  auto [wrote, bytes] = co_await asio::async_write(stream_, asio::buffer(text), kTuple);
  (void)bytes;
  socket_layer().expires_never();
  co_return !wrote && !closing_;
}

// Server-Sent Events in a chunked body, until the page goes, the session ends, the page falls
// too far behind, the feed is replaced by a newer one of the same session or staff member, or
// the door stops.
template <typename Stream>
asio::awaitable<void> Session<Stream>::serve_feed(WebAnswer& answer) {
  const StaffIdentity& me = *answer.feed_for;
  auto older = door_.limits.open_feed(id_, answer.session, cat(me.pool, "/", me.staff_id));
  for (auto connection : older) door_.shut(connection);
  if (door_.metrics && !older.empty()) door_.metrics->feeds_replaced(older.size());
  door_.count();
  socket_layer().expires_after(kWriteDeadline);
  http::response_serializer<http::string_body> header(answer.response);
  auto [wrote, bytes] = co_await http::async_write_header(stream_, header, kTuple);
  (void)bytes;
  if (wrote) co_return;
  socket_layer().expires_never();
  auto feed = door_.feeds.open(
      me, std::make_shared<PageFeed>(std::static_pointer_cast<Session>(this->shared_from_this())));
  unsent_ = "retry: 1000\n\n" + unsent_;
  auto last_write = SteadyClock::now();
  auto last_check = SteadyClock::now();
  while (!closing_) {
    if (!unsent_.empty() && !feed_ended_) {
      std::string text = chunk(std::exchange(unsent_, {}));
      if (!co_await write_text(std::move(text))) break;
      last_write = SteadyClock::now();
      continue;
    }
    if (feed_ended_) {
      co_await write_text("0\r\n\r\n");
      break;
    }
    auto now = SteadyClock::now();
    if (now - last_check >= kFeedSessionCheck) {
      last_check = now;
      bool stands = co_await asio::co_spawn(
          door_.handlers,
          [this, &answer]() -> asio::awaitable<bool> {
            co_return door_.routes.session_stands(answer.session);
          },
          asio::use_awaitable);
      if (!stands) feed_ended_ = true;
      continue;
    }
    if (now - last_write >= kFeedKeepAlive) {
      unsent_ = ": alive\n\n";
      continue;
    }
    wake_.expires_at(std::min(last_write + kFeedKeepAlive, last_check + kFeedSessionCheck));
    co_await wake_.async_wait(kTuple);
  }
  door_.feeds.close(feed);
}

}  // namespace

template <typename Stream>
void WorkerAppServer::Door::serve(tcp::socket socket) {
  WebDoorLimits::Connection id;
  {
    std::lock_guard lock(mutex);
    id = next_id++;
  }
  auto admission = limits.admit(id);
  if (admission.evict) {
    shut(*admission.evict);
    if (metrics) metrics->evicted(admission.evict_signed_in);
  }
  if (!admission.admitted) {
    if (metrics) metrics->refused_full();
    return;  // the socket closes: the door is full of signed-in pages
  }
  std::shared_ptr<Session<Stream>> session;
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    session = std::make_shared<Session<Stream>>(*this, id, Stream(std::move(socket)));
  } else {
    session = std::make_shared<Session<Stream>>(*this, id, Stream(std::move(socket), *tls));
  }
  {
    std::lock_guard lock(mutex);
    open[id] = session;
  }
  count();
  auto executor = session->get_executor();
  // The lambda, kept by co_spawn until the coroutine ends, keeps the session alive.
  asio::co_spawn(
      executor, [session]() -> asio::awaitable<void> { co_await session->run(); }, asio::detached);
}

asio::awaitable<void> WorkerAppServer::Door::accept() {
  bool told_full = false;
  while (!stopping) {
    auto [accepted, socket] = co_await acceptor->async_accept(asio::make_strand(*io), kTuple);
    if (stopping || accepted == asio::error::operation_aborted) co_return;
    if (accepted) {
      // Out of file descriptors, most likely: wait rather than spin.
      if (!told_full) LOG_WARN("gateway", "worker app cannot accept: ", accepted.message());
      told_full = true;
      asio::steady_timer pause(co_await asio::this_coro::executor, 100ms);
      co_await pause.async_wait(kTuple);
      continue;
    }
    told_full = false;
    if (tls) {
      serve<beast::ssl_stream<beast::tcp_stream>>(std::move(socket));
    } else {
      serve<beast::tcp_stream>(std::move(socket));
    }
  }
}

Result<std::unique_ptr<WorkerAppServer>> WorkerAppServer::start(
    const std::string& listen, WorkerDesk& desk, SessionStore& sessions, LiveFeeds& feeds,
    const ServerTls& tls, WebDoorMetrics* metrics, WebDoorLimits::Settings limits) {
  auto address = parse_host_port(listen, "http-listen", PortZero::kAnyFree);
  if (!address) return std::unexpected(address.error());
  size_t files = open_file_limit();
  size_t room = files > 2 * kReservedFiles ? files - kReservedFiles : files / 2;
  if (limits.connections > room) {
    LOG_WARN("gateway", "worker app holds at most ", room, " connections (open-file limit ", files,
             "); raise the limit (ulimit -n) for more");
    limits.connections = room;
  }
  limits.anonymous = std::min(limits.anonymous, limits.connections);
  std::unique_ptr<WorkerAppServer> server(new WorkerAppServer());
  server->door_ = std::make_unique<Door>(desk, sessions, feeds, tls.enabled(), metrics, limits);
  Door& door = *server->door_;
  if (tls.enabled()) {
    door.certificate = std::make_unique<HttpsCertificate>(tls);
    door.tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    if (!door.certificate->install(*door.tls->native_handle())) {
      return fail(Errc::kInvalidArgument, "the worker app cannot serve HTTPS with " + tls.cert_file,
                  "tls-cert");
    }
  }
  beast::error_code failed;
  tcp::endpoint endpoint(asio::ip::make_address(address->host, failed),
                         static_cast<unsigned short>(address->port));
  if (failed) {
    // A name, not an address: the first address it resolves to.
    tcp::resolver resolver(*door.io);
    auto found = resolver.resolve(address->host, std::to_string(address->port), failed);
    if (!failed && !found.empty()) endpoint = found.begin()->endpoint();
  }
  door.acceptor = std::make_unique<tcp::acceptor>(*door.io);
  if (!failed) door.acceptor->open(endpoint.protocol(), failed);
  if (!failed) door.acceptor->set_option(asio::socket_base::reuse_address(true), failed);
  if (!failed) door.acceptor->bind(endpoint, failed);
  if (!failed) door.acceptor->listen(asio::socket_base::max_listen_connections, failed);
  if (failed) {
    return fail(Errc::kUnavailable, cat("cannot listen on ", listen, ": ", failed.message()),
                "http-listen");
  }
  server->address_ = cat(address->host, ":", door.acceptor->local_endpoint().port());
  asio::co_spawn(*door.io, door.accept(), asio::detached);
  for (int i = 0; i < kIoThreads; ++i) door.threads.emplace_back([&door] { door.io->run(); });
  return server;
}

void WorkerAppServer::stop() {
  if (!door_ || door_->stopping.exchange(true)) return;
  Door& door = *door_;
  asio::post(*door.io, [&door] { door.acceptor->close(); });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(door.mutex);
    for (auto& [id, weak] : door.open) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->shut();
  open.clear();
  // Requests in flight finish (the desk is stopping, so they are quick); their answers go
  // nowhere. Then every connection's coroutine ends, and the threads with them.
  door.handlers.join();
  auto until = SteadyClock::now() + 2s;
  while (door.limits.connections() > 0 && SteadyClock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  door.io->stop();
  for (auto& t : door.threads) t.join();
  door.acceptor.reset();
  door.io.reset();  // what was left of the connections, while what they use is still here
}

WorkerAppServer::~WorkerAppServer() { stop(); }

}  // namespace lexroute
