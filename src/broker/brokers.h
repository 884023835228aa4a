// The broker table: a connection per broker (and per bootstrap.servers
// entry until a broker from Metadata is ready), kept connected, resolved
// off the sender thread, and pruned when a broker leaves the cluster.
// Completions of the reactor come here by token and go to their
// connection.  Owned and touched only by the sender thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

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

  auto begin() noexcept { return conns_.begin(); }
  auto end() noexcept { return conns_.end(); }
  auto begin() const noexcept { return conns_.begin(); }
  auto end() const noexcept { return conns_.end(); }

 private:
  void start(Connection& c, std::int64_t now_ns, ConnectionEvents& events) noexcept;

  io::Reactor& reactor_;
  core::TimerHeap& timers_;
  core::Timer resolver_timer_;  // polls while lookups are out (answers end no park)
  bool resolver_timer_registered_ = false;
  const config::Settings& s_;
  std::deque<Connection> conns_;  // stable addresses; the index is in tokens
  io::Resolver resolver_;
};

}  // namespace ringkafka::broker
