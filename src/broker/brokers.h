// The broker table: a connection per broker (and per bootstrap.servers
// entry until a broker from Metadata is ready), kept connected, resolved
// off the sender thread, and pruned when a broker leaves the cluster.
// Completions of the reactor come here by token and go to their
// connection.  Owned and touched only by the sender thread.
#pragma once

#include <cstdint>
#include <cstddef>
#include <deque>
#include <iterator>
#include <memory>
#include <string_view>
#include <vector>

#include "broker/connection.h"
#include "config/settings.h"
#include "io/reactor.h"
#include "io/resolver.h"

namespace ringkafka::broker {

class Brokers {
 public:
  Brokers(io::Reactor& reactor, core::TimerHeap& timers, const config::Settings& settings) noexcept
      : reactor_(reactor), timers_(timers), s_(settings) {
    resolver_timer_.kind = core::TimerKind::kResolver;
  }

  // Connections made from now on run over TLS with `ctx`.
  void use_tls(std::shared_ptr<const tls::Context> ctx) noexcept { tls_ = std::move(ctx); }
  // And OAUTHBEARER tokens from `tokens` (which outlives the table).
  void use_tokens(TokenSource* tokens) noexcept { tokens_ = tokens; }

  // Allocates the connection's buffers; throws std::bad_alloc.
  Connection& add(std::int32_t node_id, std::string_view host, std::uint16_t port);
  [[nodiscard]] Connection* find(std::int32_t node_id) noexcept;

  // Connections that should be open and are not start resolving or
  // connecting; answers from the resolver are taken.  true if anything
  // started or came back.
  bool service(std::int64_t now_ns, ConnectionEvents& events) noexcept;
  // A completion of the reactor: to its connection (stale ones dropped).
  void dispatch(std::uint64_t token, int res, std::int64_t now_ns,
                ConnectionEvents& events) noexcept;
  // A timer of kind kConnection or kResolver fired.
  void on_timer(const core::Timer& t, std::int64_t now_ns, ConnectionEvents& events) noexcept;
  // Lookups still out (the sender must look again soon).
  [[nodiscard]] bool resolving() const noexcept { return resolver_.pending() != 0; }

  // Metadata's broker list: begin, one call per broker, then end (only for
  // an answer decoded whole): brokers not listed are closed and left alone
  // until a later answer lists them.  A half-read answer prunes nothing.
  void begin_listing() noexcept;
  void listed(std::int32_t node_id, std::string_view host, std::uint16_t port,
              ConnectionEvents& events) noexcept;
  void end_listing(ConnectionEvents& events) noexcept;

  // At the end: every socket is shut down and the reactor drained of their
  // operations (for at most a second), then closed.
  void quiesce() noexcept;

  // Iteration goes through `list_`, pointers in index order: a deque of
  // objects this large holds one per block, so walking it costs a block
  // change per connection on every pass of the loop.
  template <typename T>
  struct Iter {
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    Connection* const* p = nullptr;
    Iter operator++(int) noexcept {
      Iter old = *this;
      ++p;
      return old;
    }
    T& operator*() const noexcept { return **p; }
    Iter& operator++() noexcept {
      ++p;
      return *this;
    }
    bool operator==(const Iter&) const noexcept = default;
  };
  Iter<Connection> begin() noexcept { return {list_.data()}; }
  Iter<Connection> end() noexcept { return {list_.data() + list_.size()}; }
  Iter<const Connection> begin() const noexcept { return {list_.data()}; }
  Iter<const Connection> end() const noexcept { return {list_.data() + list_.size()}; }

 private:
  void start(Connection& c, std::int64_t now_ns, ConnectionEvents& events) noexcept;

  io::Reactor& reactor_;
  core::TimerHeap& timers_;
  core::Timer resolver_timer_;  // polls while lookups are out (answers end no park)
  bool resolver_timer_registered_ = false;
  const config::Settings& s_;
  std::shared_ptr<const tls::Context> tls_;
  TokenSource* tokens_ = nullptr;
  std::deque<Connection> conns_;  // stable addresses; the index is in tokens
  std::vector<Connection*> list_;  // &conns_[i], for iteration
  // Something may have changed what service() would start: a connection's
  // state (Connection::watch_state), a timer, a broker added or listed.  A
  // pass without any of them skips the scan.
  bool dirty_ = true;
  io::Resolver resolver_;
};

}  // namespace ringkafka::broker
