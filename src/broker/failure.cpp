#include "broker/failure.h"

#include <cstdio>

namespace ringkafka::broker {

std::size_t peer_name(std::int32_t node_id, std::string_view host, std::uint16_t port, char* out,
                      std::size_t size) noexcept {
  const bool v6 = host.find(':') != std::string_view::npos;
  const int n = node_id >= 0
                    ? std::snprintf(out, size, v6 ? "[%.*s]:%u (node %d)" : "%.*s:%u (node %d)",
                                    static_cast<int>(host.size()), host.data(), port, node_id)
                    : std::snprintf(out, size, v6 ? "[%.*s]:%u" : "%.*s:%u",
                                    static_cast<int>(host.size()), host.data(), port);
  if (n < 0) return 0;
  return static_cast<std::size_t>(n) < size ? static_cast<std::size_t>(n) : size - 1;
}

Errc describe_failure(FailedWhile step, std::int32_t node_id, std::string_view host,
                      std::uint16_t port, std::string_view why, char* out,
                      std::size_t size) noexcept {
  char peer[300];
  peer_name(node_id, host, port, peer, sizeof peer);
  // The sentence is "<before><peer><after>: <why>"; one literal format
  // keeps -Wformat-nonliteral quiet.
  const char* before = "";
  const char* after = "";
  Errc cause = Errc::kTransport;
  switch (step) {
    case FailedWhile::kResolving:
      before = "cannot resolve ";
      cause = Errc::kResolve;
      break;
    case FailedWhile::kConnecting:
      before = "cannot connect to ";
      break;
    case FailedWhile::kTls:
      before = "TLS handshake with ";
      after = " failed";
      break;
    case FailedWhile::kHandshake:
    case FailedWhile::kReady:
      before = "connection to ";
      after = " lost";
      break;
    case FailedWhile::kAuthenticating:
      before = "authentication with ";
      after = " failed";
      cause = Errc::kAuthentication;
      break;
    case FailedWhile::kStopped:
      before = "connection to ";
      after = " closed";
      cause = Errc::kOk;
      break;
  }
  std::snprintf(out, size, "%s%s%s: %.*s", before, peer, after, static_cast<int>(why.size()),
                why.data());
  return cause;
}

}  // namespace ringkafka::broker
