#include "services/gateway/web_door_guards.h"

#include <boost/beast/http/field.hpp>

#include "router/text.h"
#include "services/gateway/json_mapping.h"

namespace lexroute::web_door {

namespace http = boost::beast::http;

namespace {

const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// One `name=value` parameter of the query, by name.
bool has_query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    std::string_view key = pair.substr(0, pair.find('='));
    if (key == name) return true;
  }
  return false;
}

}  // namespace

std::string header(const WebRequest& req, std::string_view name) {
  auto found = req.find(boost::beast::string_view(name.data(), name.size()));
  if (found == req.end()) return {};
  return std::string(found->value());
}

std::string_view path_of(const WebRequest& req) {
  std::string_view target(req.target().data(), req.target().size());
  return target.substr(0, target.find('?'));
}

std::string session_id(const WebRequest& req) {
  const std::string all = header(req, "Cookie");
  std::string_view cookies = all;
  std::string_view name = kSessionCookie;
  while (!cookies.empty()) {
    auto end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    cookies = end == std::string_view::npos ? std::string_view() : cookies.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
  }
  return {};
}

std::string session_cookie(const std::string& session_id, bool secure) {
  return cat(kSessionCookie, "=", session_id, "; Path=/; HttpOnly; SameSite=Strict",
             secure ? "; Secure" : "");
}

std::string ended_session_cookie(bool secure) {
  return cat(kSessionCookie, "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
             secure ? "; Secure" : "");
}

// Only the host is compared: TLS may end at an ingress in front, so the scheme the gateway
// sees is not the page's. Requests without Origin come from programs, not pages.
bool same_origin(const WebRequest& req) {
  if (req.find(http::field::origin) == req.end()) return true;
  std::string origin = header(req, "Origin");
  std::string host = header(req, "Host");
  return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

std::string credential_in_url(const WebRequest& req) {
  std::string_view target(req.target().data(), req.target().size());
  auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  for (const char* name : {"token", "staff_token", "staffToken", "session", "csrf"}) {
    if (has_query_param(query, name)) return name;
  }
  return {};
}

WebResponse respond(const WebRequest& req, int status, std::string body,
                    std::string_view content_type) {
  WebResponse res{static_cast<http::status>(status), req.version()};
  res.set(http::field::content_type, content_type);
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

WebResponse error_response(const WebRequest& req, int status, const Error& error) {
  return respond(req, status, json::error_body(error), "application/json");
}

WebResponse error_response(const WebRequest& req, const Error& error) {
  auto res = error_response(req, json::http_status(error.code), error);
  if (error.code == Errc::kUnavailable) res.set(http::field::retry_after, "1");
  return res;
}

}  // namespace lexroute::web_door
