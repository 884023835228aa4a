// The sender's orchestrator: one loop on one thread that ties the stages
// together (docs/architecture.md has the picture).  Each pass:
//
//   accumulator.drain()        rings -> batches (parking topics without metadata)
//   brokers.service()          connections resolved, connected, handshaken
//   send_control() per broker  Metadata, InitProducerId
//   produce.send() per broker  Produce requests (idempotence's gates)
//   reactor.reap()             completions -> connections -> on_response()
//   timers.expire()            deadlines due: request, connect and delivery
//                              timeouts, metadata age (core/timer_heap.h)
//   idle                       spin, yield or park until the next deadline
//
// What each answer means lives in the stages: producer_state.h decides
// idempotence, produce_path.h Produce, metadata.h Metadata; this file only
// routes.
#include "sender/sender.h"

#include "sender/token_refresher.h"
#include "tls/context.h"

#include <pthread.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "accumulator/accumulator.h"
#include "accumulator/reporter.h"
#include "broker/brokers.h"
#include "core/clock.h"
#include "core/jitter.h"
#include "core/timer_heap.h"
#include "io/idle.h"
#include "io/reactor.h"
#include "sender/metadata.h"
#include "sender/produce_path.h"
#include "sender/producer_state.h"
#include "sender/statistics.h"
#include "sender/transactional.h"
#include "wire/error_code.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"

namespace ringkafka::sender {
namespace {

using accumulator::Batch;
using broker::Connection;
using core::mono_ns;
using core::wall_ms;

constexpr std::int64_t kMs = 1'000'000;

using handoff::bump;

thread_local bool t_on_sender_thread = false;


}  // namespace

struct Sender::Loop final : broker::ConnectionEvents {
  explicit Loop(handoff::Shared& sh)
      : shared(sh), s(sh.settings), idle_policy(io::IdlePolicy::from(sh.settings)) {}

  handoff::Shared& shared;
  const config::Settings& s;
  std::thread thread;
  io::Reactor reactor;
  accumulator::Reporter reporter{shared};
  char start_error[256] = {};  // why setup failed (fixed: written in noexcept code)

  // A sealed batch failed: its sequence numbers go unused (KIP-360).
  static void sealed_failed(void* self) noexcept {
    static_cast<Loop*>(self)->pstate.on_sealed_batch_failed();
  }
  // Why a leader's records time out: its connection's failure, if down.
  static const char* leader_down(void* self, std::int32_t node) noexcept {
    const Connection* c = static_cast<Loop*>(self)->brokers.find(node);
    return c != nullptr && c->down() ? c->failure_text() : nullptr;
  }

  core::TimerHeap timers;
  broker::Brokers brokers{reactor, timers, s};
  // The application's OAUTHBEARER tokens, when it gives them (the connections
  // hold a pointer: it lives as long as they do).
  std::unique_ptr<TokenRefresher> tokens;
  accumulator::Accumulator acc{shared, reporter, timers, &Loop::sealed_failed, this};
  ProducerState pstate{s.enable_idempotence, !s.transactional_id.empty()};
  core::Jitter jitter{partition::random_seed()};
  TxnGate txn_gate;  // the transaction protocol's rules for Produce
  ProducePath produce{shared, acc, pstate, txn_gate, jitter};
  static void txn_fatal(void* self, const char* why) noexcept {
    static_cast<Loop*>(self)->fatal("%s", why);
  }
  Transactional txn{shared, pstate, brokers, acc, timers, txn_gate, &Loop::txn_fatal, this};
  std::vector<std::string_view> name_scratch;

  std::int64_t now_ns = 0;
  std::int64_t now_ms = 0;
  io::IdlePolicy idle_policy;

  // The one InitProducerId request the producer state may have out.
  bool pid_in_flight = false;
  std::int64_t pid_next_attempt_ns = 0;
  core::Timer pid_timer{.kind = core::TimerKind::kProducerId};

  // Metadata.
  bool metadata_in_flight = false;
  bool metadata_wanted = true;
  std::int64_t metadata_next_ns = 0;  // not before (backoff)
  std::int64_t metadata_refresh_ns = 0;
  core::Timer metadata_timer{.kind = core::TimerKind::kMetadata};

  // Statistics (sender/statistics.h): built when statistics.interval.ms
  // passes (for the callback) or a reader asked, then published.
  StatisticsBuilder stats_builder{mono_ns()};
  Statistics stats_built;
  bool stats_due = false;          // the interval passed
  bool stats_unpublished = false;  // built; a reader held the lock
  std::uint64_t stats_answers = 0; // the requests the built one answers
  std::uint64_t stats_served = 0;  // the requests a published one answered
  core::Timer stats_timer{.kind = core::TimerKind::kStatistics};

  // --- setup ---------------------------------------------------------------

  bool setup() noexcept {
    if (!acc.setup(start_error, sizeof start_error)) return false;
    acc.on_leader_cause(&Loop::leader_down, this);
    if (!timers.add_timers(3) || !txn.setup()) {  // pid, metadata and stats timers; txn's
      set_start_error("out of memory");
      return false;
    }
    try {
      produce.setup();
      produce.on_fatal(&Loop::txn_fatal, this);
      name_scratch.reserve(64);
      for (std::size_t i = 0; i < s.bootstrap_servers.size(); ++i) {
        brokers.add(-1 - static_cast<std::int32_t>(i), s.bootstrap_servers[i].host,
                    s.bootstrap_servers[i].port);
      }
    } catch (...) {
      set_start_error("out of memory");
      return false;
    }
    return true;
  }

  // The ring must be made by the thread that submits (SINGLE_ISSUER).
  bool setup_ring() noexcept {
    const int rc = reactor.open({s.uring_entries, s.uring_sqpoll, s.sender_cpu});
    if (rc < 0) {
      set_start_error("io_uring setup failed: %s", std::strerror(-rc));
      return false;
    }
    return true;
  }

  // --- the loop ------------------------------------------------------------

  // 0 while starting, 1 running, 2 failed: Sender::start waits for it.
  std::atomic<int> started{0};

  void run() noexcept {
    const bool ok = setup_ring();
    started.store(ok ? 1 : 2, std::memory_order_release);
    started.notify_all();
    if (!ok) {
      shared.sender_exited.store(true, std::memory_order_release);
      return;
    }
    idle_policy.on_work(mono_ns());
    if (s.statistics_interval_ms > 0) {
      (void)timers.arm_no_later(stats_timer, core::deadline_after_ms(mono_ns(), s.statistics_interval_ms));
    }
    while (true) {
      now_ns = mono_ns();
      now_ms = wall_ms();
      if (shared.stopping.load(std::memory_order_acquire)) break;
      bool work = acc.sync_topics(now_ns);
      work |= acc.drain(now_ns, now_ms);
      work |= timers.expire(now_ns, [this](core::Timer& t) noexcept { on_timer(t); });
      work |= txn.take_step(now_ns);
      work |= txn.service();
      // Both wishes are taken (each call clears its own).
      if (acc.take_metadata_wish()) metadata_wanted = true;
      if (produce.take_metadata_wish()) metadata_wanted = true;
      work |= service_connections();
      work |= reactor.reap([this](std::uint64_t token, int res) noexcept {
        brokers.dispatch(token, res, now_ns, *this);
      });
      statistics();
      // Unrecoverable: nothing more can be delivered, so nothing waits.
      if (shared.fatal()) {
        purge_everything(Errc::kFatal, "the producer hit a fatal error (see Producer::fatal_error())");
      }
      if (work) {
        idle_policy.on_work(now_ns);
        shared.wake_waiters();
      } else {
        idle();
      }
    }
    purge_everything(Errc::kPurged, "purged: the producer closed before the record was sent");
    shared.sender_exited.store(true, std::memory_order_release);
    shared.wake_waiters();
    brokers.quiesce();
    reactor.close();
  }

  // The first fatal error's text stays; the producer stops taking records.
  __attribute__((format(printf, 2, 3))) void fatal(const char* fmt, ...) noexcept {
    char why[sizeof shared.fatal_message];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(why, sizeof why, fmt, args);
    va_end(args);
    bool first = false;
    {
      std::lock_guard lock(shared.fatal_mu);
      first = shared.fatal_message[0] == '\0';
      if (first) std::memcpy(shared.fatal_message, why, sizeof why);
      shared.refuse(handoff::Shared::kRefuseFatal);
    }
    if (first) s.log.error(Errc::kFatal, "%s", why);
  }

  __attribute__((format(printf, 2, 3))) void set_start_error(const char* fmt, ...) noexcept {
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(start_error, sizeof start_error, fmt, args);
    va_end(args);
  }

  bool service_connections() noexcept {
    bool work = brokers.service(now_ns, *this);
    // Most passes have nothing to ask or send: two tests, no calls.
    const bool control = metadata_wanted || txn.wants_to_send() ||
                         (!txn.enabled() && !pid_in_flight && pstate.may_want_id());
    if (!control && acc.active().empty()) return work;
    for (Connection& c : brokers) {
      if (!c.ready() || now_ns < c.throttled_until_ns) continue;  // KIP-219: nothing until then
      if (control) work |= send_control(c);
      work |= produce.send(c, *this, now_ns);
    }
    return work;
  }

  // --- what connections tell (broker::ConnectionEvents) ---------------------

  void on_reauthenticated(Connection&) noexcept override { bump(shared.counters.reauthentications); }

  void on_ready(Connection&) noexcept override {
    bump(shared.counters.connections);
    acc.clear_unreachable();
    acc.clear_timeout_cause();
    all_down_told = false;
  }

  // --- why brokers cannot be reached (the error callback, the reports) --------

  bool all_down_told = false;  // since a connection was last ready

  // A failure or a slow connect of `c`, worded (broker/failure.h): said
  // once per connection and text until it is ready again.  While no
  // connection is ready it is also the cause records time out with.
  void tell(Connection& c, Errc cause, const char* text) noexcept {
    if (c.first_telling(text)) s.log.error(cause, "%s", text);
    std::size_t known = 0;
    std::size_t down = 0;
    // The brokers Metadata named once there are some; the bootstrap
    // entries until then.
    const bool nodes = std::any_of(brokers.begin(), brokers.end(),
                                   [](const Connection& b) { return b.node_id() >= 0 && b.listed; });
    for (const Connection& b : brokers) {
      if (b.ready()) return;
      if (!b.listed || (b.node_id() >= 0) != nodes) continue;
      ++known;
      if (b.down()) ++down;
    }
    acc.set_timeout_cause(text);
    if (down == known && known != 0 && !all_down_told) {
      all_down_told = true;
      s.log.error(Errc::kAllBrokersDown, "%zu/%zu brokers are down (last: %s)", down, known, text);
    }
  }

  void on_slow_connect(Connection& c, const char* text) noexcept override {
    tell(c, Errc::kTransport, text);
  }

  // Only when no broker is left to ask: one listener refusing while
  // another works is that broker's problem, retried like any failure.
  void on_auth_failed(Connection& failed, const char* why) noexcept override {
    for (const Connection& c : brokers) {
      if (&c != &failed && c.ready()) return;
    }
    char text[400];
    std::snprintf(text, sizeof text, "%s:%u: %s", failed.host().c_str(), failed.port(), why);
    acc.set_unreachable(Errc::kAuthentication, text);
  }

  void on_response(Connection& c, const broker::InFlight& f,
                   std::span<const std::byte> body) noexcept override {
    switch (f.key) {
      case wire::ApiKey::kMetadata:
        metadata_in_flight = false;
        on_metadata(body, f.version);
        return;
      case wire::ApiKey::kInitProducerId:
        if (txn.enabled()) {
          txn.on_response(c, f, body, now_ns);
        } else {
          on_init_producer_id(body, f.version);
        }
        return;
      case wire::ApiKey::kFindCoordinator:
      case wire::ApiKey::kAddPartitionsToTxn:
      case wire::ApiKey::kAddOffsetsToTxn:
      case wire::ApiKey::kEndTxn:
      case wire::ApiKey::kTxnOffsetCommit:
      case wire::ApiKey::kDescribeTransactions:
        txn.on_response(c, f, body, now_ns);
        return;
      case wire::ApiKey::kProduce:
        produce.on_answer(c, f, body, now_ns);
        return;
      default:
        return;
    }
  }

  // A request that will get no answer: a Metadata or InitProducerId may be
  // sent again; a Produce request's batches go out again.
  void on_dropped(Connection& c, const broker::InFlight& f) noexcept override {
    if (f.key == wire::ApiKey::kMetadata) metadata_in_flight = false;
    if (f.key == wire::ApiKey::kInitProducerId) pid_in_flight = false;
    if (txn.enabled()) txn.on_dropped(c, f);
    produce.requeue(static_cast<Batch*>(f.context), now_ns);
  }

  void on_sent(Connection& c) noexcept override {
    if (c.unanswered != nullptr) produce.complete_unanswered(c);
  }

  void on_failed(Connection& c, const char* why) noexcept override {
    // acks=0: a request the kernel had not fully taken goes again.
    produce.requeue(static_cast<Batch*>(c.unanswered), now_ns);
    c.unanswered = nullptr;
    metadata_wanted = true;
    txn.on_failed(c);
    if (c.failure() != Errc::kOk) tell(c, c.failure(), why);  // kOk: stopped on purpose
  }

  void on_unusable(Connection& c, const char* why) noexcept override {
    fatal("the broker at %s %s", c.host().c_str(), why);
  }

  // --- Metadata and InitProducerId ------------------------------------------

  // They go out on any ready connection.
  bool send_control(Connection& c) noexcept {
    if (!c.can_send()) return false;
    if (metadata_wanted && !metadata_in_flight && now_ns >= metadata_next_ns) {
      name_scratch.clear();
      for (const accumulator::TopicInfo& t : acc.topics()) name_scratch.push_back(t.name);
      wire::Writer w(c.send_buffer());
      const auto h = c.header(wire::ApiKey::kMetadata, c.version(wire::ApiKey::kMetadata));
      wire::MetadataRequest req;
      req.topics = name_scratch;
      req.allow_auto_topic_creation = s.allow_auto_create_topics;
      if (!wire::encode_metadata_request(w, h, req)) {
        fatal("cannot encode a Metadata request (too many topics?)");
        return false;
      }
      // Before the send: if it fails the connection, on_dropped() clears
      // them again.
      metadata_in_flight = true;
      metadata_wanted = false;
      c.send(w.position(), h, true, nullptr, now_ns, *this);
      return true;
    }
    // A transactional producer's id comes from its coordinator.
    if (txn.enabled()) return txn.send(c, now_ns, *this);
    // The scans only while a bump waits.
    const bool quiet = pstate.bump_wanted() && nothing_in_flight() && !acc.maybe_written_queued();
    const ProducerState::IdRequest id_request =
        pid_in_flight ? ProducerState::IdRequest::kNone : pstate.id_request(quiet);
    const std::int16_t id_version = c.version(wire::ApiKey::kInitProducerId);
    if (id_request == ProducerState::IdRequest::kNone || c.node_id() < 0 ||
        now_ns < pid_next_attempt_ns || id_version < 0) {
      return false;
    }
    wire::Writer w(c.send_buffer());
    const auto h = c.header(wire::ApiKey::kInitProducerId, id_version);
    wire::InitProducerIdRequest req;
    if (id_request == ProducerState::IdRequest::kBump && id_version >= 3) {
      // KIP-360: the same id, the next epoch.  Older brokers give a new id.
      req.producer_id = pstate.producer_id();
      req.producer_epoch = pstate.producer_epoch();
    }
    if (!wire::encode_init_producer_id_request(w, h, req)) return false;
    pid_in_flight = true;  // before the send, as above
    c.send(w.position(), h, true, nullptr, now_ns, *this);
    return true;
  }

  void on_metadata(std::span<const std::byte> body, std::int16_t version) noexcept {
    const MetadataOutcome o = apply_metadata(body, version, brokers, *this, acc, now_ns, &s.log);
    if (!o.decoded) {
      RK_DEBUG(s.log, kProtocol, "malformed Metadata response");
      metadata_wanted = true;
      metadata_next_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
      (void)timers.arm_no_later(metadata_timer, metadata_next_ns);
      return;
    }
    metadata_refresh_ns = core::deadline_after_ms(now_ns, s.metadata_max_age_ms);
    (void)timers.arm_no_later(metadata_timer, metadata_refresh_ns);
    // Topics still unknown (or a leader missing) are asked about again soon.
    if (o.incomplete) {
      metadata_wanted = true;
      metadata_next_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
      (void)timers.arm_no_later(metadata_timer, metadata_next_ns);
    }
  }

  void on_init_producer_id(std::span<const std::byte> body, std::int16_t version) noexcept {
    pid_in_flight = false;
    wire::InitProducerIdResponse r;
    const bool decoded =
        wire::decode_init_producer_id_response(body, version, r) == wire::DecodeStatus::kOk;
    switch (pstate.on_init_producer_id(decoded, decoded ? r.error_code : -1, r.producer_id,
                                       r.producer_epoch)) {
      case ProducerState::IdOutcome::kFatal:
        // The application must hear it: idempotence cannot work here.
        fatal("InitProducerId refused with %.*s: an idempotent producer cannot get a producer id",
              static_cast<int>(wire::error_info(r.error_code).name.size()),
              wire::error_info(r.error_code).name.data());
        return;
      case ProducerState::IdOutcome::kRetry:
        RK_DEBUG(s.log, kEos, "InitProducerId failed (error %d); retrying", decoded ? r.error_code : -1);
        pid_next_attempt_ns = core::deadline_after_ms(now_ns, s.retry_backoff_ms);
        (void)timers.arm_no_later(pid_timer, pid_next_attempt_ns);
        return;
      case ProducerState::IdOutcome::kReadyResequence:
        // After a bump every partition starts at sequence 0 again: queued
        // sealed batches (retries, in order) get the new epoch and fresh
        // sequences; batches sealed later continue from there.
        acc.restamp_all(pstate.producer_id(), pstate.producer_epoch());
        break;
      case ProducerState::IdOutcome::kReady:
        break;
    }
    RK_DEBUG(s.log, kEos, "producer id %lld epoch %d", static_cast<long long>(pstate.producer_id()),
             pstate.producer_epoch());
  }

  bool nothing_in_flight() const noexcept {
    for (const Connection& c : brokers) {
      if (c.produce_in_flight != 0) return false;
    }
    return true;
  }

  // --- time ------------------------------------------------------------------

  // A deadline came (core/timer_heap.h): to its owner.
  void on_timer(core::Timer& t) noexcept {
    switch (t.kind) {
      case core::TimerKind::kConnection:
      case core::TimerKind::kResolver:
        brokers.on_timer(t, now_ns, *this);
        return;
      case core::TimerKind::kPartition:
      case core::TimerKind::kTopic:
        acc.on_timer(t, now_ns);
        return;
      case core::TimerKind::kMetadata:
        if (metadata_refresh_ns != 0 && now_ns >= metadata_refresh_ns) {
          metadata_wanted = true;  // metadata.max.age.ms
        } else if (metadata_refresh_ns != 0) {
          (void)timers.arm_no_later(metadata_timer, metadata_refresh_ns);
        }
        return;  // a backoff's end: the pass that follows asks
      case core::TimerKind::kStatistics:
        stats_due = true;
        (void)timers.arm_no_later(stats_timer, core::deadline_after_ms(now_ns, s.statistics_interval_ms));
        return;
      case core::TimerKind::kProducerId:
      case core::TimerKind::kTransaction:  // a retry's backoff ended: the next pass sends
      case core::TimerKind::kNone:
        return;
    }
  }

  // A snapshot when the interval passed (the callback gets it) or a reader
  // asked (Producer::statistics), published without waiting for readers.
  void statistics() noexcept {
    const std::uint64_t asked = shared.statistics.asked();
    if (stats_due || asked != stats_served) {
      if (!stats_unpublished || stats_due || asked != stats_answers) {
        if (!stats_builder.build({shared, acc, reporter, brokers, pstate}, now_ns, now_ms,
                                 stats_built)) {
          return;  // no memory to grow the snapshot: the next pass tries again
        }
        if (stats_due && s.statistics_callback != nullptr) {
          s.statistics_callback(stats_built, s.statistics_context);
        }
        stats_due = false;
        stats_answers = asked;
        stats_unpublished = true;
      }
    }
    if (stats_unpublished && shared.statistics.publish(stats_built, stats_answers)) {
      stats_unpublished = false;
      stats_served = stats_answers;
    }
  }

  // How long a park may last: until the next deadline, at most 100 ms.
  std::int64_t next_deadline_ns() const noexcept {
    return std::min(timers.next_due(), now_ns + 100 * kMs);
  }

  // Nothing to do this pass: spin, yield or park as the policy says
  // (io/idle.h).  A park ends early on any completion, and never runs past
  // the next deadline.  No producer wakes us: the next pass looks at the
  // rings.
  void idle() noexcept {
    const io::IdlePolicy::Step step = idle_policy.on_idle(now_ns);
    const bool park = step.action == io::IdlePolicy::Action::kPark;
    reactor.idle(step, park ? next_deadline_ns() - now_ns : 0);
  }

  // --- the end ---------------------------------------------------------------

  // After close() (kPurged) or a fatal error (kFatal): every record still
  // here ends in a report with `error`.
  void purge_everything(Errc error, const char* why) noexcept {
    now_ns = mono_ns();
    now_ms = wall_ms();
    acc.purge(error, why, now_ns, now_ms);
    txn.abandon(error, why);
    for (Connection& c : brokers) {
      // Sent and unanswered: the broker may have them.
      c.drain_in_flight([&](const broker::InFlight& f) noexcept {
        for (auto* b = static_cast<Batch*>(f.context); b != nullptr;) {
          Batch* next = b->next;
          b->maybe_written = true;
          acc.finish(b, error, 0, why, -1, -1);
          b = next;
        }
      });
      // acks=0 requests the kernel had not fully taken: perhaps partly
      // sent, so possibly persisted.
      for (auto* b = static_cast<Batch*>(c.unanswered); b != nullptr;) {
        Batch* next = b->next;
        b->maybe_written = true;
        acc.finish(b, error, 0, why, -1, -1);
        b = next;
      }
      c.unanswered = nullptr;
    }
  }
};

Result<std::unique_ptr<Sender>> Sender::start(handoff::Shared& shared) {
  auto loop = std::make_unique<Loop>(shared);
  // Here, not on the sender thread: an unreadable key or a wrong
  // ssl.key.password fails create() (tls/context.h).
  if (shared.settings.security.uses_tls()) {
    auto ctx = tls::Context::make(shared.settings.security.tls);
    if (!ctx.ok()) return ctx.error();
    loop->brokers.use_tls(std::move(ctx.value()));
  }
  const config::SaslSettings& sasl = shared.settings.security.sasl;
  if (shared.settings.security.uses_sasl() && sasl.token_callback != nullptr) {
    auto refresher = TokenRefresher::start(sasl, &shared.settings.log);
    if (!refresher.ok()) return refresher.error();
    loop->tokens = std::move(refresher.value());
    loop->brokers.use_tokens(loop->tokens.get());
  }
  if (!loop->setup()) return Error{Errc::kResource, std::string(loop->start_error)};
  Loop* l = loop.get();
  try {
    l->thread = std::thread([l] {
      pthread_setname_np(pthread_self(), "rk-sender");
      t_on_sender_thread = true;
      l->run();
    });
  } catch (const std::exception& e) {
    return Error{Errc::kResource, std::string("cannot start the sender thread: ") + e.what()};
  }
  // The ring is made on the sender thread (SINGLE_ISSUER); a producer that
  // cannot have one is refused here rather than accepting records it could
  // never send.
  l->started.wait(0, std::memory_order_acquire);
  if (l->started.load(std::memory_order_acquire) != 1) {
    l->thread.join();
    return Error{Errc::kResource, std::string(l->start_error)};
  }
  return std::unique_ptr<Sender>(new Sender(std::move(loop)));
}

Sender::Sender(std::unique_ptr<Loop> loop) noexcept : loop_(std::move(loop)) {}

bool Sender::on_sender_thread() noexcept { return t_on_sender_thread; }

Sender::~Sender() { join(); }

void Sender::join() noexcept {
  if (loop_ && loop_->thread.joinable()) loop_->thread.join();
}

}  // namespace ringkafka::sender
