// The byte stream under a broker connection.  TcpTransport is plain TCP;
// TLS will implement the same interface over its memory BIOs: send() then
// encrypts the connection's plaintext into records of its own before they
// reach the socket, and the on_*_done() hooks turn a socket's result back
// into what the connection sees (plaintext bytes taken or delivered), so
// nothing above this interface knows which one it runs on.
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

#include "io/reactor.h"

namespace ringkafka::io {

class Transport {
 public:
  virtual ~Transport() = default;

  // A socket for `family`, ready to connect; 0 or the negative errno.
  [[nodiscard]] virtual int open(int family) noexcept = 0;
  // Queues the connect, linked to a timeout of `*timeout` (which must live
  // until both complete); false when the reactor takes no submissions.
  [[nodiscard]] virtual bool connect(Reactor& reactor, const sockaddr* addr, socklen_t len,
                                     const __kernel_timespec* timeout, std::uint64_t token,
                                     std::uint64_t timeout_token) noexcept = 0;
  [[nodiscard]] virtual bool send(Reactor& reactor, std::span<const std::byte> bytes,
                                  std::uint64_t token) noexcept = 0;
  [[nodiscard]] virtual bool recv(Reactor& reactor, std::span<std::byte> into,
                                  std::uint64_t token) noexcept = 0;
  // The result of a send or receive as the connection sees it.
  [[nodiscard]] virtual int on_send_done(int res) noexcept { return res; }
  [[nodiscard]] virtual int on_recv_done(int res) noexcept { return res; }
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
  void shutdown() noexcept override;
  void close() noexcept override;
  [[nodiscard]] bool is_open() const noexcept override { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace ringkafka::io
