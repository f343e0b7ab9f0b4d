#include "services/gateway/worker_app_routes.h"

#include "router/text.h"
#include "services/common/grpc_auth.h"
#include "services/common/log.h"
#include "services/common/secrets.h"
#include "services/gateway/json_mapping.h"
#include "services/gateway/web_assets.h"
#include "services/gateway/web_door_guards.h"

namespace lexroute {

using namespace web_door;
namespace http = boost::beast::http;

namespace {

template <typename Message>
WebAnswer json_answer(const WebRequest& req, const Result<Message>& result) {
  WebAnswer answer;
  answer.signed_in = true;
  answer.response = result ? respond(req, 200, json::from_message(*result), "application/json")
                           : error_response(req, result.error());
  return answer;
}

WebAnswer refused(const WebRequest& req, const Error& error, bool signed_in = false) {
  // A session without its CSRF token is forbidden, not unauthenticated.
  if (error.field == kCsrfHeader) return {error_response(req, 403, error), false, std::nullopt, {}};
  return {error_response(req, error), signed_in, std::nullopt, {}};
}

WebAnswer refused(const WebRequest& req, int status, const Error& error) {
  return {error_response(req, status, error), false, std::nullopt, {}};
}

}  // namespace

WebAnswer WorkerAppRoutes::answer(const WebRequest& req) {
  // Before any route: refuse credentials in URLs and cross-site requests outright.
  if (auto name = credential_in_url(req); !name.empty()) {
    return refused(req, {Errc::kInvalidArgument,
                         cat("credentials never go in a URL: remove '", name,
                             "' (sign in by POSTing the staff token in the body)"),
                         name});
  }
  bool get = req.method() == http::verb::get;
  if (!get && !same_origin(req)) {
    return refused(req, 403, {Errc::kFailedPrecondition, "cross-site request refused", "Origin"});
  }
  std::string_view path = path_of(req);
  if (get && !path.starts_with("/api/")) {
    if (auto asset = web_asset(path)) {
      return {respond(req, 200, std::string(asset->content), asset->content_type),
              false,
              std::nullopt,
              {}};
    }
  } else if (get && path == "/api/v1/me") {
    auto me = signed_in(req, false);
    if (!me) return refused(req, me.error());
    return json_answer(req, desk_.sign_in(*me));
  } else if (get && path == "/api/v1/offers/stream") {
    return feed(req);
  } else if (req.method() == http::verb::post) {
    if (path == "/api/v1/sign-in") return sign_in(req);
    if (path == "/api/v1/sign-out") return sign_out(req);
    return action(req, path);
  }
  return refused(req, 404,
                 {Errc::kNotFound,
                  cat("no ", bounded_quote(std::string(req.method_string())), " ",
                      bounded_quote(std::string(path))),
                  ""});
}

Result<StaffIdentity> WorkerAppRoutes::signed_in(const WebRequest& req, bool changes_state) {
  auto session = sessions_.find(session_id(req));
  if (!session) return std::unexpected(session.error());
  if (changes_state) {
    std::string csrf = header(req, kCsrfHeader);
    if (csrf.empty() || !constant_time_equal(sha256_hex(csrf), session->csrf_sha256)) {
      return fail(Errc::kFailedPrecondition,
                  "missing or wrong X-CSRF-Token: send the token sign-in returned", kCsrfHeader);
    }
  }
  return session->staff;
}

bool WorkerAppRoutes::session_stands(const std::string& session) {
  auto live = sessions_.find(session);
  return live || live.error().code != Errc::kUnauthenticated;
}

// A POST whose JSON body is the request of a desk operation, answered by it.
WebAnswer WorkerAppRoutes::action(const WebRequest& req, std::string_view path) {
  auto parsed = [&](auto& request) -> Result<StaffIdentity> {
    auto me = signed_in(req, true);
    if (!me) return me;
    if (auto body = json::to_message(req.body(), request); !body) {
      return std::unexpected(body.error());
    }
    return me;
  };
  auto work = [&](const Result<v1::Task>& task) {
    if (!task) return refused(req, task.error(), true);
    v1::OfferActionResponse response;
    *response.mutable_work() = to_offer(*task);
    return json_answer(req, Result<v1::OfferActionResponse>(std::move(response)));
  };
  if (path == "/api/v1/availability") {
    v1::SetAvailabilityRequest request;
    auto me = parsed(request);
    if (!me) return refused(req, me.error());
    return json_answer(req, desk_.set_availability(*me, request));
  }
  if (path == "/api/v1/heartbeat") {
    v1::HeartbeatRequest request;
    auto me = parsed(request);
    if (!me) return refused(req, me.error());
    return json_answer(req, desk_.heartbeat(*me));
  }
  if (path == "/api/v1/offers/accept" || path == "/api/v1/offers/reject") {
    v1::OfferActionRequest request;
    auto me = parsed(request);
    if (!me) return refused(req, me.error());
    return work(path.ends_with("accept") ? desk_.accept(*me, request) : desk_.reject(*me, request));
  }
  if (path == "/api/v1/tasks/complete") {
    v1::CompleteTaskRequest request;
    auto me = parsed(request);
    if (!me) return refused(req, me.error());
    return work(desk_.complete(*me, request));
  }
  return refused(req, 404,
                 {Errc::kNotFound, cat("no POST ", bounded_quote(std::string(path))), ""});
}

// The staff token comes in the body as {"staffToken": ...}, never in a URL; the answer is the
// SignInResponse plus the CSRF token, and the session id goes only into an HttpOnly cookie.
WebAnswer WorkerAppRoutes::sign_in(const WebRequest& req) {
  if (!header(req, "Content-Type").starts_with("application/json")) {
    return refused(req, 415,
                   {Errc::kInvalidArgument, "sign-in takes application/json", "Content-Type"});
  }
  v1::WebSignInRequest request;
  if (auto parsed = json::to_message(req.body(), request); !parsed) {
    return refused(req, parsed.error());
  }
  if (request.staff_token().empty()) {
    return refused(req, {Errc::kInvalidArgument, "staffToken is required", "staffToken"});
  }
  auto me = desk_.authenticate(request.staff_token());
  if (!me) return refused(req, me.error());
  auto profile = desk_.sign_in(*me);
  if (!profile) return refused(req, profile.error());
  auto opened = sessions_.open(*me, request.staff_token());
  if (!opened) return refused(req, opened.error());
  v1::WebSignInResponse response;
  *response.mutable_staff() = std::move(*profile);
  response.set_csrf_token(opened->csrf_token);
  auto answer = json_answer(req, Result<v1::WebSignInResponse>(std::move(response)));
  answer.response.set(http::field::set_cookie, session_cookie(opened->session_id, https_));
  LOG_INFO("gateway", "staff=", me->staff_id, " signed in to the worker app");
  return answer;
}

WebAnswer WorkerAppRoutes::sign_out(const WebRequest& req) {
  auto me = signed_in(req, true);
  if (!me) return refused(req, me.error());
  if (auto closed = sessions_.close(session_id(req)); !closed) {
    return refused(req, closed.error(), true);
  }
  auto answer = json_answer(req, Result<v1::SignInRequest>(v1::SignInRequest()));
  answer.response.set(http::field::set_cookie, ended_session_cookie(https_));
  return answer;
}

// Server-Sent Events: one OfferEvent (JSON) per `data:` line. The feed sends every open offer
// and accepted task first on each connection, then `event: synced`, so a browser that reconnects
// (EventSource does so by itself, after a gateway restart too) loses nothing.
WebAnswer WorkerAppRoutes::feed(const WebRequest& req) {
  auto me = signed_in(req, false);
  if (!me) return refused(req, me.error());
  WebAnswer answer;
  answer.signed_in = true;
  answer.feed_for = *me;
  answer.session = session_id(req);
  answer.response = respond(req, 200, "", "text/event-stream");
  answer.response.chunked(true);
  answer.response.keep_alive(true);
  answer.response.set("X-Accel-Buffering", "no");  // proxies in front pass events on at once
  return answer;
}

}  // namespace lexroute
