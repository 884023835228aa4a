// One TCP connection to a broker, as the sender's event loop sees it: its
// state, its buffers, and the requests sent on it and not yet answered.
// Owned and touched only by the sender thread.
//
// A connection sends one request at a time (one send in io_uring at a
// time; loopback and LAN sends complete at once) and keeps one receive
// armed while it is open.  Kafka answers a connection's requests in the
// order they were sent, so the in-flight requests form a FIFO and each
// response must carry the correlation id at its front.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sender/batch.h"
#include "wire/protocol.h"

namespace ringkafka::sender {

struct InFlight {
  std::int32_t correlation = 0;
  wire::ApiKey key = wire::ApiKey::kProduce;
  std::int16_t version = 0;
  Batch* batches = nullptr;  // Produce: linked through Batch::next
  std::int64_t sent_ns = 0;
};

struct Connection {
  enum class State : std::uint8_t {
    kIdle,        // no socket; connects when wanted
    kConnecting,  // connect in io_uring
    kHandshake,   // connected, ApiVersions sent
    kReady,
    kClosing,     // shut down; waits for its io_uring operations to end
    kBackoff,     // closed; may connect again at next_attempt_ns
  };

  std::int32_t node_id = -1;  // negative for a bootstrap.servers entry
  std::string host;
  std::uint16_t port = 0;

  int fd = -1;
  std::uint32_t generation = 0;  // bumped per socket: stale completions are ignored
  State state = State::kIdle;
  std::int64_t next_attempt_ns = 0;
  std::int64_t backoff_ms = 0;
  std::int64_t connect_started_ns = 0;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int ops_pending = 0;  // operations of this socket still in io_uring
  // KIP-219: the broker answered with throttle_time_ms and expects nothing
  // more on this connection until then (monotonic ns; 0: not throttled).
  std::int64_t throttled_until_ns = 0;

  std::vector<std::byte> send_buf;
  std::size_t send_len = 0;
  std::size_t send_off = 0;
  bool send_busy = false;

  std::vector<std::byte> recv_buf;
  std::size_t recv_len = 0;

  // The in-flight FIFO: a ring over a vector sized once.
  std::vector<InFlight> in_flight;
  std::size_t in_flight_head = 0;
  std::size_t in_flight_count = 0;
  std::uint32_t produce_in_flight = 0;
  // acks=0: the batches of the request being sent; done once it is sent.
  Batch* unanswered = nullptr;

  // Versions negotiated by ApiVersions; -1 until then.
  std::int16_t produce_version = -1;
  std::int16_t metadata_version = -1;
  std::int16_t init_producer_id_version = -1;
  std::int16_t api_versions_version = 3;

  [[nodiscard]] bool ready() const noexcept { return state == State::kReady; }
  [[nodiscard]] bool can_send() const noexcept {
    return ready() && !send_busy && in_flight_count < in_flight.size();
  }
  InFlight& push_in_flight() noexcept {
    InFlight& f = in_flight[(in_flight_head + in_flight_count) % in_flight.size()];
    ++in_flight_count;
    return f;
  }
  InFlight& front_in_flight() noexcept { return in_flight[in_flight_head]; }
  void pop_in_flight() noexcept {
    in_flight_head = (in_flight_head + 1) % in_flight.size();
    --in_flight_count;
  }
};

}  // namespace ringkafka::sender
