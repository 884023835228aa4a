// A TCP socket listening on a free port of 127.0.0.1: what every test
// server here starts from (the test broker, the fault proxy, the fuzz
// target's fake broker).  Header-only, so builds without the test broker
// (the fuzz build) can use it too.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace ringkafka::test_broker {

struct Listener {
  int fd = -1;
  std::uint16_t port = 0;
  std::string error;  // empty on success
};

inline Listener listen_on_loopback(int backlog, bool nonblocking) {
  Listener l;
  l.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  const int one = 1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (l.fd < 0 || setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(l.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(l.fd, backlog) != 0 ||
      ::getsockname(l.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    l.error = "listen on 127.0.0.1: " + std::string(std::strerror(errno));
    if (l.fd >= 0) ::close(l.fd);
    l.fd = -1;
    return l;
  }
  l.port = ntohs(addr.sin_port);
  return l;
}

}  // namespace ringkafka::test_broker
