#pragma once

#include <string>
#include <string_view>

#include "router/error.h"
#include "services/gateway/web_message.h"

// What the worker app's HTTP door checks before any operation runs, and how it answers when a
// check fails (docs/security.md, "The worker app"). Only the gateway's HTTP code includes this.
namespace lexroute::web_door {

inline constexpr const char* kSessionCookie = "lx_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// A header's value, or empty.
std::string header(const WebRequest& req, std::string_view name);
// The request target without its query.
std::string_view path_of(const WebRequest& req);

// The session id the request's cookie carries, or empty.
std::string session_id(const WebRequest& req);
// Set-Cookie for a new session: HttpOnly, SameSite=Strict, the whole site; `secure` (served over
// HTTPS) adds Secure, so the browser never sends it over plain HTTP.
std::string session_cookie(const std::string& session_id, bool secure);
// Set-Cookie that makes the browser forget the session.
std::string ended_session_cookie(bool secure);

// False when a browser says the request comes from a page on another host.
bool same_origin(const WebRequest& req);
// The name of a credential found in the URL's query, or empty. Credentials go in bodies,
// cookies and headers only: URLs end up in logs, histories and Referer headers.
std::string credential_in_url(const WebRequest& req);

// A response with the door's security headers and `body` of `content_type`.
WebResponse respond(const WebRequest& req, int status, std::string body,
                    std::string_view content_type);
// `{"error": ..., "field": ...}` with `status`, or with the status that matches the error.
WebResponse error_response(const WebRequest& req, int status, const Error& error);
WebResponse error_response(const WebRequest& req, const Error& error);

}  // namespace lexroute::web_door
