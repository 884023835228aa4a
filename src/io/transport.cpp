#include "io/transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringkafka::io {

std::string_view Transport::error_text(int res) const noexcept {
  if (res == 0) return "closed by the broker";
  if (res == -ECANCELED) return "timed out";
  return std::strerror(-res);
}

int TcpTransport::open(int family) noexcept {
  close();
  fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return -errno;
  // Requests are whole frames written at once: Nagle would only hold the
  // last segment of each back.
  const int one = 1;
  (void)::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return 0;
}

bool TcpTransport::connect(Reactor& reactor, const sockaddr* addr, socklen_t len,
                           const __kernel_timespec* timeout, std::uint64_t token,
                           std::uint64_t timeout_token) noexcept {
  // Two entries together, so the link is never split across submissions.
  io_uring_sqe* e = reactor.sqe(2);
  if (e == nullptr) return false;
  io_uring_prep_connect(e, fd_, addr, len);
  io_uring_sqe_set_data64(e, token);
  e->flags |= IOSQE_IO_LINK;
  io_uring_sqe* t = reactor.sqe();  // free: sqe(2) made room for both
  io_uring_prep_link_timeout(t, const_cast<__kernel_timespec*>(timeout), 0);
  io_uring_sqe_set_data64(t, timeout_token);
  return true;
}

bool TcpTransport::send(Reactor& reactor, std::span<const std::byte> bytes,
                        std::uint64_t token) noexcept {
  io_uring_sqe* e = reactor.sqe();
  if (e == nullptr) return false;
  io_uring_prep_send(e, fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(e, token);
  ++in_flight_;
  return true;
}

bool TcpTransport::recv(Reactor& reactor, std::span<std::byte> into, std::uint64_t token) noexcept {
  io_uring_sqe* e = reactor.sqe();
  if (e == nullptr) return false;
  io_uring_prep_recv(e, fd_, into.data(), into.size(), 0);
  io_uring_sqe_set_data64(e, token);
  ++in_flight_;
  return true;
}

void TcpTransport::shutdown() noexcept {
  if (fd_ >= 0) (void)::shutdown(fd_, SHUT_RDWR);
}

void TcpTransport::close() noexcept {
  in_flight_ = 0;
  if (fd_ < 0) return;
  (void)::close(fd_);
  fd_ = -1;
}

}  // namespace ringkafka::io
