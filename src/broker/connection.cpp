#include "broker/connection.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/clock.h"
#include "tls/transport.h"
#include "wire/api_versions.h"
#include "wire/byte_order.h"
#include "wire/codec.h"
#include "wire/error_code.h"
#include "wire/sasl.h"

namespace ringkafka::broker {
namespace {


constexpr std::int64_t kMs = 1'000'000;

}  // namespace

Connection::Connection(io::Reactor& reactor, core::TimerHeap& timers, std::size_t index,
                       std::int32_t node_id, std::string_view host, std::uint16_t port,
                       const config::Settings& settings, std::uint64_t seed,
                       std::shared_ptr<const tls::Context> tls, TokenSource* tokens)
    : s_(settings),
      index_(index),
      node_id_(node_id),
      host_(host),
      port_(port),
      reactor_(reactor),
      timers_(timers),
      transport_(tls ? std::unique_ptr<io::Transport>(
                           std::make_unique<tls::TlsTransport>(std::move(tls)))
                     : std::make_unique<io::TcpTransport>()),
      backoff_ms_(settings.reconnect_backoff_ms),
      jitter_(seed) {
  send_buf_.resize(static_cast<std::size_t>(s_.max_request_size) + 64 * 1024);
  recv_buf_.resize(64 * 1024);
  in_flight_.resize(static_cast<std::size_t>(s_.max_in_flight) + 4);
  versions_.fill(-1);
  if (s_.security.uses_sasl()) auth_.emplace(s_.security.sasl, tokens);
  timer_.kind = core::TimerKind::kConnection;
  timer_.id0 = static_cast<std::uint32_t>(index);
  if (!timers_.add_timers(1)) throw std::bad_alloc();
}

void Connection::move_to(std::string_view host, std::uint16_t port, ConnectionEvents& events) {
  host_ = std::string(host);
  port_ = port;
  stop("broker moved", events);
}

void Connection::stop(const char* why, ConnectionEvents& events) noexcept {
  switch (state_) {
    case State::kResolving:
      set_state(State::kIdle);  // its answer is for the old name: ignored (ticket)
      ++generation_;
      return;
    case State::kConnecting:
    case State::kHandshake:
    case State::kReady:
      stopping_ = true;  // not an error: fail() words it so
      fail(why, events);
      return;
    default:
      return;
  }
}

void Connection::connect(const sockaddr_storage& addr, socklen_t len, int family,
                         std::int64_t now_ns, ConnectionEvents& events) noexcept {
  std::memcpy(&addr_, &addr, sizeof addr_);
  addr_len_ = len;
  if (const int rc = transport_->open(family); rc < 0) {
    fail_attempt(FailedWhile::kConnecting, std::strerror(-rc), now_ns, events);
    return;
  }
  ++generation_;  // completions of an earlier socket are not this one's
  set_state(State::kConnecting);
  connect_started_ns_ = now_ns;
  recv_len_ = 0;
  send_busy_ = false;
  throttled_until_ns = 0;
  reauth_at_ns_ = INT64_MAX;
  reauth_wanted_ = false;
  reauthenticating_ = false;
  slow_told_ = false;
  in_flight_head_ = 0;
  in_flight_count_ = 0;
  produce_in_flight = 0;
  connect_timeout_.tv_sec = s_.socket_connection_setup_timeout_ms / 1000;
  connect_timeout_.tv_nsec = (s_.socket_connection_setup_timeout_ms % 1000) * kMs;
  if (!transport_->connect(reactor_, reinterpret_cast<const sockaddr*>(&addr_), addr_len_,
                           &connect_timeout_, token(Op::kConnect), token(Op::kTimeout))) {
    fail_attempt(FailedWhile::kConnecting, "io_uring takes no submissions", now_ns, events);
    return;
  }
  ops_pending_ += 2;
  rearm(now_ns);
  if (s_.log.debugging(config::Context::kBroker)) {
    char peer[300];
    peer_name(node_id_, host_, port_, peer, sizeof peer);
    s_.log.write(LogLevel::kDebug, config::Context::kBroker, "connecting to %s", peer);
  }
}

void Connection::fail_attempt(FailedWhile step, const char* why, std::int64_t now_ns,
                              ConnectionEvents& events) noexcept {
  note_failure(step, why);
  transport_->close();
  backoff(now_ns);
  events.on_failed(*this, failure_text_.data());
}

FailedWhile Connection::failed_while() const noexcept {
  switch (state_) {
    case State::kResolving:
      return FailedWhile::kResolving;
    case State::kConnecting:
      return FailedWhile::kConnecting;
    case State::kHandshake:
      return handshake_ == Handshake::kTls ? FailedWhile::kTls : FailedWhile::kHandshake;
    default:
      return FailedWhile::kReady;
  }
}

void Connection::note_failure(FailedWhile step, const char* why) noexcept {
  ++stats.failures;
  failure_ = describe_failure(step, node_id_, host_, port_, why, failure_text_.data(),
                              failure_text_.size());
  RK_DEBUG(s_.log, kBroker, "%s", failure_text_.data());
}

bool Connection::first_telling(const char* text) noexcept {
  for (const auto& t : told_) {
    if (std::strncmp(t.data(), text, t.size() - 1) == 0) return false;
  }
  std::snprintf(told_[told_next_].data(), told_[told_next_].size(), "%s", text);
  told_next_ = (told_next_ + 1) % told_.size();
  return true;
}

void Connection::backoff(std::int64_t now_ns) noexcept {
  transport_->close();
  set_state(State::kBackoff);
  // Exponential with jitter, reconnect.backoff.ms to .max.ms.
  next_attempt_ns_ = core::deadline_after_ms(now_ns, jitter_(backoff_ms_));
  backoff_ms_ = backoff_ms_ > s_.reconnect_backoff_max_ms / 2 ? s_.reconnect_backoff_max_ms
                                                             : backoff_ms_ * 2;
  rearm(now_ns);  // the end of the backoff ends a park
}

void Connection::fail(const char* why, ConnectionEvents& events) noexcept {
  // A TLS handshake the broker or OpenSSL refused keeps TLS's wording
  // and is an authentication failure, as Java's SslAuthenticationException.
  const bool tls = state_ == State::kHandshake && handshake_ == Handshake::kTls;
  note_failure(stopping_           ? FailedWhile::kStopped
               : refused_ && !tls ? FailedWhile::kAuthenticating
                                   : failed_while(),
               why);
  if (refused_ && tls) failure_ = Errc::kAuthentication;
  stopping_ = false;
  refused_ = false;
  while (in_flight_count_ != 0) {
    const InFlight f = in_flight_[in_flight_head_];
    pop_in_flight();
    events.on_dropped(*this, f);
  }
  produce_in_flight = 0;
  transport_->shutdown();
  set_state(State::kClosing);
  events.on_failed(*this, failure_text_.data());
  if (ops_pending() == 0) backoff(core::mono_ns());
}

void Connection::fail_connect_timeout(ConnectionEvents& events) noexcept {
  char why[120];
  std::snprintf(why, sizeof why, "no answer within socket.connection.setup.timeout.ms=%lld",
                static_cast<long long>(s_.socket_connection_setup_timeout_ms));
  fail(why, events);
}

void Connection::shutdown() noexcept { transport_->shutdown(); }

std::int64_t Connection::next_due_ns(std::int64_t now_ns) const noexcept {
  std::int64_t due = INT64_MAX;
  const auto consider = [&](std::int64_t t) noexcept {
    if (t < due) due = t;
  };
  // Timeouts act when due, even late.  The connect's own link timeout
  // normally ends it; this is the backstop, a second later.
  if (state_ == State::kConnecting) {
    // Saturating both ways: the timeout may be INT64_MAX ("forever").
    consider(core::deadline_after_ms(
        core::deadline_after_ms(connect_started_ns_, s_.socket_connection_setup_timeout_ms), 1000));
    if (!slow_told_) consider(core::deadline_after_ms(connect_started_ns_, kSlowConnectMs));
  }
  if (open() && in_flight_count_ != 0) {
    consider(core::deadline_after_ms(oldest_in_flight().sent_ns, s_.request_timeout_ms));
  }
  // Ends of waits only wake the loop: future ones only.
  if (state_ == State::kBackoff && next_attempt_ns_ > now_ns) consider(next_attempt_ns_);
  if (ready() && throttled_until_ns > now_ns) consider(throttled_until_ns);
  if (ready() && !reauth_wanted_) consider(reauth_at_ns_);
  return due;
}

void Connection::rearm(std::int64_t now_ns) noexcept {
  const std::int64_t due = next_due_ns(now_ns);
  if (due != INT64_MAX) (void)timers_.arm_no_later(timer_, due);  // registered: never full
}

void Connection::on_timer(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  if (state_ == State::kConnecting &&
      now_ns - connect_started_ns_ - 1000 * kMs >
          core::ms_to_ns(s_.socket_connection_setup_timeout_ms)) {
    fail_connect_timeout(events);
  } else if (state_ == State::kConnecting && !slow_told_ &&
             now_ns - connect_started_ns_ >= core::ms_to_ns(kSlowConnectMs)) {
    slow_told_ = true;
    char why[160];
    std::snprintf(why, sizeof why,
                  "no answer for %lld s (still trying until socket.connection.setup.timeout.ms=%lld)",
                  static_cast<long long>(kSlowConnectMs / 1000),
                  static_cast<long long>(s_.socket_connection_setup_timeout_ms));
    char text[600];
    describe_failure(FailedWhile::kConnecting, node_id_, host_, port_, why, text, sizeof text);
    RK_DEBUG(s_.log, kBroker, "%s", text);
    events.on_slow_connect(*this, text);
  } else if (open() && in_flight_count_ != 0 &&
             now_ns - oldest_in_flight().sent_ns > core::ms_to_ns(s_.request_timeout_ms)) {
    fail("request.timeout.ms passed without a response", events);
  } else if (ready() && now_ns >= reauth_at_ns_ && !reauth_wanted_) {
    reauth_wanted_ = true;
    maybe_reauthenticate(now_ns, events);
  }
  rearm(now_ns);
}

wire::RequestHeader Connection::header(wire::ApiKey key, std::int16_t version) noexcept {
  const std::int32_t id = next_correlation_;
  next_correlation_ = next_correlation_ == INT32_MAX ? 1 : next_correlation_ + 1;
  return {key, version, id, s_.client_id};
}

void Connection::send(std::size_t len, const wire::RequestHeader& h, bool answered, void* context,
                      std::int64_t now_ns, ConnectionEvents& events) noexcept {
  if (answered) {
    InFlight& f = push_in_flight();
    f = {h.correlation_id, h.api_key, h.api_version, context, now_ns, 0};
    if (in_flight_count_ == 1) rearm(now_ns);  // its request timeout
  } else {
    unanswered = context;
  }
  stats.on_request(len);
  send_is_produce_ = h.api_key == wire::ApiKey::kProduce;
  // The statistics' times read the clock: the pass's now_ns would put a
  // send and its completion reaped in the same pass at the same instant.
  send_queued_ns_ = core::mono_ns();
  send_correlation_ = answered ? h.correlation_id : 0;
  send_len_ = len;
  send_off_ = 0;
  send_busy_ = true;
  (void)arm_send(events);
}

// The kernel took the whole request: its outbuf time, and the start of
// its rtt on the newest request in flight (unless its answer was read
// first: then there is nothing to time).
void Connection::note_written() noexcept {
  const std::int64_t written_ns = core::mono_ns();
  if (send_is_produce_) stats.on_written(send_queued_ns_, written_ns);
  if (send_correlation_ == 0 || in_flight_count_ == 0) return;
  InFlight& newest = in_flight_[(in_flight_head_ + in_flight_count_ - 1) % in_flight_.size()];
  if (newest.correlation == send_correlation_) newest.written_ns = written_ns;
}

bool Connection::arm_send(ConnectionEvents& events) noexcept {
  if (!transport_->send(reactor_, std::span(send_buf_).subspan(send_off_, send_len_ - send_off_),
                        token(Op::kSend))) {
    fail("io_uring takes no more submissions", events);
    return false;
  }
  return true;
}

// receive_more() made room.
bool Connection::arm_recv(ConnectionEvents& events) noexcept {
  if (!transport_->recv(reactor_, std::span(recv_buf_).subspan(recv_len_), token(Op::kRecv))) {
    fail("io_uring takes no more submissions", events);
    return false;
  }
  return true;
}

void Connection::on_completion(Op op, int res, std::int64_t now_ns,
                               ConnectionEvents& events) noexcept {
  // The transport counts its own operations (a TLS one has more than the
  // connection asked for); the connect and its timeout are counted here.
  if (op == Op::kSend) {
    res = transport_->on_send_done(res);
  } else if (op == Op::kRecv) {
    res = transport_->on_recv_done(res);
  } else {
    --ops_pending_;
  }
  if (state_ == State::kClosing) {
    if (ops_pending() == 0) backoff(now_ns);
    return;
  }
  if ((op == Op::kSend || op == Op::kRecv) && res == io::Transport::kInternal) {
    // TLS's own traffic; the handshake may just have ended.
    if (state_ == State::kHandshake && handshake_ == Handshake::kTls &&
        transport_->established()) {
      if (s_.log.debugging(config::Context::kSecurity)) {
        try {
          s_.log.write(LogLevel::kDebug, config::Context::kSecurity, "%s:%u: TLS established: %s",
                       host_.c_str(), port_, transport_->describe().c_str());
        } catch (...) {  // no memory for the text: no line
        }
      }
      start_api_versions(now_ns, events);
    }
    return;
  }
  switch (op) {
    case Op::kConnect:
      if (res < 0) {
        if (res == -ECANCELED) {
          fail_connect_timeout(events);
        } else {
          fail(std::strerror(-res), events);
        }
        return;
      }
      set_state(State::kHandshake);
      if (!transport_->established()) {
        // TLS first: its handshake runs in the transport, on this
        // connection's tokens, and ends in a kInternal completion above.
        handshake_ = Handshake::kTls;
        if (const int rc = transport_->begin(reactor_, host_, token(Op::kSend), token(Op::kRecv));
            rc < 0) {
          fail_transport(rc, events);
        }
        return;
      }
      start_api_versions(now_ns, events);
      return;
    case Op::kTimeout:
      return;  // the connect's link timeout; the connect reports itself
    case Op::kSend:
      if (res <= 0) {
        fail_transport(res == 0 ? -EPIPE : res, events);
        return;
      }
      send_off_ += static_cast<std::size_t>(res);
      if (send_off_ < send_len_) {
        (void)arm_send(events);
        return;
      }
      send_busy_ = false;
      note_written();
      events.on_sent(*this);
      if (reauth_wanted_) maybe_reauthenticate(now_ns, events);
      return;
    case Op::kRecv:
      if (res <= 0) {
        fail_transport(res, events);
        return;
      }
      recv_len_ += static_cast<std::size_t>(res);
      if (!handle_frames(now_ns, events)) return;
      (void)receive_more(now_ns, events);
      return;
  }
}

// What the transport holds already (TLS: records decrypted but not yet
// delivered), then a receive armed, always into room: a full buffer grows.
bool Connection::receive_more(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  while (true) {
    if (recv_len_ == recv_buf_.size()) {
      try {
        recv_buf_.resize(recv_buf_.size() * 2);
      } catch (...) {
        fail("out of memory for a response", events);
        return false;
      }
    }
    const int n = transport_->read_buffered(std::span(recv_buf_).subspan(recv_len_));
    if (n < 0) {
      fail_transport(n, events);
      return false;
    }
    if (n == 0) break;
    recv_len_ += static_cast<std::size_t>(n);
    if (!handle_frames(now_ns, events)) return false;
  }
  return arm_recv(events);
}

// A failure the transport reports, in its words.  A TLS failure before the
// connection is ready (a certificate, an alert: TLS 1.3 tells a missing
// client certificate only after the client's handshake is over) will not
// mend by retrying: the user hears of it as an authentication failure.
void Connection::fail_transport(int res, ConnectionEvents& events) noexcept {
  const std::string_view text = transport_->error_text(res);
  char why[600];
  std::snprintf(why, sizeof why, "%.*s", static_cast<int>(text.size()), text.data());
  if (state_ == State::kHandshake && res == io::Transport::kProtocolFailure) refused(why, events);
  fail(why, events);
}

// Every whole frame in the receive buffer; false if the connection failed.
bool Connection::handle_frames(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  std::size_t off = 0;
  while (recv_len_ - off >= 4) {
    const auto size = wire::load_be<std::int32_t>(recv_buf_.data() + off);
    // A TLS alert (0x15) or handshake (0x16) record, version 3.x: the
    // listener speaks TLS and read our ApiVersions as a bad ClientHello.
    if (off == 0 && handshake_ == Handshake::kApiVersions &&
        (recv_buf_[0] == std::byte{0x15} || recv_buf_[0] == std::byte{0x16}) &&
        recv_buf_[1] == std::byte{0x03}) {
      constexpr const char* kWhy =
          "this listener expects TLS (set security.protocol=ssl or sasl_ssl)";
      refused(kWhy, events);
      fail(kWhy, events);
      return false;
    }
    if (wire::check_frame_size(size, s_.receive_message_max_bytes) != wire::DecodeStatus::kOk) {
      fail("response frame size out of range (not a Kafka broker?)", events);
      return false;
    }
    const auto total = 4 + static_cast<std::size_t>(size);
    if (recv_len_ - off < total) {
      if (total > recv_buf_.size()) {
        try {
          recv_buf_.resize(total);
        } catch (...) {
          fail("out of memory for a response", events);
          return false;
        }
      }
      break;
    }
    if (in_flight_count_ == 0) {
      fail("a response nobody asked for", events);
      return false;
    }
    const InFlight f = in_flight_[in_flight_head_];
    pop_in_flight();
    stats.on_response(total);
    if (f.key == wire::ApiKey::kProduce) {
      stats.on_produce_answer(f.written_ns != 0 ? f.written_ns : f.sent_ns, core::mono_ns());
    }
    const std::span<const std::byte> frame(recv_buf_.data() + off + 4,
                                           static_cast<std::size_t>(size));
    wire::Reader r(frame);
    wire::ResponseHeader rh;
    if (wire::read_response_header(r, f.key, f.version, rh) != wire::DecodeStatus::kOk ||
        rh.correlation_id != f.correlation) {
      events.on_dropped(*this, f);  // popped above: fail() no longer sees it
      fail("response with an unexpected correlation id", events);
      return false;
    }
    const auto body = frame.subspan(r.position());
    if (f.key == wire::ApiKey::kApiVersions) {
      if (!on_api_versions(f, body, now_ns, events)) return false;
    } else if (f.key == wire::ApiKey::kSaslHandshake || f.key == wire::ApiKey::kSaslAuthenticate) {
      if (!on_auth_response(f, body, now_ns, events)) return false;
    } else {
      events.on_response(*this, f, body);
    }
    // What the answer said may have ended this very connection (Metadata
    // saying its broker moved): nothing more is read from it, and no
    // receive is armed on a closed socket (issue 13, defect 4).
    if (!open()) return false;
    off += total;
    if (reauth_wanted_ && !reauthenticating_) maybe_reauthenticate(now_ns, events);
  }
  if (off != 0) {
    std::memmove(recv_buf_.data(), recv_buf_.data() + off, recv_len_ - off);
    recv_len_ -= off;
  }
  return true;
}

}  // namespace ringkafka::broker
