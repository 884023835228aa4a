// The byte stream under a broker connection.  TcpTransport is plain TCP;
// tls/transport.h implements the same interface over OpenSSL's memory
// BIOs: send() encrypts the connection's plaintext into records of its own
// before they reach the socket, and the on_*_done() hooks turn a socket's
// result back into what the connection sees (plaintext bytes taken or
// delivered), so nothing above this interface knows which one it runs on.
//
// All calls are the sender thread's.  A transport queues operations on the
// reactor with the caller's tokens; the caller hands each completion's
// result back through on_send_done() / on_recv_done() before using it.
#pragma once

#include <linux/time_types.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "io/reactor.h"

namespace ringkafka::io {

class Transport {
 public:
  // What on_send_done() / on_recv_done() answer when the completion was the
  // transport's own business (a TLS handshake flight, the rest of a
  // record): nothing for the connection to do; the operation it stands for
  // (if any) is still under way.
  static constexpr int kInternal = -0x7fff'ffff;
  // A failure of the transport's own protocol (TLS: a certificate, an
  // alert, a listener that speaks no TLS), which error_text() explains.
  // Before the connection is ready it is treated as a refusal: retrying
  // will not mend it.
  static constexpr int kProtocolFailure = -0x7fff'fffe;

  virtual ~Transport() = default;

  // A socket for `family`, ready to connect; 0 or the negative errno.
  [[nodiscard]] virtual int open(int family) noexcept = 0;
  // Queues the connect, linked to a timeout of `*timeout` (which must live
  // until both complete); false when the reactor takes no submissions.
  [[nodiscard]] virtual bool connect(Reactor& reactor, const sockaddr* addr, socklen_t len,
                                     const __kernel_timespec* timeout, std::uint64_t token,
                                     std::uint64_t timeout_token) noexcept = 0;
  // After the connect: starts what must run before the connection's own
  // bytes (TLS's handshake), its operations carrying the connection's send
  // and receive tokens; their completions answer kInternal until
  // established().  `host` is the name connected to.  0, or a negative
  // result that error_text() explains.
  [[nodiscard]] virtual int begin(Reactor&, std::string_view /*host*/, std::uint64_t /*send*/,
                                  std::uint64_t /*recv*/) noexcept {
    return 0;
  }
  [[nodiscard]] virtual bool established() const noexcept { return true; }
  // What was agreed, for the log ("TLSv1.3 TLS_AES_256_GCM_SHA384 ..."); "" for TCP.
  [[nodiscard]] virtual std::string describe() const { return {}; }
  // The connection's bytes, whole; one send at a time.
  [[nodiscard]] virtual bool send(Reactor& reactor, std::span<const std::byte> bytes,
                                  std::uint64_t token) noexcept = 0;
  // A receive into `into`; one at a time.
  [[nodiscard]] virtual bool recv(Reactor& reactor, std::span<std::byte> into,
                                  std::uint64_t token) noexcept = 0;
  // The result of a send or receive as the connection sees it: bytes of
  // its own taken or delivered, 0 (the peer closed), a negative result, or
  // kInternal.
  [[nodiscard]] virtual int on_send_done(int res) noexcept = 0;
  [[nodiscard]] virtual int on_recv_done(int res) noexcept = 0;
  // Bytes ready without waiting for the socket (TLS: decrypted or held
  // back for lack of room), into `into`: how many, or a negative result.
  [[nodiscard]] virtual int read_buffered(std::span<std::byte> /*into*/) noexcept { return 0; }
  // Why a negative result (a transport's own, or an errno) failed.
  [[nodiscard]] virtual std::string_view error_text(int res) const noexcept;
  // Operations of this transport still in io_uring.
  [[nodiscard]] virtual int in_flight() const noexcept = 0;
  // Ends every queued operation (they complete with errors); close() once
  // none is left, since they may still read or write the caller's buffers.
  virtual void shutdown() noexcept = 0;
  virtual void close() noexcept = 0;
  [[nodiscard]] virtual bool is_open() const noexcept = 0;
};

class TcpTransport final : public Transport {
 public:
  TcpTransport() = default;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;
  ~TcpTransport() override { close(); }

  [[nodiscard]] int open(int family) noexcept override;
  [[nodiscard]] bool connect(Reactor& reactor, const sockaddr* addr, socklen_t len,
                             const __kernel_timespec* timeout, std::uint64_t token,
                             std::uint64_t timeout_token) noexcept override;
  [[nodiscard]] bool send(Reactor& reactor, std::span<const std::byte> bytes,
                          std::uint64_t token) noexcept override;
  [[nodiscard]] bool recv(Reactor& reactor, std::span<std::byte> into,
                          std::uint64_t token) noexcept override;
  [[nodiscard]] int on_send_done(int res) noexcept override {
    --in_flight_;
    return res;
  }
  [[nodiscard]] int on_recv_done(int res) noexcept override {
    --in_flight_;
    return res;
  }
  [[nodiscard]] int in_flight() const noexcept override { return in_flight_; }
  void shutdown() noexcept override;
  void close() noexcept override;
  [[nodiscard]] bool is_open() const noexcept override { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
  int in_flight_ = 0;
};

}  // namespace ringkafka::io
