// One TLS connection's OpenSSL state, over memory BIOs: the socket is the
// transport's (io_uring reads and writes it), so OpenSSL only ever sees
// bytes handed to it (feed) and hands back bytes to send (take_output).
// No I/O here, which is what lets the unit test run a client against a
// server session in memory.
//
//   open() -> handshake() ... (kWantRead: feed more) -> established()
//   write(frame)  one SSL_write per Kafka frame, so records are as large
//                 as they can be (16 KiB of plaintext each)
//   feed(bytes), read(into)  until read() answers 0 (wants more bytes)
//
// After every handshake(), write() and read(), output may be waiting (TLS
// 1.3 answers some post-handshake messages): the caller sends it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls/context.h"

using SSL = struct ssl_st;
using BIO = struct bio_st;

namespace ringkafka::tls {

class Session {
 public:
  enum class Status : std::uint8_t { kDone, kWantRead, kFailed };

  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { close(); }

  // A client session for `host` (SNI when it is a name, and the name the
  // certificate must carry when verification asks for it); false, with
  // error() set, if OpenSSL cannot make one.
  [[nodiscard]] bool open(const Context& ctx, std::string_view host);
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return ssl_ != nullptr; }

  [[nodiscard]] Status handshake();
  [[nodiscard]] bool established() const noexcept { return established_; }

  // The whole of `plaintext` into TLS records; false (error() set) on
  // failure.
  [[nodiscard]] bool write(std::span<const std::byte> plaintext);
  // Bytes from the socket.  recv() returning 0 is feed_eof().
  void feed(std::span<const std::byte> ciphertext);
  void feed_eof() noexcept;
  // Plaintext into `into`: the bytes given (> 0), 0 when it needs more
  // input, -1 on failure or the peer's close (error() says which).
  [[nodiscard]] int read(std::span<std::byte> into);
  // Plaintext or undecrypted bytes are held: read() may give more without
  // any input.
  [[nodiscard]] bool buffered() const noexcept;

  // Bytes to send, appended to `out`; how many.
  std::size_t take_output(std::vector<std::byte>& out);
  [[nodiscard]] bool has_output() const noexcept;

  [[nodiscard]] const std::string& error() const noexcept { return error_; }
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", once established.
  [[nodiscard]] std::string describe() const;

 private:
  void set_error(int ssl_error, const char* doing);

  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // the socket's bytes, for OpenSSL to read (owned by ssl_)
  BIO* out_ = nullptr;  // OpenSSL's bytes, for the socket (owned by ssl_)
  bool established_ = false;
  bool eof_ = false;
  bool verify_host_ = false;
  std::string host_;
  std::string peer_names_;  // a mismatched certificate's names (verify_callback)
  std::string error_;
};

}  // namespace ringkafka::tls
