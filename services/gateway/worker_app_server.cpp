#include "services/gateway/worker_app_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "router/text.h"
#include "services/common/grpc_auth.h"
#include "services/common/host_port.h"
#include "services/common/log.h"
#include "services/common/secrets.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/web_assets.h"
#include "services/gateway/web_door_guards.h"

namespace lexroute {
namespace {

using namespace std::chrono_literals;
using namespace web_door;
using SteadyClock = std::chrono::steady_clock;

// Every open page holds one thread for its offer feed, so the pool is far larger than
// cpp-httplib's default (the core count), and feeds may take only part of it: sign-ins and
// actions always find a free thread.
constexpr size_t kThreads = 128;
constexpr int kMaxFeeds = 112;
// A comment line this often lets a feed notice a browser that went away.
constexpr auto kFeedKeepAlive = 10s;
// How often an open feed checks that its session still stands (signed out elsewhere, or the
// staff token revoked): a feed outlives its session by at most this long.
constexpr auto kFeedSessionCheck = 15s;
constexpr size_t kMaxBody = 64 * 1024;

const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

template <typename Message>
void send(httplib::Response& res, const Result<Message>& result) {
  if (!result) return send_error(res, result.error());
  res.set_content(json::from_message(*result), "application/json");
}

}  // namespace

struct WorkerAppServer::Routes {
  Routes(WorkerDesk& d, SessionStore& s, std::unique_ptr<httplib::Server> server, bool over_tls)
      : desk(d), sessions(s), served(std::move(server)), http(*served), https(over_tls) {}

  WorkerDesk& desk;
  SessionStore& sessions;
  std::unique_ptr<httplib::Server> served;  // an httplib::SSLServer over HTTPS
  httplib::Server& http;
  bool https;  // the session cookie is then Secure
  std::thread listener;
  std::atomic<int> feeds{0};

  // The signed-in staff member, or an error already written to `res`. State-changing requests
  // (`changes_state`) must also carry the session's CSRF token.
  std::optional<StaffIdentity> signed_in(const httplib::Request& req, httplib::Response& res,
                                         bool changes_state) {
    auto session = sessions.find(session_id(req));
    if (!session) {
      send_error(res, session.error());
      return std::nullopt;
    }
    if (changes_state) {
      std::string csrf = req.get_header_value(kCsrfHeader);
      if (csrf.empty() || !constant_time_equal(sha256_hex(csrf), session->csrf_sha256)) {
        send_error(res, 403,
                   {Errc::kFailedPrecondition,
                    "missing or wrong X-CSRF-Token: send the token sign-in returned", kCsrfHeader});
        return std::nullopt;
      }
    }
    return session->staff;
  }

  // A POST whose JSON body is a `Request`, answered by `act(me, request)`.
  template <typename Request, typename Act>
  void post(const std::string& path, Act act) {
    http.Post(path, [this, act](const httplib::Request& req, httplib::Response& res) {
      auto me = signed_in(req, res, true);
      if (!me) return;
      Request request;
      if (auto parsed = json::to_message(req.body, request); !parsed) {
        return send_error(res, parsed.error());
      }
      act(*me, request, res);
    });
  }

  void add_routes();
  void sign_in(const httplib::Request& req, httplib::Response& res);
  void sign_out(const httplib::Request& req, httplib::Response& res);
  void feed(const httplib::Request& req, httplib::Response& res);
};

void WorkerAppServer::Routes::add_routes() {
  http.set_payload_max_length(kMaxBody);
  http.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  http.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                            {"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Cache-Control", "no-store"}});

  // Before any route: refuse cross-site requests and credentials in URLs outright.
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (auto name = credential_in_url(req); !name.empty()) {
      send_error(res, {Errc::kInvalidArgument,
                       cat("credentials never go in a URL: remove '", name,
                           "' (sign in by POSTing the staff token in the body)"),
                       name});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET" && !same_origin(req)) {
      send_error(res, 403, {Errc::kFailedPrecondition, "cross-site request refused", "Origin"});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      send_error(res, 404,
                 {Errc::kNotFound,
                  cat("no ", bounded_quote(req.method), " ", bounded_quote(req.path)), ""});
    } else if (res.status == 413) {
      send_error(res, 413, {Errc::kInvalidArgument, "request body too large", "body"});
    }
  });

  http.Get(R"(/|/index\.html|/app\.js|/style\.css)",
           [](const httplib::Request& req, httplib::Response& res) {
             auto asset = web_asset(req.path);
             if (!asset)
               return send_error(res, 404, {Errc::kNotFound, "no " + bounded_quote(req.path), ""});
             res.set_content(std::string(asset->content), asset->content_type);
           });

  http.Post("/api/v1/sign-in",
            [this](const httplib::Request& req, httplib::Response& res) { sign_in(req, res); });
  http.Post("/api/v1/sign-out",
            [this](const httplib::Request& req, httplib::Response& res) { sign_out(req, res); });
  http.Get("/api/v1/me", [this](const httplib::Request& req, httplib::Response& res) {
    auto me = signed_in(req, res, false);
    if (me) send(res, desk.sign_in(*me));
  });
  http.Get("/api/v1/offers/stream",
           [this](const httplib::Request& req, httplib::Response& res) { feed(req, res); });

  post<v1::SetAvailabilityRequest>("/api/v1/availability",
                                   [this](const StaffIdentity& me, const auto& request, auto& res) {
                                     send(res, desk.set_availability(me, request));
                                   });
  post<v1::HeartbeatRequest>(
      "/api/v1/heartbeat",
      [this](const StaffIdentity& me, const auto&, auto& res) { send(res, desk.heartbeat(me)); });
  auto answer = [](httplib::Response& res, Result<v1::Task> task) {
    if (!task) return send_error(res, task.error());
    v1::OfferActionResponse response;
    *response.mutable_work() = to_offer(*task);
    res.set_content(json::from_message(response), "application/json");
  };
  post<v1::OfferActionRequest>("/api/v1/offers/accept",
                               [this, answer](const StaffIdentity& me, const auto& r, auto& res) {
                                 answer(res, desk.accept(me, r));
                               });
  post<v1::OfferActionRequest>("/api/v1/offers/reject",
                               [this, answer](const StaffIdentity& me, const auto& r, auto& res) {
                                 answer(res, desk.reject(me, r));
                               });
  post<v1::CompleteTaskRequest>("/api/v1/tasks/complete",
                                [this, answer](const StaffIdentity& me, const auto& r, auto& res) {
                                  answer(res, desk.complete(me, r));
                                });
}

// The staff token comes in the body as {"staffToken": ...}, never in a URL; the answer is the
// SignInResponse plus the CSRF token, and the session id goes only into an HttpOnly cookie.
void WorkerAppServer::Routes::sign_in(const httplib::Request& req, httplib::Response& res) {
  if (req.get_header_value("Content-Type").find("application/json") != 0) {
    return send_error(res, 415,
                      {Errc::kInvalidArgument, "sign-in takes application/json", "Content-Type"});
  }
  v1::WebSignInRequest request;
  if (auto parsed = json::to_message(req.body, request); !parsed) {
    return send_error(res, parsed.error());
  }
  if (request.staff_token().empty()) {
    return send_error(res, {Errc::kInvalidArgument, "staffToken is required", "staffToken"});
  }
  auto me = desk.authenticate(request.staff_token());
  if (!me) return send_error(res, me.error());
  auto profile = desk.sign_in(*me);
  if (!profile) return send_error(res, profile.error());
  auto opened = sessions.open(*me, request.staff_token());
  if (!opened) return send_error(res, opened.error());
  v1::WebSignInResponse response;
  *response.mutable_staff() = std::move(*profile);
  response.set_csrf_token(opened->csrf_token);
  res.set_header("Set-Cookie", session_cookie(opened->session_id, https));
  res.set_content(json::from_message(response), "application/json");
  LOG_INFO("gateway", "staff=", me->staff_id, " signed in to the worker app");
}

void WorkerAppServer::Routes::sign_out(const httplib::Request& req, httplib::Response& res) {
  auto me = signed_in(req, res, true);
  if (!me) return;
  if (auto closed = sessions.close(session_id(req)); !closed) {
    return send_error(res, closed.error());
  }
  res.set_header("Set-Cookie", ended_session_cookie(https));
  res.set_content("{}", "application/json");
}

// Server-Sent Events: one OfferEvent (JSON) per `data:` line. The desk sends every open offer
// and accepted task first on each connection, so a browser that reconnects (EventSource does so
// by itself, after a gateway restart too) loses nothing.
void WorkerAppServer::Routes::feed(const httplib::Request& req, httplib::Response& res) {
  auto me = signed_in(req, res, false);
  if (!me) return;
  if (feeds.fetch_add(1) >= kMaxFeeds) {
    feeds.fetch_sub(1);
    return send_error(res, {Errc::kUnavailable, "too many open offer feeds on this gateway", ""});
  }
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, staff = *me, session = session_id(req)](size_t, httplib::DataSink& sink) {
        auto last_write = SteadyClock::now();
        auto last_check = SteadyClock::now();
        auto write = [&](const std::string& text) {
          last_write = SteadyClock::now();
          return sink.write(text.data(), text.size());
        };
        // False ends the feed: the session ended, or the browser is gone.
        auto still_open = [&] {
          auto now = SteadyClock::now();
          if (now - last_check >= kFeedSessionCheck) {
            last_check = now;
            auto live = sessions.find(session);
            if (!live && live.error().code == Errc::kUnauthenticated) return false;
          }
          return now - last_write < kFeedKeepAlive || write(": alive\n\n");
        };
        if (write("retry: 1000\n\n")) {
          desk.feed_offers(
              staff,
              [&](const v1::OfferEvent& event) {
                return write(cat("data: ", json::from_message(event), "\n\n"));
              },
              still_open, [&] { return write("event: synced\ndata: {}\n\n"); });
        }
        sink.done();
        return true;
      },
      [this](bool) { feeds.fetch_sub(1); });
}

Result<std::unique_ptr<WorkerAppServer>> WorkerAppServer::start(const std::string& listen,
                                                                WorkerDesk& desk,
                                                                SessionStore& sessions,
                                                                const ServerTls& tls) {
  auto address = parse_host_port(listen, "http-listen", PortZero::kAnyFree);
  if (!address) return std::unexpected(address.error());
  const std::string& host = address->host;
  int port = address->port;
  std::unique_ptr<WorkerAppServer> server(new WorkerAppServer());
  std::unique_ptr<httplib::Server> http_server;
  if (tls.enabled()) {
    server->certificate_ = std::make_unique<HttpsCertificate>(tls);
    auto* certificate = server->certificate_.get();
    http_server = std::make_unique<httplib::SSLServer>(
        [certificate](SSL_CTX& ctx) { return certificate->install(ctx); });
    if (!http_server->is_valid()) {
      return fail(Errc::kInvalidArgument, "the worker app cannot serve HTTPS with " + tls.cert_file,
                  "tls-cert");
    }
  } else {
    http_server = std::make_unique<httplib::Server>();
  }
  server->routes_ = std::make_unique<Routes>(desk, sessions, std::move(http_server), tls.enabled());
  auto& http = server->routes_->http;
  server->routes_->add_routes();
  if (port == 0) {
    port = http.bind_to_any_port(host);
  } else if (!http.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) return fail(Errc::kUnavailable, "cannot listen on " + listen, "http-listen");
  server->address_ = cat(host, ":", port);
  server->routes_->listener = std::thread([&http] { http.listen_after_bind(); });
  // stop() only reaches a server that is already running.
  while (!http.is_running()) std::this_thread::sleep_for(1ms);
  return server;
}

void WorkerAppServer::stop() {
  if (!routes_ || !routes_->listener.joinable()) return;
  routes_->http.stop();
  routes_->listener.join();
}

WorkerAppServer::~WorkerAppServer() { stop(); }

}  // namespace lexroute
