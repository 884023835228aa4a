// One connection to a broker, as the sender sees it: a state machine from
// resolving the name to ready, its buffers, the framing of Kafka's
// size-prefixed responses, correlation, and the handshake pipeline that
// runs before any request of the sender's may go:
//
//   kIdle -> kResolving -> kConnecting -> kHandshake -> kReady
//              (io/resolver)   (io_uring)     |
//                                             +- ApiVersions (v3, else v0:
//                                             |  KIP-511), versions negotiated
//                                             +- SASL (authenticator.h), if
//                                                security.protocol has it; TLS
//                                                is under all of it, in the
//                                                transport
//   kReady: SASL again before the broker's session lifetime ends (KIP-368)
//   any failure -> kClosing (until io_uring is done with the buffers)
//               -> kBackoff (reconnect.backoff.ms, doubling, jittered)
//               -> kIdle
//
// Owned and touched only by the sender thread.  A connection sends one
// request at a time (one send in io_uring) and keeps one receive armed
// while open.  Kafka answers a connection's requests in the order sent, so
// those in flight form a FIFO and each answer must carry the correlation id
// of the FIFO's head.
//
// What the requests mean is not the connection's: it hands each answer,
// each dropped request and each failure to its Events.
#pragma once

#include <linux/time_types.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/settings.h"
#include "broker/authenticator.h"
#include "broker/connection_stats.h"
#include "broker/failure.h"
#include "core/jitter.h"
#include "core/timer_heap.h"
#include "io/reactor.h"
#include "io/transport.h"
#include "tls/context.h"
#include "wire/protocol.h"

namespace ringkafka::broker {

struct InFlight {
  std::int32_t correlation = 0;
  wire::ApiKey key = wire::ApiKey::kProduce;
  std::int16_t version = 0;
  void* context = nullptr;  // the sender's (for Produce: its batches)
  std::int64_t sent_ns = 0;     // written into the send buffer (its request timeout counts)
  std::int64_t written_ns = 0;  // the kernel took all of it (0: not yet)
};

class Connection;

// What a connection tells the sender.  Called on the sender thread, from
// Connection's own methods.
class ConnectionEvents {
 public:
  // The handshake is done: requests may go.
  virtual void on_ready(Connection& c) noexcept = 0;
  // A whole answer to `f` (already off the FIFO).  The handler may fail
  // the connection; the connection then reads nothing more.
  virtual void on_response(Connection& c, const InFlight& f,
                           std::span<const std::byte> body) noexcept = 0;
  // A request that will get no answer: the connection failed with it in
  // flight, or its answer could not be matched.  Once per request.
  virtual void on_dropped(Connection& c, const InFlight& f) noexcept = 0;
  // The kernel took a whole request (acks=0 completes here).
  virtual void on_sent(Connection& c) noexcept = 0;
  // The connection failed (after on_dropped for each request).  `why` is
  // failure_text(): the broker, the step and the reason.
  virtual void on_failed(Connection& c, const char* why) noexcept = 0;
  // A connect has had no answer for a while (kSlowConnectMs) and goes on
  // until socket.connection.setup.timeout.ms: a blackholed address says
  // so long before the timeout.  Once per attempt.
  virtual void on_slow_connect(Connection&, const char* /*text*/) noexcept {}
  // The broker speaks nothing ringkafka can use: no point reconnecting.
  virtual void on_unusable(Connection& c, const char* why) noexcept = 0;
  // The broker refused the credentials or the mechanism (before
  // on_failed): reconnecting goes on, backing off, but the user should
  // hear of it.
  virtual void on_auth_failed(Connection& c, const char* why) noexcept = 0;
  // KIP-368: the connection authenticated again, without closing.
  virtual void on_reauthenticated(Connection&) noexcept {}

 protected:
  ~ConnectionEvents() = default;
};

class Connection {
 public:
  enum class State : std::uint8_t {
    kIdle,        // no socket; connects when wanted
    kResolving,   // the name is being looked up (io/resolver.h)
    kConnecting,  // connect in io_uring
    kHandshake,   // connected; the handshake pipeline runs
    kReady,
    kClosing,     // shut down; waits for its io_uring operations to end
    kBackoff,     // closed; may connect again at next_attempt_ns()
  };
  static constexpr std::int64_t kSlowConnectMs = 3000;
  // What an io_uring operation of this connection was.
  enum class Op : std::uint8_t { kConnect = 1, kSend, kRecv, kTimeout };

  // Buffers are sized here (the allocation of a broker's first sight).
  // Its timer is armed in `timers` for the connection's deadlines (connect
  // and request timeouts, the end of a backoff or a throttle); the loop
  // hands it back through on_timer().
  // With `tls`, the connection runs over TLS (security.protocol ssl or
  // sasl_ssl); `tokens` are the application's OAUTHBEARER tokens.
  Connection(io::Reactor& reactor, core::TimerHeap& timers, std::size_t index, std::int32_t node_id,
             std::string_view host, std::uint16_t port, const config::Settings& settings,
             std::uint64_t seed, std::shared_ptr<const tls::Context> tls = nullptr,
             TokenSource* tokens = nullptr);

  [[nodiscard]] std::int32_t node_id() const noexcept { return node_id_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] bool ready() const noexcept { return state_ == State::kReady; }
  [[nodiscard]] bool open() const noexcept {
    return state_ == State::kHandshake || state_ == State::kReady;
  }
  [[nodiscard]] std::int64_t next_attempt_ns() const noexcept { return next_attempt_ns_; }
  [[nodiscard]] int ops_pending() const noexcept { return ops_pending_ + transport_->in_flight(); }
  // A request may be written into send_buffer() now.
  [[nodiscard]] bool can_send() const noexcept {
    return ready() && !send_busy_ && in_flight_count_ < in_flight_.size() && !reauth_wanted_;
  }
  // The version negotiated for `key`, -1 if the broker has none ours.
  [[nodiscard]] std::int16_t version(wire::ApiKey key) const noexcept {
    return versions_[static_cast<std::size_t>(key)];
  }
  // The cluster's finalized transaction.version as this broker told it at
  // the handshake (0: none; 2+: KIP-890's second transaction protocol).
  [[nodiscard]] std::int16_t transaction_version() const noexcept { return transaction_version_; }
  [[nodiscard]] std::size_t in_flight_count() const noexcept { return in_flight_count_; }
  // Counters and latency windows for the statistics (the sender resets
  // the windows after each snapshot).
  ConnectionStats stats;
  [[nodiscard]] const InFlight& oldest_in_flight() const noexcept { return in_flight_[in_flight_head_]; }

  // The broker's address changed (Metadata): a connection in use fails.
  void move_to(std::string_view host, std::uint16_t port, ConnectionEvents& events);
  // Whatever the connection is doing ends (a lookup is forgotten, a socket
  // fails with `why`); nothing starts again unless the table says so.
  void stop(const char* why, ConnectionEvents& events) noexcept;

  // --- connecting (the broker table drives these) ---------------------------
  // The name goes to the resolver; its answer must carry resolve_ticket().
  void start_resolving() noexcept {
    ++generation_;
    set_state(State::kResolving);
  }
  [[nodiscard]] std::uint64_t resolve_ticket() const noexcept { return token(Op::kConnect); }
  // The address is known: open the socket and queue the connect.
  void connect(const sockaddr_storage& addr, socklen_t len, int family, std::int64_t now_ns,
               ConnectionEvents& events) noexcept;
  // Name resolution failed (kResolving), or the attempt could not start
  // (kConnecting).
  void fail_attempt(FailedWhile step, const char* why, std::int64_t now_ns,
                    ConnectionEvents& events) noexcept;
  // kBackoff whose time has come goes back to kIdle.
  void end_backoff(std::int64_t now_ns) noexcept {
    if (state_ == State::kBackoff && now_ns >= next_attempt_ns_) set_state(State::kIdle);
  }

  // --- requests ---------------------------------------------------------------
  // Where a request is encoded; then send() with its length.
  [[nodiscard]] std::vector<std::byte>& send_buffer() noexcept { return send_buf_; }
  [[nodiscard]] wire::RequestHeader header(wire::ApiKey key, std::int16_t version) noexcept;
  // Sends the encoded request.  With `answered`, it joins the in-flight
  // FIFO; an acks=0 Produce has no answer and is done at on_sent().  May
  // fail the connection (no submission entry).
  void send(std::size_t len, const wire::RequestHeader& h, bool answered, void* context,
            std::int64_t now_ns, ConnectionEvents& events) noexcept;

  // --- completions and failures ---------------------------------------------
  void on_completion(Op op, int res, std::int64_t now_ns, ConnectionEvents& events) noexcept;
  // Ends the connection: every request in flight goes to on_dropped, then
  // on_failed; the socket closes once io_uring is done with the buffers.
  void fail(const char* why, ConnectionEvents& events) noexcept;
  // Its timer fired: a connect or request past its timeout fails the
  // connection; the timer is armed for the next deadline.
  void on_timer(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  // Arms the timer for the next deadline (after throttled_until_ns moved).
  void rearm(std::int64_t now_ns) noexcept;
  // For shutdown: the socket stops, and what is left in flight is the
  // caller's to report (drain_in_flight).
  void shutdown() noexcept;
  template <class F>
  void drain_in_flight(F&& f) noexcept {
    while (in_flight_count_ != 0) {
      f(in_flight_[in_flight_head_]);
      pop_in_flight();
    }
  }
  void close() noexcept { transport_->close(); }

  // Tokens carry the connection's index, its socket's generation (stale
  // completions of an earlier socket are ignored) and the operation.
  static std::uint64_t token(std::size_t index, std::uint32_t generation, Op op) noexcept {
    return (static_cast<std::uint64_t>(index) << 40) |
           (static_cast<std::uint64_t>(generation) << 8) | static_cast<std::uint64_t>(op);
  }
  static std::size_t index_of(std::uint64_t token) noexcept { return token >> 40; }
  static std::uint32_t generation_of(std::uint64_t token) noexcept {
    return static_cast<std::uint32_t>((token >> 8) & 0xffffffffU);
  }
  static Op op_of(std::uint64_t token) noexcept { return static_cast<Op>(token & 0xff); }
  // A completion of this socket; it counts as no longer pending.
  [[nodiscard]] bool owns(std::uint64_t token) const noexcept {
    return generation_of(token) == generation_;
  }
  void completed_while_quiescing(Op op) noexcept {
    if (op == Op::kSend) {
      (void)transport_->on_send_done(-ECANCELED);
    } else if (op == Op::kRecv) {
      (void)transport_->on_recv_done(-ECANCELED);
    } else {
      --ops_pending_;
    }
  }

  // --- why it failed, for the error callback and the reports -------------------
  // The cause of the last failure (broker/failure.h); kOk once ready again,
  // and after a stop() the producer asked for.
  [[nodiscard]] Errc failure() const noexcept { return failure_; }
  [[nodiscard]] bool down() const noexcept { return failure_ != Errc::kOk; }
  [[nodiscard]] const char* failure_text() const noexcept { return failure_text_.data(); }
  // True if `text` was not said for this connection since it was last
  // ready (the last two said are remembered: an attempt that is slow and
  // then times out is two texts, said once each).
  bool first_telling(const char* text) noexcept;

  // In the last Metadata answer (a bootstrap entry always is): a broker
  // that left the cluster is not connected again.
  bool listed = true;
  bool seen = false;  // in the Metadata answer being read (Brokers)

  // The sender's per-connection Produce bookkeeping.
  std::uint32_t produce_in_flight = 0;
  void* unanswered = nullptr;  // acks=0: the batches of the send in progress
  // KIP-219: the broker answered with throttle_time_ms and expects nothing
  // more on this connection until then (monotonic ns; 0: not throttled).
  std::int64_t throttled_until_ns = 0;

  // Set to true on every change of state(): the broker table's cue to look
  // at its connections again (Brokers::service skips them otherwise).
  void watch_state(bool* changed) noexcept { state_changed_ = changed; }

 private:
  void set_state(State s) noexcept {
    state_ = s;
    if (state_changed_ != nullptr) *state_changed_ = true;
  }
  void backoff(std::int64_t now_ns) noexcept;
  [[nodiscard]] FailedWhile failed_while() const noexcept;
  void note_failure(FailedWhile step, const char* why) noexcept;
  // The broker refused the credentials (or TLS did): the failure that
  // follows is an authentication failure.
  void refused(const char* why, ConnectionEvents& events) noexcept {
    refused_ = true;
    events.on_auth_failed(*this, why);
  }
  [[nodiscard]] std::int64_t next_due_ns(std::int64_t now_ns) const noexcept;
  bool arm_send(ConnectionEvents& events) noexcept;
  bool arm_recv(ConnectionEvents& events) noexcept;
  void send_api_versions(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  bool on_api_versions(const InFlight& f, std::span<const std::byte> body, std::int64_t now_ns,
                       ConnectionEvents& events) noexcept;
  bool handle_frames(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  void start_api_versions(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  bool receive_more(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  void fail_transport(int res, ConnectionEvents& events) noexcept;
  void fail_connect_timeout(ConnectionEvents& events) noexcept;
  // SASL: the authenticator's step sent, or its end acted on; false if the
  // connection failed.
  bool auth_step(Authenticator::Step step, std::int64_t now_ns, ConnectionEvents& events) noexcept;
  bool on_auth_response(const InFlight& f, std::span<const std::byte> body, std::int64_t now_ns,
                        ConnectionEvents& events) noexcept;
  // KIP-368: once the requests in flight are answered, authenticate again.
  void maybe_reauthenticate(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  // The step after the one that just ended; the last makes it ready.
  void next_handshake_step(ConnectionEvents& events) noexcept;
  InFlight& push_in_flight() noexcept {
    InFlight& f = in_flight_[(in_flight_head_ + in_flight_count_) % in_flight_.size()];
    ++in_flight_count_;
    return f;
  }
  void pop_in_flight() noexcept {
    in_flight_head_ = (in_flight_head_ + 1) % in_flight_.size();
    --in_flight_count_;
  }
  std::uint64_t token(Op op) const noexcept { return token(index_, generation_, op); }

  const config::Settings& s_;
  std::size_t index_;  // in the broker table, for tokens
  std::int32_t node_id_;  // negative for a bootstrap.servers entry
  std::string host_;
  std::uint16_t port_;
  io::Reactor& reactor_;
  core::TimerHeap& timers_;
  core::Timer timer_;
  std::unique_ptr<io::Transport> transport_;

  std::uint32_t generation_ = 0;  // bumped per socket
  State state_ = State::kIdle;
  bool* state_changed_ = nullptr;
  std::int16_t transaction_version_ = 0;
  std::int64_t next_attempt_ns_ = 0;
  std::int64_t backoff_ms_;
  std::int64_t connect_started_ns_ = 0;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  __kernel_timespec connect_timeout_{};
  int ops_pending_ = 0;  // the connect and its timeout still in io_uring (sends and
                         // receives: transport_->in_flight())
  core::Jitter jitter_;

  std::vector<std::byte> send_buf_;
  std::size_t send_len_ = 0;
  std::size_t send_off_ = 0;
  void note_written() noexcept;
  std::int64_t send_queued_ns_ = 0;   // the request in the send buffer was written then
  std::int32_t send_correlation_ = 0; // and has this correlation id (0: no answer expected)
  bool send_is_produce_ = false;      // and is a Produce request (the latency windows' kind)
  bool send_busy_ = false;

  std::vector<std::byte> recv_buf_;
  std::size_t recv_len_ = 0;

  // The in-flight FIFO: a ring over a vector sized once.
  std::vector<InFlight> in_flight_;
  std::size_t in_flight_head_ = 0;
  std::size_t in_flight_count_ = 0;
  std::int32_t next_correlation_ = 1;

  // Versions negotiated by ApiVersions, by API key; -1 until then.
  std::array<std::int16_t, 128> versions_{};
  std::int16_t api_versions_version_ = 3;
  // The handshake pipeline's steps, in order.  kAuthenticate is where
  // SASL (SaslHandshake, SaslAuthenticate) will run; with no mechanism
  // configured it has nothing to do and is passed.
  enum class Handshake : std::uint8_t { kTls, kApiVersions, kAuthenticate, kDone };
  Handshake handshake_ = Handshake::kApiVersions;
  // SASL, when security.protocol has it.  Re-authentication (KIP-368) is
  // due at reauth_at_ns_; from then no request of the sender's goes
  // (can_send) until the ones in flight are answered and the exchange is
  // done again, so no answer is ever interleaved with it.
  std::optional<Authenticator> auth_;
  std::int64_t reauth_at_ns_ = INT64_MAX;
  bool reauth_wanted_ = false;
  bool reauthenticating_ = false;

  // Failures: the last one's cause and text, what was said since ready.
  Errc failure_ = Errc::kOk;
  bool stopping_ = false;   // stop() is failing it on purpose
  bool refused_ = false;    // refused() before the fail()
  bool slow_told_ = false;  // this attempt's on_slow_connect
  std::array<char, 400> failure_text_{};
  std::array<std::array<char, 400>, 4> told_{};
  std::size_t told_next_ = 0;
};

}  // namespace ringkafka::broker
