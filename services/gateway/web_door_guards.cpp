#include "services/gateway/web_door_guards.h"

#include "router/text.h"
#include "services/gateway/json_mapping.h"

namespace lexroute::web_door {

std::string session_id(const httplib::Request& req) {
  const std::string all = req.get_header_value("Cookie");
  std::string_view header = all;
  std::string_view name = kSessionCookie;
  while (!header.empty()) {
    auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
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
bool same_origin(const httplib::Request& req) {
  if (!req.has_header("Origin")) return true;
  std::string origin = req.get_header_value("Origin");
  std::string host = req.get_header_value("Host");
  return !host.empty() && (origin == "http://" + host || origin == "https://" + host);
}

std::string credential_in_url(const httplib::Request& req) {
  for (const char* name : {"token", "staff_token", "staffToken", "session", "csrf"}) {
    if (req.has_param(name)) return name;
  }
  return {};
}

void send_error(httplib::Response& res, int status, const Error& error) {
  res.status = status;
  res.set_content(json::error_body(error), "application/json");
}

void send_error(httplib::Response& res, const Error& error) {
  if (error.code == Errc::kUnavailable) res.set_header("Retry-After", "1");
  send_error(res, json::http_status(error.code), error);
}

}  // namespace lexroute::web_door
