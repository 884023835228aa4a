// A minimal blocking Kafka connection for integration tests: one TCP socket,
// one request at a time, built from ringkafka's wire codecs.  The producer's
// real I/O is the io_uring sender; this exists so the codecs can be shown
// against the real broker before (and independently of) that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wire/api_versions.h"
#include "wire/produce.h"
#include "wire/protocol.h"

namespace ringkafka::testing {

class RawClient {
 public:
  RawClient() = default;
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Connects to "host:port" (the first entry of a bootstrap string) and
  // negotiates versions with ApiVersions.  Returns an error text, empty on
  // success.
  std::string connect(const std::string& host_port);

  // Sends a request frame and returns the response body after its header
  // (empty with `error` set on failure).  The frame's correlation id must be
  // `next_correlation_id()`.
  std::vector<std::byte> round_trip(std::span<const std::byte> frame, wire::ApiKey key,
                                    std::int16_t version, std::string& error);

  // One Produce request with one batch for one partition, at the negotiated
  // version; the response goes to `visitor`.  Returns an error text.
  std::string produce(const std::string& topic, std::int32_t partition,
                      std::span<const std::byte> batch, std::int16_t acks,
                      wire::ProduceResponseVisitor& visitor);

  // How long a response may take before round_trip gives up (default 30 s).
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }

  std::int32_t next_correlation_id() const { return correlation_id_; }
  std::int16_t version(wire::ApiKey key) const { return wire::negotiate_version(key, versions_); }
  const wire::ApiVersionsResponse& broker_versions() const { return versions_; }

 private:
  bool send_all(std::span<const std::byte> data);
  bool recv_all(std::byte* out, std::size_t n);

  int fd_ = -1;
  int timeout_ms_ = 30000;
  std::int32_t correlation_id_ = 1;
  wire::ApiVersionsResponse versions_{};
};

}  // namespace ringkafka::testing
