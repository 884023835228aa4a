// A TCP proxy between a client and one real Kafka broker that misbehaves on
// cue, for fault tests against real Kafka: it cuts a connection in the
// middle of a Produce request, swallows Produce responses the broker has
// already written (so the client retries a batch the broker has), and holds
// responses back past the client's request.timeout.ms.
//
// It understands just enough of the protocol to do that: request and
// response frames (the int32 size prefix), the request header's api key
// and correlation id, and the broker's own address inside responses.
// Metadata answers (and KIP-951's node endpoints in Produce answers) name
// the broker as 127.0.0.1 and its port; the proxy rewrites that port to its
// own, in place, so the client keeps talking through the proxy after
// bootstrap.  One broker only; both ends on 127.0.0.1.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace ringkafka::testing {

class FaultProxy {
 public:
  // Listens on a free port of 127.0.0.1 and forwards to `broker`
  // ("127.0.0.1:PORT").
  explicit FaultProxy(const std::string& broker);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // "127.0.0.1:PORT" of the proxy; empty if it could not listen.
  [[nodiscard]] std::string address() const;

  // `count` more Produce requests (added to any still pending) are
  // forwarded in part (the first half of the frame), and then both sides of
  // their connection are closed.
  void cut_produce_requests(int count);
  // The broker's answers to `count` more Produce requests are read and
  // thrown away; the client's connection stays open and silent.
  void drop_produce_responses(int count);
  // Every Produce answer is held back this long (zero to stop).
  void delay_produce_responses(std::chrono::milliseconds delay);

  struct Counters {
    std::uint64_t connections = 0;
    std::uint64_t produce_requests = 0;
    std::uint64_t cut = 0;
    std::uint64_t dropped = 0;
    std::uint64_t delayed = 0;
  };
  [[nodiscard]] Counters counters() const;

 private:
  struct Pair;
  void run();

  std::uint16_t broker_port_ = 0;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  mutable std::mutex mu_;
  int cut_ = 0;
  int drop_ = 0;
  std::chrono::milliseconds delay_{0};
  Counters counters_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace ringkafka::testing
