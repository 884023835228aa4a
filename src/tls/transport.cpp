#include "tls/transport.h"


#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

namespace ringkafka::tls {

TlsTransport::TlsTransport(std::shared_ptr<const Context> ctx) : ctx_(std::move(ctx)) {
  // Room for a few whole records (16 KiB + 256 bytes each) per receive.
  cipher_in_.resize(64 * 1024);
}

int TlsTransport::open(int family) noexcept {
  close();
  return tcp_.open(family);
}

bool TlsTransport::connect(io::Reactor& reactor, const sockaddr* addr, socklen_t len,
                           const __kernel_timespec* timeout, std::uint64_t token,
                           std::uint64_t timeout_token) noexcept {
  reactor_ = &reactor;
  return tcp_.connect(reactor, addr, len, timeout, token, timeout_token);
}

void TlsTransport::close() noexcept {
  session_.close();
  tcp_.close();
  in_flight_ = 0;
  failure_queued_ = false;
  sending_.clear();
  next_.clear();
  sent_ = 0;
  send_in_flight_ = false;
  frame_pending_ = false;
  recv_in_flight_ = false;
  into_ = {};
}

int TlsTransport::fail(const std::string& why) noexcept {
  error_ = why;
  return kFailed;
}

bool TlsTransport::submit_send() noexcept {
  io_uring_sqe* e = reactor_->sqe();
  if (e == nullptr) return false;
  io_uring_prep_send(e, tcp_.fd(), sending_.data() + sent_, sending_.size() - sent_, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(e, send_token_);
  send_in_flight_ = true;
  ++in_flight_;
  return true;
}

bool TlsTransport::submit_recv() noexcept {
  io_uring_sqe* e = reactor_->sqe();
  if (e == nullptr) return false;
  io_uring_prep_recv(e, tcp_.fd(), cipher_in_.data(), cipher_in_.size(), 0);
  io_uring_sqe_set_data64(e, recv_token_);
  recv_in_flight_ = true;
  ++in_flight_;
  return true;
}

bool TlsTransport::submit_failure(std::uint64_t token) noexcept {
  io_uring_sqe* e = reactor_->sqe();
  if (e == nullptr) return false;
  io_uring_prep_nop(e);
  io_uring_sqe_set_data64(e, token);
  failure_queued_ = true;
  ++in_flight_;
  return true;
}

bool TlsTransport::flush() noexcept {
  if (!session_.has_output()) return true;
  if (send_in_flight_) {
    (void)session_.take_output(next_);
    return true;
  }
  sending_.clear();
  sent_ = 0;
  (void)session_.take_output(sending_);
  return submit_send();
}

int TlsTransport::begin(io::Reactor&, std::string_view host, std::uint64_t send,
                        std::uint64_t recv) noexcept {
  send_token_ = send;
  recv_token_ = recv;
  if (!session_.open(*ctx_, host)) return fail(session_.error());
  if (session_.handshake() == Session::Status::kFailed) return fail(session_.error());
  if (!flush() || !submit_recv()) return -EBUSY;
  return 0;
}

bool TlsTransport::send(io::Reactor&, std::span<const std::byte> bytes,
                        std::uint64_t token) noexcept {
  send_token_ = token;
  frame_pending_ = true;
  frame_len_ = bytes.size();
  if (!session_.write(bytes)) {
    error_ = session_.error();
    return submit_failure(token);
  }
  return flush();
}

bool TlsTransport::recv(io::Reactor&, std::span<std::byte> into,
                        std::uint64_t token) noexcept {
  recv_token_ = token;
  into_ = into;
  return recv_in_flight_ || submit_recv();
}

int TlsTransport::on_send_done(int res) noexcept {
  --in_flight_;
  if (failure_queued_ && res == 0) {  // the NOP: a send of bytes never ends with 0
    failure_queued_ = false;
    return kFailed;
  }
  send_in_flight_ = false;
  if (res < 0) return res;
  if (res == 0) return -EPIPE;
  sent_ += static_cast<std::size_t>(res);
  if (sent_ < sending_.size()) return submit_send() ? kInternal : -EBUSY;
  sending_.clear();
  sent_ = 0;
  if (!next_.empty()) {
    sending_.swap(next_);
    return submit_send() ? kInternal : -EBUSY;
  }
  if (frame_pending_) {
    frame_pending_ = false;
    return static_cast<int>(frame_len_);
  }
  return kInternal;
}

int TlsTransport::on_recv_done(int res) noexcept {
  --in_flight_;
  recv_in_flight_ = false;
  if (res < 0) return res;
  if (res == 0) {
    session_.feed_eof();
  } else {
    session_.feed(std::span(cipher_in_).first(static_cast<std::size_t>(res)));
  }
  if (!session_.established()) {
    const auto st = session_.handshake();
    if (st == Session::Status::kFailed) {
      (void)flush();  // the alert telling the broker why
      return fail(session_.error());
    }
    if (!flush()) return -EBUSY;
    if (st == Session::Status::kWantRead && !submit_recv()) return -EBUSY;
    return kInternal;
  }
  const int n = session_.read(into_);
  if (!flush()) return -EBUSY;
  if (n < 0) return fail(session_.error());
  if (n == 0) return submit_recv() ? kInternal : -EBUSY;
  return n;
}

int TlsTransport::read_buffered(std::span<std::byte> into) noexcept {
  if (!session_.established() || !session_.buffered() || into.empty()) return 0;
  const int n = session_.read(into);
  if (!flush()) return -EBUSY;
  return n < 0 ? fail(session_.error()) : n;
}

std::string_view TlsTransport::error_text(int res) const noexcept {
  if (res == kFailed) return error_;
  if (res == 0 && !session_.established()) {
    return "TLS: the broker closed the connection during the handshake (not a TLS listener?)";
  }
  return Transport::error_text(res);
}

bool ktls_available(std::string* why) noexcept {
  // The upper-layer protocol attaches only to a connected TCP socket.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = listener >= 0 && client >= 0 &&
            ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::listen(listener, 1) == 0 &&
            ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
            ::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (!ok) {
    if (why != nullptr) *why = std::string("no loopback connection to probe: ") + std::strerror(errno);
  } else {
    ok = ::setsockopt(client, SOL_TCP, TCP_ULP, "tls", 3) == 0;
    if (why != nullptr) {
      *why = ok ? "the kernel attached the tls ULP"
                : std::string("setsockopt(TCP_ULP, \"tls\"): ") + std::strerror(errno);
    }
  }
  if (client >= 0) ::close(client);
  if (listener >= 0) ::close(listener);
  return ok;
}

}  // namespace ringkafka::tls
