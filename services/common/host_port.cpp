#include "services/common/host_port.h"

#include "router/text.h"

namespace lexroute {

std::string HostPort::to_string() const { return cat(host, ":", port); }

bool HostPort::is_loopback() const {
  return host.starts_with("127.") || host == "[::1]" || host == "localhost";
}

Result<HostPort> parse_host_port(std::string_view text, std::string_view field, PortZero zero,
                                 std::string_view scheme) {
  std::string_view rest = text;
  if (!scheme.empty() && rest.starts_with(scheme)) rest.remove_prefix(scheme.size());
  auto colon = rest.rfind(':');
  HostPort out;
  int lowest = zero == PortZero::kAnyFree ? 0 : 1;
  if (colon == std::string_view::npos || colon == 0 ||
      !parse_int(rest.substr(colon + 1), &out.port) || out.port < lowest || out.port > 65535) {
    return fail(
        Errc::kInvalidArgument,
        cat("--", field, " must be host:port",
            zero == PortZero::kAnyFree ? " (port 0: any free)" : "", ", got ", bounded_quote(text)),
        std::string(field));
  }
  out.host = std::string(rest.substr(0, colon));
  return out;
}

}  // namespace lexroute
