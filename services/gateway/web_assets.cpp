#include "services/gateway/web_assets.h"

namespace lexroute::web {
extern const std::string_view index;
extern const std::string_view app;
extern const std::string_view style;
}  // namespace lexroute::web

namespace lexroute {

std::optional<WebAsset> web_asset(std::string_view path) {
  if (path == "/" || path == "/index.html") return WebAsset{web::index, "text/html; charset=utf-8"};
  if (path == "/app.js") return WebAsset{web::app, "text/javascript; charset=utf-8"};
  if (path == "/style.css") return WebAsset{web::style, "text/css; charset=utf-8"};
  return std::nullopt;
}

}  // namespace lexroute
