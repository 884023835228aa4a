// TLS under a broker connection: io::Transport over a TCP socket and a
// Session's memory BIOs.  io_uring moves ciphertext; OpenSSL sees only
// buffers.  What the connection hands to send() is one whole Kafka frame,
// encrypted by one SSL_write into records of up to 16 KiB, and reported
// sent once all its ciphertext is; what it reads is plaintext.
//
// The handshake runs in begin(): its flights go out and come in on the
// connection's own send and receive tokens, and their completions answer
// Transport::kInternal until established().  Later, TLS 1.3's
// post-handshake messages (session tickets, key updates) are read, and any
// answer sent, the same way.
//
// Two ciphertext buffers: the one io_uring is sending never moves, and
// output made meanwhile (a frame, an answer to a key update) waits in the
// other.  Every failure OpenSSL reports comes back through a completion
// (kFailed, a NOP when nothing else was in flight), so the connection
// fails in one place with error_text().
//
// kTLS (ktls_available()): probed, not used; docs/security.md says why.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/transport.h"
#include "tls/context.h"
#include "tls/session.h"

namespace ringkafka::tls {

class TlsTransport final : public io::Transport {
 public:
  static constexpr int kFailed = kProtocolFailure;  // error_text() has OpenSSL's reason

  explicit TlsTransport(std::shared_ptr<const Context> ctx);
  ~TlsTransport() override { close(); }

  [[nodiscard]] int open(int family) noexcept override;
  [[nodiscard]] bool connect(io::Reactor& reactor, const sockaddr* addr, socklen_t len,
                             const __kernel_timespec* timeout, std::uint64_t token,
                             std::uint64_t timeout_token) noexcept override;
  [[nodiscard]] int begin(io::Reactor& reactor, std::string_view host, std::uint64_t send,
                          std::uint64_t recv) noexcept override;
  [[nodiscard]] bool established() const noexcept override { return session_.established(); }
  [[nodiscard]] bool send(io::Reactor& reactor, std::span<const std::byte> bytes,
                          std::uint64_t token) noexcept override;
  [[nodiscard]] bool recv(io::Reactor& reactor, std::span<std::byte> into,
                          std::uint64_t token) noexcept override;
  [[nodiscard]] int on_send_done(int res) noexcept override;
  [[nodiscard]] int on_recv_done(int res) noexcept override;
  [[nodiscard]] int read_buffered(std::span<std::byte> into) noexcept override;
  [[nodiscard]] std::string_view error_text(int res) const noexcept override;
  [[nodiscard]] int in_flight() const noexcept override { return in_flight_; }
  void shutdown() noexcept override { tcp_.shutdown(); }
  void close() noexcept override;
  [[nodiscard]] bool is_open() const noexcept override { return tcp_.is_open(); }

  [[nodiscard]] std::string describe() const override { return session_.describe(); }

 private:
  bool submit_send() noexcept;
  bool submit_recv() noexcept;
  bool submit_failure(std::uint64_t token) noexcept;
  // OpenSSL's output to the socket: sent now if no send is in flight.
  bool flush() noexcept;
  int fail(const std::string& why) noexcept;

  std::shared_ptr<const Context> ctx_;
  io::TcpTransport tcp_;
  Session session_;
  io::Reactor* reactor_ = nullptr;  // connect()'s: a connection keeps one reactor
  std::uint64_t send_token_ = 0;
  std::uint64_t recv_token_ = 0;
  int in_flight_ = 0;
  std::string error_;
  bool failure_queued_ = false;  // a NOP carries kFailed to the connection

  std::vector<std::byte> sending_;  // io_uring is sending [sent_, size)
  std::size_t sent_ = 0;
  std::vector<std::byte> next_;     // made while a send was in flight
  bool send_in_flight_ = false;
  bool frame_pending_ = false;      // the connection's send() awaits its ciphertext
  std::size_t frame_len_ = 0;

  std::vector<std::byte> cipher_in_;
  bool recv_in_flight_ = false;
  std::span<std::byte> into_;       // the connection's receive buffer
};

// Whether the kernel offers kernel TLS (the "tls" TCP upper-layer
// protocol), probed on a loopback connection; `why` says what the probe
// saw.  Our machines' kernels do not (ENOENT).
[[nodiscard]] bool ktls_available(std::string* why = nullptr) noexcept;

}  // namespace ringkafka::tls
