#pragma once

#include <string>
#include <string_view>

#include "router/error.h"

namespace lexroute {

// An address as every listen and connect flag takes it: "host:port", the host possibly empty for
// a listen address ("" or "0.0.0.0": every interface) or an IPv6 literal in brackets.
struct HostPort {
  std::string host;
  int port = 0;

  std::string to_string() const;
  // Reachable only from this machine: 127.0.0.0/8, [::1] or localhost. "0.0.0.0" and "[::]" are
  // every interface, so not.
  bool is_loopback() const;
};

enum class PortZero { kRefused, kAnyFree };

// `field` names the flag in the error; `scheme` (e.g. "redis://") is stripped when present. Port 0
// is accepted only with PortZero::kAnyFree (a listen address: the system picks a free port).
Result<HostPort> parse_host_port(std::string_view text, std::string_view field,
                                 PortZero zero = PortZero::kRefused, std::string_view scheme = {});

}  // namespace lexroute
