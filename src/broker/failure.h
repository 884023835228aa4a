// What a connection's failure is called, for the user: the cause (an Errc
// for the error callback) and a sentence naming the broker and the step
// that failed, with the system's or the broker's reason:
//
//   cannot resolve nosuchhost.invalid:9092: Name or service not known
//   cannot connect to 127.0.0.1:1: Connection refused
//   cannot connect to 10.1.2.3:9092 (node 2): no answer within socket.connection.setup.timeout.ms=10000
//   TLS handshake with kafka-1:9093 (node 1) failed: certificate verify failed
//   connection to kafka-1:9092 (node 1) lost: closed by the broker
//
// Pure: the connection says where it was; this file only words it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ringkafka/error.h"

namespace ringkafka::broker {

enum class FailedWhile : std::uint8_t {
  kResolving,      // the host name did not resolve
  kConnecting,     // socket or TCP connect
  kTls,            // the TLS handshake
  kHandshake,      // ApiVersions, SASL's exchange
  kReady,          // in use
  kAuthenticating, // the broker refused the credentials (or TLS did)
  kStopped,        // the producer ended it on purpose (the broker moved or left)
};

// "host:port", "[v6]:port", with " (node N)" for a broker from Metadata
// (a bootstrap entry, node_id < 0, has no node yet).
std::size_t peer_name(std::int32_t node_id, std::string_view host, std::uint16_t port, char* out,
                      std::size_t size) noexcept;

// The cause, and the sentence written into `out` (always terminated).
// kStopped is no error: kOk.
Errc describe_failure(FailedWhile step, std::int32_t node_id, std::string_view host,
                      std::uint16_t port, std::string_view why, char* out,
                      std::size_t size) noexcept;

}  // namespace ringkafka::broker
