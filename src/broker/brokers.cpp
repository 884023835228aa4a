#include "broker/brokers.h"

#include <algorithm>
#include <cstdio>
#include <new>

#include "core/clock.h"

namespace ringkafka::broker {
namespace {

// The cancel of quiesce(); no connection has index 0xffffff.
constexpr std::uint64_t kCancelToken = ~std::uint64_t{0};

}  // namespace

Connection& Brokers::add(std::int32_t node_id, std::string_view host, std::uint16_t port) {
  const auto seed = static_cast<std::uint64_t>(core::mono_ns()) * 0x9E3779B97F4A7C15ULL +
                    conns_.size();
  if (!resolver_timer_registered_) {
    if (!timers_.add_timers(1)) throw std::bad_alloc();
    resolver_timer_registered_ = true;
  }
  list_.reserve(conns_.size() + 1);  // before the emplace: nothing to undo if it throws
  Connection& c =
      conns_.emplace_back(reactor_, timers_, conns_.size(), node_id, host, port, s_, seed, tls_, tokens_);
  list_.push_back(&c);
  c.watch_state(&dirty_);
  dirty_ = true;
  return c;
}

Connection* Brokers::find(std::int32_t node_id) noexcept {
  for (Connection* c : list_) {
    if (c->node_id() == node_id) return c;
  }
  return nullptr;
}

void Brokers::start(Connection& c, std::int64_t now_ns, ConnectionEvents& events) noexcept {
  c.start_resolving();
  io::Resolver::Answer a;
  bool now = false;
  if (!resolver_.lookup(c.resolve_ticket(), c.host(), c.port(), &a, &now)) {
    c.fail_attempt(FailedWhile::kResolving, "too many lookups at once", now_ns, events);
    return;
  }
  if (!now) {  // poll() brings the answer; look again in a millisecond
    (void)timers_.arm_no_later(resolver_timer_, now_ns + 1'000'000);
    return;
  }
  if (a.error != 0) {
    c.fail_attempt(FailedWhile::kResolving, io::Resolver::error_text(a.error), now_ns, events);
    return;
  }
  c.connect(a.addr, a.addr_len, a.family, now_ns, events);
}

bool Brokers::service(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  bool work = resolver_.poll([&](const io::Resolver::Answer& a) noexcept {
    const std::size_t idx = Connection::index_of(a.ticket);
    if (idx >= conns_.size()) return;
    Connection& c = conns_[idx];
    // An answer for an earlier attempt (the broker moved meanwhile).
    if (c.state() != Connection::State::kResolving || a.ticket != c.resolve_ticket()) return;
    if (a.error != 0) {
      c.fail_attempt(FailedWhile::kResolving, io::Resolver::error_text(a.error), now_ns, events);
      return;
    }
    c.connect(a.addr, a.addr_len, a.family, now_ns, events);
  });
  if (!dirty_) return work;
  dirty_ = false;
  // Brokers from Metadata are kept connected; bootstrap entries only until
  // one of them is ready.
  const bool any_node_ready = std::any_of(begin(), end(), [](const Connection& c) {
    return c.node_id() >= 0 && c.ready();
  });
  for (Connection& c : *this) {
    c.end_backoff(now_ns);
    if (c.state() != Connection::State::kIdle || !c.listed) continue;
    if (c.node_id() >= 0 || !any_node_ready) {
      start(c, now_ns, events);
      work = true;
    }
  }
  return work;
}

void Brokers::dispatch(std::uint64_t token, int res, std::int64_t now_ns,
                       ConnectionEvents& events) noexcept {
  if (token == kCancelToken) return;
  const std::size_t idx = Connection::index_of(token);
  if (idx >= conns_.size()) return;
  Connection& c = conns_[idx];
  if (!c.owns(token)) return;
  c.on_completion(Connection::op_of(token), res, now_ns, events);
}

void Brokers::on_timer(const core::Timer& t, std::int64_t now_ns, ConnectionEvents& events) noexcept {
  if (t.kind == core::TimerKind::kResolver) {
    if (resolving()) (void)timers_.arm_no_later(resolver_timer_, now_ns + 1'000'000);
    return;
  }
  dirty_ = true;
  if (t.id0 < conns_.size()) conns_[t.id0].on_timer(now_ns, events);
}

void Brokers::begin_listing() noexcept {
  dirty_ = true;
  for (Connection& c : *this) c.seen = false;
}

void Brokers::listed(std::int32_t node_id, std::string_view host, std::uint16_t port,
                     ConnectionEvents& events) noexcept {
  try {
    Connection* c = find(node_id);
    if (c == nullptr) {
      c = &add(node_id, host, port);
    } else if (c->host() != host || c->port() != port) {
      c->move_to(host, port, events);
    }
    c->listed = true;
    c->seen = true;
    dirty_ = true;
  } catch (...) {
    // Out of memory for a new broker: the next Metadata tries again.
  }
}

void Brokers::end_listing(ConnectionEvents& events) noexcept {
  for (Connection& c : conns_) {
    if (c.node_id() < 0 || c.seen) continue;  // bootstrap entries stay
    // Left the cluster: what is in flight on it goes elsewhere.
    c.listed = false;
    c.stop("the broker left the cluster", events);
  }
}

void Brokers::quiesce() noexcept {
  for (Connection& c : conns_) c.shutdown();
  // Without a free entry the shutdowns above still end the operations.
  if (io_uring_sqe* e = reactor_.sqe(1); e != nullptr) {
    io_uring_prep_cancel64(e, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(e, kCancelToken);
  }
  const std::int64_t deadline = core::mono_ns() + 1'000'000'000;
  while (core::mono_ns() < deadline) {
    bool pending = false;
    for (const Connection& c : conns_) pending |= c.ops_pending() != 0;
    if (!pending) break;
    reactor_.wait(10'000'000);
    // Only the bookkeeping, no new operations.
    (void)reactor_.reap([this](std::uint64_t token, int) noexcept {
      if (token == kCancelToken) return;
      const std::size_t idx = Connection::index_of(token);
      if (idx < conns_.size() && conns_[idx].owns(token)) conns_[idx].completed_while_quiescing(Connection::op_of(token));
    });
  }
  for (Connection& c : conns_) c.close();
}

}  // namespace ringkafka::broker
